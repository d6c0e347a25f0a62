#!/usr/bin/env python3
"""cot_driver.py - drives integration.cot: one process that plays a TAK
Server (the wall connects to it), ATAK devices on multicast, hostile peers
on the wall's tcp-listen port, and a CAD (EIDO over the control socket and
the drop directory), checking the wall's state after each step.

  cot_driver.py SOCK STATS SNAPDIR TCP_PORT UDP_GROUP UDP_PORT LISTEN_PORT EIDO_DIR

Prints one "# step" line per step and "FAIL: why" (exit 1) on the first
failure; snapshots moved.png, deleted.png and stale.png are left for the
pixel checks of test_cot.sh.
"""
import json
import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cot_send  # noqa: E402

SOCK, STATS, SNAPDIR = sys.argv[1:4]
TCP_PORT, GROUP, UDP_PORT, LISTEN_PORT = int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
EIDO_DIR = sys.argv[8]
LAT0, LON0 = 52.3717, 4.8917
T0 = time.time()


def note(msg):
    print("# %.1f s: %s" % (time.time() - T0, msg), file=sys.stderr, flush=True)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr, flush=True)
    os._exit(1)


class Control:
    def __init__(self):
        deadline = time.time() + 30
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(SOCK)
                break
            except OSError:
                if time.time() > deadline:
                    fail("no control socket")
                time.sleep(0.1)
        self.f = self.s.makefile("rw")

    def send(self, msg):
        self.f.write((msg if isinstance(msg, str) else json.dumps(msg)) + "\n")
        self.f.flush()
        line = self.f.readline()
        if not line:
            fail("control socket closed")
        return json.loads(line)

    def state(self):
        return self.send({"type": "state"})

    def units(self):
        return {u["id"]: u for u in self.state()["units"]}

    def inputs(self):
        return {i["spec"]: i for i in self.send({"type": "stats"})["stats"]["inputs"]}

    def wait(self, what, cond, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if cond():
                return
            time.sleep(0.1)
        fail("not within %d s: %s" % (seconds, what))

    def frames(self):
        return self.send({"type": "stats"})["stats"]["render"]["frames"]

    def snapshot(self, name):
        # map panels redraw at most every 100 ms once the state changed (and
        # a headless wall idles up to 250 ms): let a frame and 0.6 s pass so
        # the snapshot shows what the state holds
        first, t = self.frames(), time.time()
        self.wait("a frame drawn", lambda: time.time() - t > 0.6 and
                  (self.frames() > first or time.time() - t > 2), 20)
        r = self.send({"type": "snapshot", "name": name})
        if not r.get("ok"):
            fail("snapshot %s: %s" % (name, r))
        # taken at the next frame and written off the render thread: wait for
        # the file before changing what the wall shows
        path = os.path.join(SNAPDIR, name)
        self.wait("snapshot " + path, lambda: os.path.exists(path) and
                  os.path.getsize(path) > 0, 20)


udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)


def send_udp(events):
    for ev in events:
        udp.sendto(ev.encode(), (GROUP, UDP_PORT))


def unit_events(first, count, rnd, prefix="U", stale=60):
    out = []
    for i in range(first, first + count):
        lat, lon = cot_send.unit_pos(i, rnd, LAT0, LON0)
        out.append(cot_send.event("%s-%02d" % (prefix, i), lat, lon, "%s%d" % (prefix, i), stale))
    return out


def moved_to(units, first, count, rnd):
    for i in range(first, first + count):
        u = units.get("U-%02d" % i)
        lat, lon = cot_send.unit_pos(i, rnd, LAT0, LON0)
        if not u or abs(u["lat"] - lat) > 1e-6 or abs(u["lon"] - lon) > 1e-6:
            return False
    return True


# --- a TAK Server the wall connects to (--cot tcp:) ---
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", TCP_PORT))
srv.listen(1)
srv.settimeout(30)
ready = threading.Event()
tak = []


def accept():
    try:
        tak.append(srv.accept()[0])
    except OSError:
        pass
    ready.set()


threading.Thread(target=accept, daemon=True).start()
ctl = Control()
if not ready.wait(30) or not tak:
    fail("the wall did not connect to the TAK server port")
tak = tak[0]
note("the wall connected to the TAK stream")


def send_tak(events, cut=False):
    data = "".join(events).encode()
    if cut:  # events cut at odd places, as TCP delivers them
        for i in range(0, len(data), 777):
            tak.sendall(data[i:i + 777])
            time.sleep(0.001)
    else:
        tak.sendall(data)


