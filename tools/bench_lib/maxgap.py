"""--max-gap N: issue 13's render.max_gap_ms scenario, run N times with the
bench's build.  The scenario is tests/integration/test_max_gap.sh's (one
script, so the test and the benchmark cannot drift apart): 16 live RTSP
feeds on a 1280x720 grid, a 4096x3200 map panel over 221 basemap tiles, an
incident list and a 640x360 map; a wall tour step that switches the 16
feeds, a reload, a snapshot of the 4 outputs, and map panels redrawn by
incident updates.  The script prints, per phase, the largest
render.max_gap_ms (the longest wait for a due frame over the last second)
seen while the phase ran; this module collects those figures and reports
them per phase (median and max over the runs).  It asserts nothing.
"""
import os
import re
import statistics
import time

SCRIPT = os.path.join("tests", "integration", "test_max_gap.sh")
LINE = re.compile(r"^max_gap: (.+?): max_gap_ms ([0-9.]+) \(since start ([0-9.]+)\), "
                  r"(\d+) wall frames$")
TOTAL = re.compile(r"^max_gap: whole run: max_gap_ms_total ([0-9.]+)$")


def _one(ctx, k, say):
    """Runs the script once; returns {"phases": {name: ms}, "total": ms,
    "frames": {name: n}} or {"failed": why}."""
    tmp = os.path.join(ctx.rundir, "max-gap-%d" % k)
    os.makedirs(tmp, exist_ok=True)
    tools = os.path.join(os.path.dirname(ctx.tessera), "tests", "tools")
    env = dict(os.environ, TESSERA=ctx.tessera, TEST_TMPDIR=tmp,
               TESSERA_TEST_RTSP=os.path.join(tools, "tessera-test-rtsp"),
               TESSERA_PNG_PROBE=os.path.join(tools, "tessera-png-probe"),
               TESSERA_SOURCE_DIR=ctx.root,
               TESSERA_GEN_CLIP=os.path.join(ctx.root, "tests", "tools", "gen-clip"))
    env.pop("DISPLAY", None)
    log = os.path.join(tmp, "script.log")
    c = ctx.children.spawn("max-gap", ["bash", SCRIPT], log, env=env, cwd=ctx.root)
    ctx.children.wait([c], time.monotonic() + 400)
    if c.alive:
        ctx.children.kill_all()
    res = {"phases": {}, "frames": {}, "log": os.path.relpath(log, ctx.root)}
    with open(log, errors="replace") as f:
        for line in f:
            m = LINE.match(line.strip())
            if m:
                res["phases"][m.group(1)] = float(m.group(2))
                res["frames"][m.group(1)] = int(m.group(4))
            m = TOTAL.match(line.strip())
            if m:
                res["total"] = float(m.group(1))
    if c.exit_code != 0 or "total" not in res:
        res["failed"] = "the scenario failed (%s); see %s" % (c.describe_exit(), res["log"])
    say("max-gap run %d: %s" % (k + 1, res.get("failed") or ", ".join(
        "%s %.0f ms" % (p, v) for p, v in res["phases"].items())))
    return res


def run(ctx, n, say):
    """Runs the scenario n times; returns the runs and a per-phase summary."""
    runs = [_one(ctx, k, say) for k in range(n)]
    ok = [r for r in runs if "failed" not in r]
    summary = {}
    for r in ok:
        for phase, v in r["phases"].items():
            summary.setdefault(phase, []).append(v)
    return {"runs": runs, "ok": len(ok),
            "phases": {p: {"median": statistics.median(v), "max": max(v), "n": len(v)}
                       for p, v in summary.items()},
            "start_up": [r["total"] for r in ok]}


def print_report(res, out, fps):
    out.write("\nrender.max_gap_ms, issue 13's scenario (%s), %d run(s) of %d succeeded; "
              "target <= 2 frame intervals (%.0f ms at %d fps)\n"
              % (SCRIPT, res["ok"], len(res["runs"]), 2000.0 / fps, fps))
    out.write("%-40s %9s %9s\n" % ("phase", "median ms", "max ms"))
    for phase, s in res["phases"].items():
        out.write("%-40s %9.1f %9.1f\n" % (phase, s["median"], s["max"]))
    if res["start_up"]:
        out.write("since start (start-up included: the first frames fault in the outputs' "
                  "and the map layer's memory): %s ms\n"
                  % ", ".join("%.0f" % v for v in res["start_up"]))
    for r in res["runs"]:
        if "failed" in r:
            out.write("failed: %s\n" % r["failed"])
