#!/usr/bin/env python3
"""cot_send.py - a small Cursor on Target sender for the tests and tools/demo.

  cot_send.py units [--count N] [--first K] [--round R] [--stale S]
                    [--lat LAT] [--lon LON] [--prefix P] [--ce M]
      prints N unit events (a-f-G-U-C, callsign PK..), one grid step apart,
      moved north by R steps of 0.0001 deg
  cot_send.py delete UID          prints a t-x-d-d event for UID
  cot_send.py udp HOST PORT       sends each event read on stdin as one
                                  datagram (multicast through loopback)
  cot_send.py serve PORT FIFO     accepts one TCP client (the wall), then
                                  copies FIFO to it until the FIFO closes
  cot_send.py connect HOST PORT [--hold S]
                                  sends stdin over TCP, then holds S seconds
  cot_send.py flood HOST PORT RATE SECONDS
                                  sends RATE unit events a second over UDP
"""
import socket
import sys
import time
from datetime import datetime, timedelta, timezone


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def event(uid, lat, lon, callsign=None, stale_s=60, typ="a-f-G-U-C", ce=9999999,
          course=0.0, speed=0.0, detail_extra=""):
    now = datetime.now(timezone.utc)
    contact = '<contact callsign="%s"/>' % callsign if callsign else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<event version="2.0" uid="%s" type="%s" time="%s" start="%s" stale="%s" '
            'how="m-g"><point lat="%.7f" lon="%.7f" hae="10" ce="%s" le="9999999"/>'
            '<detail>%s<__group name="Cyan" role="Team Member"/><status battery="90"/>'
            '<track course="%.1f" speed="%.1f"/>%s</detail></event>\n'
            % (uid, typ, iso(now), iso(now), iso(now + timedelta(seconds=stale_s)),
               lat, lon, ce, contact, course, speed, detail_extra))


def delete_event(uid):
    now = datetime.now(timezone.utc)
    return ('<event version="2.0" uid="del-%s" type="t-x-d-d" time="%s" start="%s" '
            'stale="%s" how="h-g-i-g-o"><point lat="0" lon="0" hae="0" ce="9999999" '
            'le="9999999"/><detail><link uid="%s" relation="none" type="a-f-G-U-C"/>'
            '<__forcedelete/></detail></event>\n'
            % (uid, iso(now), iso(now), iso(now + timedelta(seconds=20)), uid))


def arg(name, default, conv=str):
    if name in sys.argv:
        return conv(sys.argv[sys.argv.index(name) + 1])
    return default


def unit_pos(i, rnd, lat0, lon0):
    return (lat0 + 0.0016 - (i // 10) * 0.0008 + rnd * 0.0001,
            lon0 - 0.0054 + (i % 10) * 0.0012)


def units():
    n, first, rnd = arg("--count", 10, int), arg("--first", 0, int), arg("--round", 0, int)
    lat0, lon0 = arg("--lat", 52.3717, float), arg("--lon", 4.8917, float)
    prefix, stale, ce = arg("--prefix", "U", str), arg("--stale", 60, int), arg("--ce", 9999999)
    for i in range(first, first + n):
        lat, lon = unit_pos(i, rnd, lat0, lon0)
        sys.stdout.write(event("%s-%02d" % (prefix, i), lat, lon, "%s%d" % (prefix, i),
                               stale, ce=ce))


def events_of(data):
    out = []
    for part in data.split(b"</event>"):
        if part.strip():
            out.append(part.strip() + b"</event>")
    return out


def udp(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    for ev in events_of(sys.stdin.buffer.read()):
        s.sendto(ev, (host, int(port)))


def serve(port, fifo):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(port)))
    srv.listen(1)
    conn, _ = srv.accept()
    with open(fifo, "rb", buffering=0) as f:
        while True:
            chunk = f.read(65536)
            if not chunk:
                break
            conn.sendall(chunk)
    time.sleep(0.5)


def connect(host, port):
    c = socket.create_connection((host, int(port)))
    c.sendall(sys.stdin.buffer.read())
    time.sleep(arg("--hold", 0.5, float))


def flood(host, port, rate, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    evs = [event("F-%04d" % i, 52.36 + i * 1e-5, 4.88, "F%d" % i).encode()
           for i in range(200)]
    rate, end = int(rate), time.time() + float(seconds)
    sent = 0
    start = time.time()
    while time.time() < end:
        for _ in range(100):
            s.sendto(evs[sent % len(evs)], (host, int(port)))
            sent += 1
        ahead = sent / rate - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    print(sent)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "units":
        units()
    elif cmd == "delete":
        sys.stdout.write(delete_event(sys.argv[2]))
    elif cmd == "udp":
        udp(sys.argv[2], sys.argv[3])
    elif cmd == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif cmd == "connect":
        connect(sys.argv[2], sys.argv[3])
    elif cmd == "flood":
        flood(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