# --- 50 units, half multicast, half TCP; then moved ---
send_udp(unit_events(0, 25, 0))
send_tak(unit_events(25, 25, 0), cut=True)
ctl.wait("50 units", lambda: moved_to(ctl.units(), 0, 50, 0))
send_udp(unit_events(0, 25, 1))
send_tak(unit_events(25, 25, 1), cut=True)
lat, lon = cot_send.unit_pos(44, 1, LAT0, LON0)
send_tak([cot_send.event("U-44", lat, lon, "U44", 60, ce=50)])  # accuracy ring 50 m
ctl.wait("50 units moved", lambda: moved_to(ctl.units(), 0, 50, 1) and
         ctl.units()["U-44"].get("ce_m") == 50)
u = ctl.units()["U-03"]
if u.get("label") != "U3":
    fail("callsign not the label: %s" % u)
note("50 units moved (multicast and TCP)")
ctl.snapshot("moved.png")

# --- delete one ---
send_udp([cot_send.delete_event("U-07")])
ctl.wait("U-07 deleted", lambda: "U-07" not in ctl.units())
ctl.snapshot("deleted.png")
note("t-x-d-d removed U-07")

# --- hostile peers on tcp-listen, and one that stalls mid-event ---
def peer(data, hold=0.0):
    c = socket.create_connection(("127.0.0.1", LISTEN_PORT))
    try:
        c.sendall(data)
    except OSError:
        pass
    time.sleep(hold)
    return c


listen_spec = "tcp-listen:127.0.0.1:%d" % LISTEN_PORT
before = ctl.inputs()[listen_spec]
lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
       "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10)
               for i in range(1, 10)) +
       ']><event uid="&lol9;" type="a-f" time="x" stale="x"></event>')
bad = [
    b'<event uid="x" type="a-f-G" time="2026-01-01T00:00:00Z"><point lat=</event>',
    lol.encode(),
    b'<event uid="d" type="a-f" time="2026-01-01T00:00:00Z" stale="2026-01-01T00:00:00Z">'
    + b"<x>" * 5000 + b"</event>",
    b"<event>" + b" " * (10 << 20) + b"</event>",
    bytes([0xbf, 0x05]) + b"\x0a\x03abc",
]
conns = [peer(b, 0.05) for b in bad]
staller = peer(unit_events(40, 1, 3)[0][:200].encode())  # half an event, then silence
ctl.wait("bad events refused and counted",
         lambda: ctl.inputs()[listen_spec]["errors"] >= before["errors"] + 4 and
         ctl.inputs()[listen_spec]["unsupported"] >= before["unsupported"] + 1)
li = ctl.inputs()[listen_spec]
note("refused: errors %d, unsupported %d, last_error %s" % (li["errors"], li["unsupported"],
                                                            li["last_error"]))
units = ctl.units()
if any(k.startswith("lol") or k == "d" for k in units):
    fail("a refused event reached the state")

# other sources go on while a peer stalls: the stream and multicast still apply
send_udp(unit_events(0, 1, 2))
send_tak(unit_events(30, 1, 2))
ctl.wait("updates while a peer stalls", lambda: moved_to(ctl.units(), 0, 1, 2) and
         moved_to(ctl.units(), 30, 1, 2), 5)

# --- stale: fades at its stale time, goes away later ---
lat, lon = cot_send.unit_pos(45, 3, LAT0, LON0)
send_tak([cot_send.event("S-45", lat, lon, "S45", stale_s=2)])
ctl.wait("S-45 stale", lambda: ctl.units().get("S-45", {}).get("stale") is True, 10)
ctl.snapshot("stale.png")
note("S-45 turned stale (faded)")
ctl.wait("the stalled peer cut off", lambda: "stalled" in (ctl.inputs()[listen_spec]
                                                             ["last_error"] or "") or
         "silence" in (ctl.inputs()[listen_spec]["last_error"] or ""), 20)
note("stalled peer: %s" % ctl.inputs()[listen_spec]["last_error"])
ctl.wait("S-45 gone", lambda: "S-45" not in ctl.units(), 20)
note("S-45 removed after staying stale")
for c in conns + [staller]:
    c.close()

# --- flood: 20,000 events/s for 1.5 s on the multicast input ---
udp_spec = "udp:%s:%d" % (GROUP, UDP_PORT)
flood = [cot_send.event("F-%03d" % i, 52.3600 + i * 1e-5, 4.8700, "F%d" % i).encode()
         for i in range(200)]
