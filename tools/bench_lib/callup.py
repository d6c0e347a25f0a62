"""callup - the call-up timing mode of tools/bench (--callup N): how long
from an incident line written on Tessera's control socket to pictures in
every call-up slot, for cameras already connected elsewhere on the wall and
for registry cameras not yet connected (started on demand), while 16 other
feeds play.

Tessera notes, per call-up, the wall-clock instant at which every slot the
call-up holds first showed a picture (stats: callups[].pictures_wall_ms, set
after the present that put them on screen); the bench takes the wall clock
just before it writes the incident line.  Both clocks are this machine's, so
the --stats file's one-second period does not blur the figure.  Between
incidents the bench closes the incident and waits until the slots are free
(and the on-demand feeds gone from the stats) before the next."""
import json
import os
import socket
import time

from . import media

SLOTS = 2
POINT_CONNECTED = (32.3000, -90.1800)   # two layout feeds' cameras see it
POINT_ON_DEMAND = (32.3450, -90.1800)   # two registry-only cameras see it (5 km north)
WAIT_S = 20.0


def _feature(cam_id, url, lat, lon):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": cam_id, "url": url, "ptz": True, "range_m": 150}}


def write_files(rundir, server, n_wall, out_size):
    """Layout (n_wall feeds from registry cameras r0.., SLOTS call-up slots)
    and registry (plus SLOTS cameras that are no feed of the layout)."""
    feats = []
    for k in range(n_wall + SLOTS):
        if k < SLOTS:  # beside POINT_CONNECTED, on the wall
            lat, lon = POINT_CONNECTED[0] + 0.0003 * (k + 1), POINT_CONNECTED[1]
        elif k >= n_wall:  # beside POINT_ON_DEMAND, on no tile
            lat, lon = POINT_ON_DEMAND[0] + 0.0003 * (k - n_wall + 1), POINT_ON_DEMAND[1]
        else:  # far from both points
            lat, lon = 32.0 - 0.1 * k, -90.5
        feats.append(_feature("r%d" % k, server.url(k), lat, lon))
    with open(os.path.join(rundir, "cameras.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f, indent=1)
    cols, rows = media.grid(n_wall + SLOTS)
    cells = media.cells(n_wall + SLOTS)
    tiles = [{"feed": "cam%d" % k, "cell": list(cells[k])} for k in range(n_wall)]
    tiles += [{"callup": s + 1, "cell": list(cells[n_wall + s])} for s in range(SLOTS)]
    doc = {"registry": "cameras.geojson",
           "feeds": {"cam%d" % k: {"camera": "r%d" % k} for k in range(n_wall)},
           "outputs": [{"name": "main", "size": list(out_size), "grid": [cols, rows],
                        "tiles": tiles}],
           "callup": {"up_to_priority": 3, "max_cameras": SLOTS, "radius_m": 250}}
    path = os.path.join(rundir, "layout.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def _send(sock_path, obj):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.settimeout(5)
        s.connect(sock_path)
        s.sendall(json.dumps(obj).encode() + b"\n")
        return json.loads(s.makefile().readline() or "{}")
    finally:
        s.close()


def _stats(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _wait(path, pred, seconds, alive):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        d = _stats(path)
        if d is not None and pred(d):
            return d
        if not alive():
            raise media.BenchError("tessera stopped during the call-up bench")
        time.sleep(0.05)
    raise media.BenchError("not true within %g s (stats %s)" % (seconds, path))


def _one(sock, stats, name, point, alive):
    """Sends incident name at point; returns its ms to pictures in every slot."""
    msg = {"type": "incident", "id": name, "kind": "BENCH", "priority": 1,
           "lat": point[0], "lon": point[1]}
    t0 = time.time()
    reply = _send(sock, msg)
    if not reply.get("ok"):
        raise media.BenchError("incident refused: %s" % reply)

    def shown(d):
        c = [c for c in d.get("callups", []) if c["incident"] == name]
        return bool(c) and c[0].get("pictures_wall_ms") is not None
    d = _wait(stats, shown, WAIT_S, alive)
    c = [c for c in d["callups"] if c["incident"] == name][0]
    if c["slots"] != SLOTS:
        raise media.BenchError("incident %s got %d slots, want %d" % (name, c["slots"], SLOTS))
    ms = c["pictures_wall_ms"] - t0 * 1000.0
    _send(sock, {"type": "incident", "op": "close", "id": name})
    n_feeds = len(d["feeds"]) - (SLOTS if point == POINT_ON_DEMAND else 0)
    _wait(stats, lambda d: not d.get("callups") and len(d["feeds"]) == n_feeds, WAIT_S, alive)
    return ms, c["cameras"]


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def run(ctx, n_wall, incidents, out_size, say):
    """Starts Tessera on the call-up layout and times `incidents` call-ups of
    each kind, alternating; returns the result dict."""
    rundir = os.path.join(ctx.rundir, "callup")
    os.makedirs(rundir, exist_ok=True)
    layout = write_files(rundir, ctx.server, n_wall, out_size)
    stats, sock = os.path.join(rundir, "stats.json"), os.path.join(rundir, "control.sock")
    env = dict(os.environ)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DISPLAY", None)
    argv = [ctx.tessera, "--headless", "--control", "unix:" + sock, "--stats", stats, layout]
    t = ctx.children.spawn("tessera", argv, os.path.join(rundir, "tessera.log"), env=env)
    res = {"name": "callup", "feeds": n_wall, "slots": SLOTS, "incidents": incidents,
           "output": "%dx%d" % out_size, "load_before": list(os.getloadavg()),
           "dir": os.path.relpath(rundir, ctx.root)}
    try:
        alive = lambda: not ctx.children.poll(t)  # noqa: E731
        _wait(stats, lambda d: len(d["feeds"]) == n_wall and
              all(f["frames_displayed"] > 0 for f in d["feeds"]), 60, alive)
        time.sleep(2)  # past the start-up burst
        times = {"connected": [], "on_demand": []}
        for i in range(incidents):
            for kind, point in (("connected", POINT_CONNECTED), ("on_demand", POINT_ON_DEMAND)):
                ms, cams = _one(sock, stats, "B-%s-%d" % (kind, i), point, alive)
                times[kind].append(ms)
                say("call-up %-9s %2d: %6.0f ms (%s)" % (kind, i + 1, ms, ",".join(cams)))
                time.sleep(1.0)
        d = _stats(stats) or {}
        res["render_max_gap_ms_total"] = d.get("render", {}).get("max_gap_ms_total")
        for kind, v in times.items():
            res[kind] = {"ms": [round(x) for x in v], "p50_ms": round(percentile(v, 50)),
                         "p95_ms": round(percentile(v, 95)), "max_ms": round(max(v))}
    finally:
        ctx.children.stop([t])
        res["load_after"] = list(os.getloadavg())
    return res


def print_report(res, out):
    out.write("\nCall-up: incident line on the control socket -> pictures in all %d "
              "slots, %d other live feeds, output %s\n" % (res["slots"], res["feeds"],
                                                          res["output"]))
    out.write("%-12s %4s %8s %8s %8s\n" % ("cameras", "n", "p50 ms", "p95 ms", "max ms"))
    for kind in ("connected", "on_demand"):
        r = res[kind]
        out.write("%-12s %4d %8d %8d %8d\n" % (kind.replace("_", " "), len(r["ms"]),
                                                r["p50_ms"], r["p95_ms"], r["max_ms"]))
    out.write("render max_gap_ms over the whole run: %s\n" % res["render_max_gap_ms_total"])
    out.write("load average before %s, after %s\n"
              % (" ".join("%.2f" % x for x in res["load_before"]),
                 " ".join("%.2f" % x for x in res["load_after"])))
