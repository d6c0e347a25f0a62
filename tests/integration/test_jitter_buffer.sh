#!/usr/bin/env bash
# test_jitter_buffer.sh - integration.jitter_buffer (issue 17): two RTSP
# cameras whose server delivers frames in pairs (tessera-test-rtsp
# --burst-ms: every other frame held back one frame interval, as a server
# catching up does).  With --latency smooth (the default) the jitter buffer
# measures the jitter, holds frames a little, and shows (almost) every
# decoded frame; with --latency low (newest wins) the frame a pair brings
# first is usually replaced before it is drawn.  Figures come from --stats
# over a window after start-up and are counts, not timings; the low run's
# share is printed for comparison, not asserted (it depends on scheduling).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/a.h264" --pattern --size 320x180 --fps 30 --seconds 4
port=""
start_rtsp_server port --burst-ms 66.667 \
    --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/a.h264"
layout="$TEST_TMPDIR/wall.json"
cat >"$layout" <<JSON
{"feeds": {"a": {"url": "rtsp://127.0.0.1:$port/a"},
           "b": {"url": "rtsp://127.0.0.1:$port/b"}},
 "layouts": {"main": {"outputs": [{"name": "o", "size": [640, 360], "grid": [2, 1],
   "tiles": [{"feed": "a", "cell": [0, 0]}, {"feed": "b", "cell": [1, 0]}]}]}}}
JSON

# warm NAME STATS: waits for both feeds of run NAME to show 30 frames.
warm() {
    wait_stats "$2" 'len(d["feeds"]) == 2 and all(f["frames_displayed"] >= 30 for f in d["feeds"])' \
        30 "$TESSERA_PID" "$1"
}

# window STATS: prints the shown share of the frames decoded over the next
# 4 s (both feeds), how many were decoded, the smallest jitter_ms and the
# largest buffer_ms at its end, and render.latency.
window() {
    python3 - "$1" <<'PY'
import json, sys, time
def read():
    while True:
        try:
            return json.load(open(sys.argv[1]))
        except Exception:
            time.sleep(0.05)
def tot(d, k):
    return sum(f[k] for f in d["feeds"])
d0 = read()
time.sleep(4)
d1 = read()
dec = tot(d1, "frames_decoded") - tot(d0, "frames_decoded")
shown = tot(d1, "frames_displayed") - tot(d0, "frames_displayed")
print("%.3f %d %s %s %s" % (shown / max(dec, 1), dec,
      min(f["jitter_ms"] for f in d1["feeds"]), max(f["buffer_ms"] for f in d1["feeds"]),
      d1["render"]["latency"]))
PY
}

stats="$TEST_TMPDIR/smooth.json"
start_tessera smooth 60 --headless --no-control --stats "$stats" "$layout"
warm smooth "$stats"
read -r share decoded jitter buffer mode < <(window "$stats")
note "smooth: $share of $decoded frames shown, jitter_ms $jitter, buffer_ms $buffer ($mode)"
stop_pid "$TESSERA_PID"
[[ $mode == smooth ]] || fail "the default latency mode is '$mode', want smooth"
((decoded > 100)) || fail "only $decoded frames decoded in 4 s"
frac_gt "$jitter" 10 || fail "jitter_ms $jitter: the pairs were not measured as jitter"
frac_gt "$buffer" 10 || fail "buffer_ms $buffer: the jitter buffer held no frame"
frac_gt 67 "$buffer" || fail "buffer_ms $buffer: more than two frame intervals"
frac_gt "$share" 0.9 || {
    show_tessera_output smooth
    fail "smooth: only $share of the decoded frames were shown"
}

stats="$TEST_TMPDIR/low.json"
start_tessera low 60 --headless --no-control --latency low --stats "$stats" "$layout"
warm low "$stats"
read -r share decoded jitter buffer mode < <(window "$stats")
note "low: $share of $decoded frames shown, jitter_ms $jitter, buffer_ms $buffer ($mode)"
[[ $mode == low ]] || fail "--latency low reports latency '$mode'"
[[ $buffer == 0 ]] || fail "--latency low: buffer_ms $buffer, want 0"
frac_gt "$jitter" 10 || fail "low: jitter_ms $jitter: jitter is measured in both modes"
stop_pid "$TESSERA_PID"

# Drawing slower than the frames' spacing (16 steady feeds, each of its own
# server pipeline so their frames fall due at different moments, on a
# 3840x2160 output in software GL): the loop must still serve its timers
# (the stats file keeps being rewritten) rather than spin on frames that are
# always due.
mounts=()
for i in $(seq 0 15); do mounts+=(--mount "/c$i=$TEST_TMPDIR/a.h264"); done
start_rtsp_server port "${mounts[@]}"
python3 - "$TEST_TMPDIR/big.json" "$port" <<'PY'
import json, sys
feeds = {"f%d" % i: {"url": "rtsp://127.0.0.1:%s/c%d" % (sys.argv[2], i)} for i in range(16)}
tiles = [{"feed": "f%d" % i, "cell": [i % 4, i // 4]} for i in range(16)]
json.dump({"feeds": feeds, "layouts": {"main": {"outputs": [
    {"name": "o", "size": [3840, 2160], "grid": [4, 4], "tiles": tiles}]}}},
    open(sys.argv[1], "w"))
PY
stats="$TEST_TMPDIR/big-stats.json"
start_tessera big 60 --headless --no-control --stats "$stats" "$TEST_TMPDIR/big.json"
wait_stats "$stats" 'd["uptime_s"] >= 4 and all(f["frames_displayed"] > 0 for f in d["feeds"])' \
    30 "$TESSERA_PID" big
note "jitter_buffer: bursty feeds show their frames with --latency smooth; slow drawing starves nothing"