sent, start = 0, time.time()
worst_ping = 0.0
while time.time() - start < 1.5:
    for _ in range(200):
        udp.sendto(flood[sent % 200], (GROUP, UDP_PORT))
        sent += 1
    ahead = sent / 20000 - (time.time() - start)
    if ahead > 0:
        time.sleep(ahead)
t = time.time()
ctl.send({"type": "ping"})
worst_ping = time.time() - t
send_tak(unit_events(31, 1, 2))
ctl.wait("the stream still applies after the flood", lambda: moved_to(ctl.units(), 31, 1, 2), 10)
ui = ctl.inputs()[udp_spec]
note("flood: sent %d, applied %d, dropped %d (rate limit), ping after %.3f s" %
     (sent, ui["events"], ui["dropped"], worst_ping))
# limited: by the input's rate limit (counted in "dropped") and, past the
# socket's buffer, by the kernel (not counted by the wall)
if ui["events"] >= sent or ui["events"] > 10000 * (time.time() - start + 1) + 2500:
    fail("a flood of 20,000 events/s was not limited: %s" % ui)

# --- EIDO over the control socket: PIDF-LO and three resources; closed by a file ---
PIDF = ('<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml" '
        'xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" entity="pres:c@example.com">'
        '<tuple id="t"><status><gp:geopriv><gp:location-info><gml:Point '
        'srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>52.3725 4.8930</gml:pos></gml:Point>'
        '<ca:civicAddress><ca:country>NL</ca:country><ca:A3>Amsterdam</ca:A3>'
        '<ca:RD>Damrak</ca:RD><ca:HNO>1</ca:HNO></ca:civicAddress></gp:location-info>'
        '</gp:geopriv></status></tuple></presence>')
IID = "urn:emergency:uid:incidentid:7e1:psap.example.nl"


def eido(status):
    return {"$id": IID, "lastUpdateTimeStamp": "2026-12-05T10:00:00Z", "eidoVersion": "1.0",
            "incidentComponent": {"$id": "inc", "incidentTrackingIdentifier": IID,
                                  "incidentTypeCommonRegistryText": "Fire-Structure",
                                  "incidentCommonPriorityNumber": 1,
                                  "incidentStatusCommonRegistryText": [status],
                                  "locationReference": [{"$ref": "loc"}],
                                  "callerName": "never stored"},
            "locationComponent": [{"$id": "loc", "locationByValue": PIDF}],
            "emergencyResourceComponent": [{"$id": "r%d" % i, "emergencyResourceName": n}
                                           for i, n in enumerate(["E12", "L4", "M7"])]}


r = ctl.send({"type": "eido", "document": eido("Dispatched"), "seq": 1})
if not r.get("ok") or r.get("incident") != IID or r.get("closed") is not False:
    fail("eido over the socket: %s" % r)
inc = next(i for i in ctl.state()["incidents"] if i["id"] == IID)
if (inc.get("address") != "1 Damrak, Amsterdam" or inc.get("units") != ["E12", "L4", "M7"] or
        abs(inc["lat"] - 52.3725) > 1e-9 or inc.get("kind") != "Fire-Structure" or
        inc.get("priority") != 1):
    fail("incident from EIDO: %s" % inc)
note("EIDO created %s" % inc)
r = ctl.send({"type": "eido", "document": {"incidentComponent": {}}, "seq": 2})
if r.get("ok") or "incidentTrackingIdentifier" not in r.get("error", ""):
    fail("a bad EIDO document was not refused: %s" % r)
if not ctl.send({"type": "ping", "seq": 3}).get("ok"):
    fail("the connection did not stay usable")
with open(os.path.join(EIDO_DIR, ".bad.tmp"), "w") as f:
    f.write('{"incidentTrackingIdentifier": ')
os.rename(os.path.join(EIDO_DIR, ".bad.tmp"), os.path.join(EIDO_DIR, "bad.json"))
with open(os.path.join(EIDO_DIR, ".up.tmp"), "w") as f:
    json.dump(eido("Closed"), f)
os.rename(os.path.join(EIDO_DIR, ".up.tmp"), os.path.join(EIDO_DIR, "update.json"))
ctl.wait("the EIDO file closed the incident",
         lambda: all(i["id"] != IID for i in ctl.state()["incidents"]), 10)
di = ctl.inputs()[EIDO_DIR]
if di["events"] < 1 or di["errors"] < 1:
    fail("eido-dir counts: %s" % di)
note("EIDO file closed it; eido-dir %s" % di)
print(json.dumps({"ok": True}))
