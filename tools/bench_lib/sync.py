"""sync - the multi-node mode of tools/bench (--sync [SECONDS]): one wall of
three nodes (pc1, pc2, pc3) on this machine, kept in step through a real
Mosquitto broker on a free loopback port (issue 16).  It measures

  1. command to screen: a layout switch written on pc1's control socket, to
     the moment each node switched (its audit log's "layout"/"switched"
     record, wall clock in ms); the next frame drawn follows within one
     frame interval, which the report adds as a bound, not a measurement;
  2. tour steps: a wall tour stepped by the leader; per step, the spread of
     the three nodes' "switched" times;
  3. CPU: the broker's, and each node's extra CPU for sync, under 50
     commands/s (select, on pc1's socket) and 1,000 units/s (200 units
     moving 5 times a second, on pc2's socket): the same nodes once with the
     "sync" block and once alone (no broker), each alone node then getting
     every command and unit on its own socket; CPU from the scheduler's
     per-thread run time (/proc/PID/task/*/schedstat), the median of three
     windows per mode.

Every node shows two small feeds.  All processes share one clock, so the
times of different nodes compare directly."""
import calendar
import json
import math
import os
import select
import socket
import time

from . import media, procs

NODES = ("pc1", "pc2", "pc3")
OUTPUTS = ("left", "middle", "right")
FEEDS_PER_NODE = 2
CLIP_SIZE = (320, 180)
OUT_SIZE = (320, 180)
SWITCH_EVERY_S = 0.5
CMD_RATE = 50      # commands per second at the CPU step
UNITS = 200        # units, each moved UNIT_HZ times a second
UNIT_HZ = 5
TICK_S = 0.02      # the load is sent in ticks of 20 ms
TOUR_DWELL_S = 2
START_WAIT_S = 60  # nodes online with pictures
ROUNDS = 3         # CPU windows per mode; the report takes their median
STUCK_S = 5.0     # a node that writes no stats for this long is stuck
MATCH_S = 1.0      # a node's switch belongs to a command sent at most this long before


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def summary(values):
    """p50/p95/max (rounded ms) of a list, or None when empty."""
    if not values:
        return None
    return {"n": len(values), "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1), "max_ms": round(max(values), 1)}


# ---- files ----

def _outputs(swap):
    """The three outputs, each with its node's two feeds (swapped in "b")."""
    outs = []
    for i, (node, name) in enumerate(zip(NODES, OUTPUTS)):
        feeds = ["f%d" % (i * FEEDS_PER_NODE + k) for k in range(FEEDS_PER_NODE)]
        if swap:
            feeds.reverse()
        outs.append({"name": name, "node": node, "size": list(OUT_SIZE),
                     "grid": [FEEDS_PER_NODE, 1],
                     "tiles": [{"feed": f, "cell": [k, 0]} for k, f in enumerate(feeds)]})
    return outs


def write_wall(path, server, broker_port, tour):
    """Writes the wall file: layouts "a" and "b" (the same feeds, tiles
    swapped), "sync" when broker_port is set, a wall tour when tour."""
    n = len(NODES) * FEEDS_PER_NODE
    doc = {"feeds": {"f%d" % k: {"url": server.url(k)} for k in range(n)},
           "layouts": {"a": {"outputs": _outputs(False)}, "b": {"outputs": _outputs(True)}}}
    if tour:
        doc["tour"] = {"layouts": ["a", "b"], "dwell": TOUR_DWELL_S}
    if broker_port:
        doc["sync"] = {"broker": "mqtt://127.0.0.1:%d" % broker_port, "wall": "bench",
                       "keepalive_s": 2}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


# ---- processes ----

def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def start_broker(ctx, rundir):
    """A Mosquitto broker (anonymous, no persistence, Nagle's algorithm off
    as docs/multi-node.md advises) on a free loopback port, accepting
    connections; returns (child, port)."""
    port = free_port()
    conf = os.path.join(rundir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "set_tcp_nodelay true\n" % port)
    b = ctx.children.spawn("mosquitto", ["mosquitto", "-c", conf],
                           os.path.join(rundir, "mosquitto.log"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if ctx.children.poll(b):
            raise media.BenchError("mosquitto stopped (%s):\n%s"
                                   % (b.describe_exit(), b.log_tail()))
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return b, port
        except OSError:
            time.sleep(0.05)
    raise media.BenchError("mosquitto did not accept connections within 10 s")


class Node:
    """One tessera node: its files and its process."""

    def __init__(self, ctx, rundir, name, wall):
        self.name = name
        self.sock = os.path.join(rundir, name + ".sock")
        self.stats = os.path.join(rundir, name + ".stats.json")
        self.audit = os.path.join(rundir, name + ".audit")
        env = dict(os.environ)
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("DISPLAY", None)
        argv = [ctx.tessera, "--headless", "--node", name, "--control", "unix:" + self.sock,
                "--stats", self.stats, "--audit", self.audit, wall]
        self.child = ctx.children.spawn("tessera-" + name, argv,
                                        os.path.join(rundir, name + ".log"), env=env)

    def stale_s(self):
        """Seconds since the node last rewrote its stats file (it does once
        a second while its loop runs), or None before the first."""
        try:
            return time.time() - os.stat(self.stats).st_mtime
        except OSError:
            return None

    def read_stats(self):
        try:
            with open(self.stats) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None


def check_nodes(ctx, nodes):
    """Raises BenchError when a node has exited or its loop has stopped
    (no stats file written for STUCK_S seconds)."""
    for n in nodes:
        if ctx.children.poll(n.child):
            raise media.BenchError("node %s stopped (%s):\n%s" % (
                n.name, n.child.describe_exit(), n.child.log_tail()))
        age = n.stale_s()
        if age is not None and age > STUCK_S:
            up = (n.read_stats() or {}).get("uptime_ms")
            raise media.BenchError(
                "node %s wrote no stats for %.0f s (last at uptime %s ms): its loop is "
                "stuck (log %s)" % (n.name, age, up, n.child.log_path))


def wait_ready(ctx, nodes, synced):
    """Waits until every node shows pictures of its feeds (and, synced, sees
    all three nodes online); returns the last stats of each."""
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        docs = []
        check_nodes(ctx, nodes)
        for n in nodes:
            d = n.read_stats()
            ok = d is not None and len(d.get("feeds", [])) == FEEDS_PER_NODE and \
                all(f.get("frames_displayed", 0) > 0 for f in d["feeds"])
            if ok and synced:
                s = d.get("sync", {})
                ok = s.get("connected") and sum(
                    1 for x in s.get("nodes", []) if x.get("state") == "online") == len(NODES)
            docs.append(d if ok else None)
        if all(docs):
            return docs
        time.sleep(0.1)
    raise media.BenchError("the nodes were not ready within %d s (logs in %s)"
                           % (START_WAIT_S, os.path.dirname(nodes[0].sock)))


# ---- the control socket ----

class Sender:
    """A non-blocking control-socket client that writes queued lines and
    reads (and counts) the replies at the same time."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(5)
        self.s.connect(path)
        self.s.setblocking(False)
        self.out = b""
        self.inbuf = b""
        self.sent = self.ok = self.errors = 0
        self.last_error = None

    def queue(self, obj):
        self.out += json.dumps(obj, separators=(",", ":")).encode() + b"\n"
        self.sent += 1

    def idle(self):
        """True when every line is written and every reply read."""
        return not self.out and self.ok + self.errors >= self.sent

    def pump(self, timeout):
        """Writes and reads for at most timeout seconds (less when idle)."""
        pump_all([self], time.monotonic() + timeout, until_idle=True)

    def _write(self):
        try:
            self.out = self.out[self.s.send(self.out):]
        except BlockingIOError:
            pass

    def _read(self):
        try:
            data = self.s.recv(65536)
        except BlockingIOError:
            return
        if not data:
            raise media.BenchError("a node closed its control socket")
        self.inbuf += data
        *lines, self.inbuf = self.inbuf.split(b"\n")
        for line in lines:
            if line.startswith(b'{"ok":true'):
                self.ok += 1
            else:
                self.errors += 1
                self.last_error = line.decode("utf-8", "replace")[:200]

    def close(self):
        self.s.close()


def pump_all(senders, end, until_idle=False):
    """Writes and reads on every sender, sleeping in select, until
    time.monotonic() reaches end (or, until_idle, every sender is idle)."""
    by_sock = {x.s: x for x in senders}
    while True:
        left = end - time.monotonic()
        if left <= 0 or (until_idle and all(x.idle() for x in senders)):
            return
        r, w, _ = select.select(list(by_sock), [x.s for x in senders if x.out], [], left)
        for sk in w:
            by_sock[sk]._write()
        for sk in r:
            by_sock[sk]._read()


def send_one(path, obj):
    """Sends one line and waits for its reply; raises unless it is ok."""
    s = Sender(path)
    try:
        s.queue(obj)
        s.pump(5.0)
        if s.ok != 1:
            raise media.BenchError("%s refused %s: %s" % (path, obj, s.last_error))
    finally:
        s.close()


# ---- audit logs ----

def switches(audit_path):
    """[(wall seconds, view)] of the audit log's "switched" records."""
    out = []
    try:
        with open(audit_path) as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if r.get("event") == "layout" and r.get("action") == "switched":
                    out.append((audit_time(r["time"]), r.get("view")))
    except OSError:
        pass
    return out


def audit_time(text):
    """Seconds since the epoch of an audit "time" (2026-12-05T19:30:00.123Z)."""
    base = time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    frac = float("0" + text[19:].rstrip("Z")) if len(text) > 20 else 0.0
    return calendar.timegm(base) + frac


# ---- 1. command to screen ----

def match_switches(sent, events):
    """For each (t0, view) sent, the ms until the first later switch to view
    in events (None when none within MATCH_S)."""
    out, k = [], 0
    for t0, view in sent:
        while k < len(events) and (events[k][0] < t0 - 0.002 or events[k][1] != view):
            if events[k][0] > t0 + MATCH_S:
                break
            k += 1
        if k < len(events) and events[k][1] == view and events[k][0] <= t0 + MATCH_S:
            out.append(max(0.0, (events[k][0] - t0) * 1000.0))
            k += 1
        else:
            out.append(None)
    return out


def measure_switches(nodes, count, say):
    """Sends count layout switches (b, a, b, ...) to the first node's socket,
    one every SWITCH_EVERY_S; returns {node: {ms summary, missing}}."""
    sent = []
    for i in range(count):
        view = "b" if i % 2 == 0 else "a"
        t0 = time.time()
        send_one(nodes[0].sock, {"type": "layout", "name": view})
        sent.append((t0, view))
        time.sleep(max(0.0, t0 + SWITCH_EVERY_S - time.time()))
    time.sleep(1.0)
    res = {}
    for n in nodes:
        ms = match_switches(sent, switches(n.audit))
        got = [x for x in ms if x is not None]
        res[n.name] = {"switch_ms": summary(got), "missing": len(ms) - len(got),
                       "ms": [None if x is None else round(x, 1) for x in ms]}
        s = res[n.name]["switch_ms"]
        say("%s: %d switches, p50 %s ms, p95 %s ms, max %s ms, %d missing"
            % (n.name, len(got), s and s["p50_ms"], s and s["p95_ms"], s and s["max_ms"],
               len(ms) - len(got)))
    return res


# ---- 2. tour steps ----

def tour_spreads(per_node, since):
    """Groups the nodes' switches after `since` into steps (the first node's
    switch and the others' nearest switch to the same view within half a
    dwell); returns (spreads in ms of steps all nodes made, steps missed)."""
    first, others = per_node[0], per_node[1:]
    spreads, missed = [], 0
    for t, view in first:
        if t < since:
            continue
        times = [t]
        for ev in others:
            near = [x for x, v in ev if v == view and abs(x - t) < TOUR_DWELL_S / 2.0]
            if near:
                times.append(min(near, key=lambda x: abs(x - t)))
        if len(times) == len(per_node):
            spreads.append((max(times) - min(times)) * 1000.0)
        else:
            missed += 1
    return spreads, missed


# ---- 3. CPU under load ----

def unit_line(k, move):
    """Unit k's position at its move-th move: a small circle around a point."""
    a = 2 * math.pi * (move % 60) / 60.0 + k
    return {"type": "unit", "id": "U%03d" % k, "lat": round(32.30 + 0.002 * math.sin(a), 6),
            "lon": round(-90.18 + 0.002 * math.cos(a), 6), "heading": (move * 6) % 360,
            "speed_mps": 10}


def drive(cmd_socks, unit_socks, seconds, on_window):
    """Sends CMD_RATE select commands/s to each of cmd_socks and UNITS units
    moving UNIT_HZ times/s to each of unit_socks for 2 s of warm-up plus
    seconds; on_window("start"/"end") marks the measured window.  Returns
    the senders' counts."""
    senders = {p: Sender(p) for p in set(cmd_socks) | set(unit_socks)}
    per_tick = int(round(UNITS * UNIT_HZ * TICK_S))
    start = time.monotonic()
    ticks = int((seconds + 2.0) / TICK_S)
    warm = int(2.0 / TICK_S)
    try:
        for i in range(ticks):
            if i == warm:
                on_window("start")
            sel = {"type": "select", "output": OUTPUTS[(i // 2) % 3], "tile": i % 2}
            for p in cmd_socks:
                senders[p].queue(sel)
            for j in range(per_tick):
                u = unit_line((i * per_tick + j) % UNITS, (i * per_tick + j) // UNITS)
                for p in unit_socks:
                    senders[p].queue(u)
            pump_all(list(senders.values()), start + (i + 1) * TICK_S)
        on_window("end")
        pump_all(list(senders.values()), time.monotonic() + 3.0, until_idle=True)
        return {os.path.join(os.path.basename(os.path.dirname(p)), os.path.basename(p)):
                {"sent": s.sent, "ok": s.ok, "errors": s.errors, "last_error": s.last_error}
                for p, s in senders.items()}
    finally:
        for s in senders.values():
            s.close()


class CpuWindow:
    """CPU % of one core of some processes over a window (schedstat)."""

    def __init__(self, pids):
        self.pids = pids  # {name: pid}
        self.t0 = self.t1 = None
        self.c0, self.c1 = {}, {}

    def mark(self, what):
        now = time.monotonic()
        cpu = {k: procs.proc_run_s(p) for k, p in self.pids.items()}
        if what == "start":
            self.t0, self.c0 = now, cpu
        else:
            self.t1, self.c1 = now, cpu

    def percent(self):
        wall = self.t1 - self.t0
        return {k: round(100.0 * (self.c1[k] - self.c0[k]) / wall, 2)
                for k in self.pids if self.c0.get(k) is not None and self.c1.get(k) is not None}


# ---- the three sessions ----

def session(ctx, name, synced, tour, body):
    """Starts a broker (when synced) and the three nodes on a fresh wall
    file in rundir/sync/name, waits until they show pictures (and see each
    other), runs body(nodes, broker, docs) and stops them all."""
    rundir = os.path.join(ctx.rundir, "sync", name)
    os.makedirs(rundir, exist_ok=True)
    broker, port = start_broker(ctx, rundir) if synced else (None, None)
    wall = os.path.join(rundir, "wall.json")
    write_wall(wall, ctx.server, port, tour)
    nodes = [Node(ctx, rundir, n, wall) for n in NODES]
    try:
        docs = wait_ready(ctx, nodes, synced)
        time.sleep(2.0)  # past the start-up burst
        return body(nodes, broker, docs)
    finally:
        ctx.children.stop([n.child for n in nodes] + ([broker] if broker else []))


def load_window(ctx, nodes, broker, seconds, cmd_socks, unit_socks, say, alone=()):
    """drive() with a CPU window over the nodes (and broker, and the nodes
    of an alone wall running beside them, as "alone/pcN"); returns the
    window's CPU %, the senders' counts and each node's sync.applied."""
    pids = {n.name: n.child.pid for n in nodes}
    pids.update({"alone/" + n.name: n.child.pid for n in alone})
    if broker:
        pids["broker"] = broker.pid
    win = CpuWindow(pids)
    applied = {}

    def mark(what):
        win.mark(what)
        applied[what] = {n.name: ((n.read_stats() or {}).get("sync") or {}).get("applied")
                         for n in nodes}
    sent = drive(cmd_socks, unit_socks, seconds, mark)
    for n in list(nodes) + list(alone):
        if ctx.children.poll(n.child):
            raise media.BenchError("node %s stopped under load (%s)"
                                   % (n.name, n.child.describe_exit()))
    cpu = win.percent()
    say("CPU %% of a core over %.0f s: %s" % (seconds, ", ".join(
        "%s %.1f" % kv for kv in sorted(cpu.items()))))
    out = {"cpu_pct": cpu, "sent": sent, "window_s": round(win.t1 - win.t0, 2)}
    if all(v is not None for v in applied.get("end", {}).values()) and applied.get("start"):
        out["sync_applied_in_window"] = {k: applied["end"][k] - (applied["start"][k] or 0)
                                         for k in applied["end"]}
    return out


def split_pair(r):
    """A paired window's result as (the synced wall's, the alone wall's, the
    extra of each node: synced minus alone in that window)."""
    sync = dict(r, cpu_pct={k: v for k, v in r["cpu_pct"].items() if "/" not in k})
    alone = dict(r, cpu_pct={k.split("/", 1)[1]: v for k, v in r["cpu_pct"].items()
                             if k.startswith("alone/")})
    extra = {k: round(sync["cpu_pct"][k] - alone["cpu_pct"][k], 2)
             for k in NODES if k in sync["cpu_pct"] and k in alone["cpu_pct"]}
    return sync, alone, extra


def median_window(rounds):
    """One load_window() result from several: per process the median CPU %
    and the range, the lines sent summed, the last round's applied counts."""
    cpu, spread, sent = {}, {}, {}
    for k in rounds[0]["cpu_pct"]:
        v = sorted(r["cpu_pct"][k] for r in rounds if k in r["cpu_pct"])
        cpu[k] = v[len(v) // 2]
        spread[k] = [v[0], v[-1]]
    for r in rounds:
        for sock, c in r["sent"].items():
            t = sent.setdefault(sock, {"sent": 0, "ok": 0, "errors": 0, "last_error": None})
            for f in ("sent", "ok", "errors"):
                t[f] += c[f]
            t["last_error"] = c["last_error"] or t["last_error"]
    out = {"cpu_pct": cpu, "range_pct": spread, "sent": sent, "rounds": len(rounds),
           "window_s": rounds[0]["window_s"], "all": [r["cpu_pct"] for r in rounds]}
    if "sync_applied_in_window" in rounds[-1]:
        out["sync_applied_in_window"] = rounds[-1]["sync_applied_in_window"]
    return out


def run(ctx, seconds, say):
    """The whole --sync bench; returns the result dict."""
    res = {"name": "sync", "nodes": list(NODES), "feeds_per_node": FEEDS_PER_NODE,
           "clip": "%dx%d@%d" % (CLIP_SIZE + (ctx.fps,)), "output": "%dx%d" % OUT_SIZE,
           "seconds": seconds, "load_before": list(os.getloadavg()),
           "dir": os.path.relpath(os.path.join(ctx.rundir, "sync"), ctx.root)}
    n_switch = max(10, int(round(seconds / SWITCH_EVERY_S)))
    sock_of = {}

    def synced(nodes, broker, docs):
        say("1/3: %d layout switches on pc1's socket, one every %.1f s"
            % (n_switch, SWITCH_EVERY_S))
        c0 = procs.proc_run_s(broker.pid)
        t0 = time.monotonic()
        res["switch"] = measure_switches(nodes, n_switch, say)
        res["broker_cpu_pct_switching"] = round(
            100.0 * (procs.proc_run_s(broker.pid) - c0) / (time.monotonic() - t0), 2)
        res["render_fps"] = {n.name: ((n.read_stats() or {}).get("render") or {}).get("fps")
                             for n in nodes}
        say("3/3 (with sync): %d commands/s on pc1's socket, %d units/s on pc2's"
            % (CMD_RATE, UNITS * UNIT_HZ))
        sock_of.update({n.name: n.sock for n in nodes})
        session(ctx, "alone", False, False,
                lambda alone, _b, _d: paired(nodes, broker, alone))
        half = max(5.0, seconds / 2)
        say("3/3 (with sync): which costs the broker what: %g s of commands only, %g s "
            "of units only" % (half, half))
        res["cpu_sync_parts"] = {
            "commands": load_window(ctx, nodes, broker, half, [nodes[0].sock], [], say),
            "units": load_window(ctx, nodes, broker, half, [], [nodes[1].sock], say)}
        res["sync_stats_end"] = {n.name: _sync_summary(n.read_stats()) for n in nodes}

    def touring(nodes, broker, docs):
        say("2/3: wall tour a/b, dwell %d s, for %g s" % (TOUR_DWELL_S, seconds))
        since = time.time()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            check_nodes(ctx, nodes)
            time.sleep(0.5)
        spreads, missed = tour_spreads([switches(n.audit) for n in nodes], since)
        res["tour"] = {"dwell_s": TOUR_DWELL_S, "spread_ms": summary(spreads),
                       "steps_missed": missed,
                       "spreads": [round(x, 1) for x in spreads]}
        say("tour: %d steps, spread p95 %s ms, max %s ms, %d not on every node"
            % (len(spreads), res["tour"]["spread_ms"] and res["tour"]["spread_ms"]["p95_ms"],
               res["tour"]["spread_ms"] and res["tour"]["spread_ms"]["max_ms"], missed))

    def paired(nodes, broker, alone):
        say("3/3: beside them, the same wall alone (no sync), each of its nodes getting the "
            "%d commands/s and %d units/s itself; %d windows of %g s"
            % (CMD_RATE, UNITS * UNIT_HZ, ROUNDS, seconds))
        socks = [n.sock for n in alone]
        pairs = [split_pair(load_window(ctx, nodes, broker, seconds, [nodes[0].sock] + socks,
                                        [nodes[1].sock] + socks, say, alone))
                 for _ in range(ROUNDS)]
        res["cpu_sync"] = median_window([p[0] for p in pairs])
        res["cpu_alone"] = median_window([p[1] for p in pairs])
        res["extra_rounds"] = [p[2] for p in pairs]
        res["extra_cpu_pct"] = {k: sorted(e[k] for e in res["extra_rounds"])[ROUNDS // 2]
                                for k in NODES}

    session(ctx, "synced", True, False, synced)
    try:
        session(ctx, "tour", True, True, touring)
    except media.BenchError as e:  # measured what it could; go on with the rest
        res["tour"] = {"dwell_s": TOUR_DWELL_S, "failed": str(e)}
        say("tour FAILED: %s" % e)
    res["load_after"] = list(os.getloadavg())
    return res


def _sync_summary(d):
    s = (d or {}).get("sync") or {}
    return {k: v for k, v in s.items() if k not in ("nodes", "marker")}


# ---- the report ----

def _ms(s, key):
    return "-" if not s else "%.0f" % s[key]


def print_report(res, out):
    """The three measures, what each one is, and how approximate."""
    fi = 1000.0 / max(1, int(res["clip"].rsplit("@", 1)[1]))
    w = out.write
    w("\nSync: three nodes (%s) and a Mosquitto broker on this machine, %d feeds of %s "
      "per node, one %s output each.\nThe machine is shared (load average %s before, %s "
      "after): the numbers are indicative.\n"
      % (", ".join(res["nodes"]), res["feeds_per_node"], res["clip"], res["output"],
         " ".join("%.2f" % x for x in res["load_before"]),
         " ".join("%.2f" % x for x in res["load_after"])))
    w("\n1. Layout switch on pc1's socket -> node switched (audit \"switched\" record, "
      "ms), target p95 <= 100 ms\n")
    w("%-6s %4s %8s %8s %8s %8s %10s\n" % ("node", "n", "p50 ms", "p95 ms", "max ms",
                                           "missing", "render fps"))
    for node, r in res["switch"].items():
        s = r["switch_ms"]
        w("%-6s %4d %8s %8s %8s %8d %10s\n" % (node, s["n"] if s else 0, _ms(s, "p50_ms"),
                                               _ms(s, "p95_ms"), _ms(s, "max_ms"),
                                               r["missing"], res["render_fps"].get(node)))
    w("   pixels follow at the next frame drawn: add up to one frame interval "
      "(%.0f ms at the feeds' rate) to these.\n" % fi)
    t = res["tour"]
    s = t.get("spread_ms")
    if t.get("failed"):
        w("\n2. Wall tour (dwell %d s): FAILED: %s\n" % (t["dwell_s"], t["failed"]))
    else:
        w("\n2. Wall tour (dwell %d s): spread of the three nodes' step times: %d steps, "
          "p50 %s ms, p95 %s ms, max %s ms (one frame interval: %.0f ms); %d steps not "
          "seen on every node\n" % (t["dwell_s"], s["n"] if s else 0, _ms(s, "p50_ms"),
                                     _ms(s, "p95_ms"), _ms(s, "max_ms"), fi,
                                     t["steps_missed"]))
    cs, ca = res["cpu_sync"], res["cpu_alone"]
    w("\n3. CPU, %% of one core, median of %d windows of %.0f s (range in brackets) at %d "
      "commands/s (select, pc1's socket) and %d units/s (pc2's socket); target < 1 %% each\n"
      % (cs.get("rounds", 1), cs["window_s"], CMD_RATE, UNITS * UNIT_HZ))
    w("%-8s %18s %18s %18s %8s\n" % ("", "with sync", "alone", "extra (sync)",
                                      "applied"))

    def cell(r, k):
        if k not in r["cpu_pct"]:
            return "-"
        lo, hi = r.get("range_pct", {}).get(k, [None, None])
        return "%.2f" % r["cpu_pct"][k] + (" [%.1f-%.1f]" % (lo, hi) if lo is not None else "")
    def extra(k):
        v = sorted(e[k] for e in res.get("extra_rounds", []) if k in e)
        x = res["extra_cpu_pct"].get(k)
        return "-" if x is None else "%.2f" % x + (" [%.1f-%.1f]" % (v[0], v[-1]) if v else "")
    for node in res["nodes"]:
        w("%-8s %18s %18s %18s %8s\n" % (
            node, cell(cs, node), cell(ca, node), extra(node),
            (cs.get("sync_applied_in_window") or {}).get(node, "-")))
    w("%-8s %18s %18s %18s\n" % ("broker", cell(cs, "broker"), "-", "-"))
    msgs = {k: (v or {}).get("messages") for k, v in res.get("sync_stats_end", {}).items()}
    if msgs.get("pc1"):
        w("   pc1 sent %d commands in %d messages over the whole run (several to a message "
          "when they come faster than one per 50 ms)\n"
          % (res["sync_stats_end"]["pc1"].get("sent", 0), msgs["pc1"]))
    parts = res["cpu_sync_parts"]
    w("   broker with the commands alone: %.1f %%, the units alone: %.1f %%, "
      "switching twice a second (step 1): %.2f %%\n"
      % (parts["commands"]["cpu_pct"].get("broker", float("nan")),
         parts["units"]["cpu_pct"].get("broker", float("nan")),
         res["broker_cpu_pct_switching"]))
    errs = {"%s (%s)" % (k, label): v
            for label, r in (("with sync", cs), ("alone", ca), ("commands only",
                             parts["commands"]), ("units only", parts["units"]))
            for k, v in r["sent"].items() if v["errors"]}
    for k, v in errs.items():
        w("   (!) %s refused %d of %d lines: %s\n" % (k, v["errors"], v["sent"],
                                                     v["last_error"]))
    w(NOTES)
    w("  logs, wall files, audit logs, stats: %s\n" % res["dir"])


NOTES = """
How measured:
  1.  The bench takes the wall clock just before it writes {"type":"layout"} on pc1's
      socket; each node's audit log records the wall-clock ms at which that node
      switched (after the command came back from the broker, pc1 included). All
      nodes share this machine's clock. The frame that shows it is drawn after that,
      within one frame interval; no node reports that frame's own time for a layout.
  2.  Each node's "switched" records while the leader (pc1) steps the tour; a step's
      spread is the latest node's time minus the earliest's. Audit times are in ms.
  3.  Run time of each process's threads from the scheduler (/proc/PID/task/*/
      schedstat, ns) over each window, after 2 s of warm-up; three windows, the
      median shown. "alone": the same wall file without "sync", run at the same
      time beside the synced wall, each of its nodes (--node pcN) sent every
      command and unit on its own socket, so that it applies the same work;
      "extra" = with sync - alone, per node and window (both walls see the same
      moment of the machine), the median of the three. Each node also decodes and
      draws its feeds (about 10 % of a core), so a few tenths either way are
      noise; a negative extra means "too small to see". Rerun to see the spread.
      "applied" = sync.applied in the node's stats across the window (the stats file
      is rewritten once a second).
"""
