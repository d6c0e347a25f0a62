#!/usr/bin/env bash
# test_max_gap.sh - integration.max_gap: render.max_gap_ms, the longest time
# between two wall frames while a frame was due (issue 13), across what used
# to stall the render thread: a wall-tour step that switches 16 RTSP feeds,
# a reload, a snapshot of 4 outputs, and a map panel with 221 basemap tiles
# (made with ffmpeg here) redrawn.  It PRINTS the figures of each phase and
# checks behaviour only: the fields exist and are numbers, and the wall kept
# drawing (frames advanced through every phase).  Timings are the
# benchmark's business (tools/bench), never pass/fail here.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/a.h264" --color 0xD02020 --size 320x180 --seconds 4
gen_clip "$TEST_TMPDIR/b.h264" --color 0x20C040 --size 320x180 --seconds 4
mounts=()
for i in $(seq 0 31); do
    mounts+=(--mount "/c$i=$TEST_TMPDIR/$([[ $((i % 2)) == 0 ]] && echo a || echo b).h264")
done
port=""
start_rtsp_server port "${mounts[@]}"

# Basemap: zoom 5, x 0..19, y 0..15 (one ffmpeg run makes every PNG); the
# 4096x3200 map output touches 17 x 13 = 221 of them.
zoom=5
mkdir -p "$TEST_TMPDIR/tiles"
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "testsrc2=s=256x256:r=1" \
    -frames:v 320 "$TEST_TMPDIR/tiles/t%03d.png" || fail "ffmpeg could not make the tiles"
i=1
for x in $(seq 0 19); do
    mkdir -p "$TEST_TMPDIR/tiles/$zoom/$x"
    for y in $(seq 0 15); do
        mv "$TEST_TMPDIR/tiles/$(printf 't%03d.png' "$i")" "$TEST_TMPDIR/tiles/$zoom/$x/$y.png"
        i=$((i + 1))
    done
done
read -r lat lon < <(python3 -c '
import math
n = 256 * 2 ** 5
print(math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * 1664 / n)))), 2176 / n * 360 - 180)')

# Two layouts of the same 4 outputs; the wall tour swaps the grid's 16 feeds.
layout="$TEST_TMPDIR/wall.json"
python3 - "$layout" "$port" "$lat" "$lon" "$zoom" <<'PY'
import json, sys
path, port, lat, lon, zoom = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
feeds = {"f%d" % i: {"url": "rtsp://127.0.0.1:%s/c%d" % (port, i), "label": "F%d" % i}
         for i in range(32)}
def view(first):
    grid = [{"feed": "f%d" % (first + k), "cell": [k % 4, k // 4]} for k in range(16)]
    return {"outputs": [
        {"name": "grid", "size": [1280, 720], "grid": [4, 4], "tiles": grid},
        {"name": "map", "size": [4096, 3200], "grid": [1, 1], "tiles": [
            {"panel": "map", "cell": [0, 0], "center": [lat, lon], "zoom": zoom}]},
        {"name": "list", "size": [640, 360], "grid": [1, 1], "tiles": [
            {"panel": "incidents", "cell": [0, 0]}]},
        {"name": "small", "size": [640, 360], "grid": [1, 1], "tiles": [
            {"panel": "map", "cell": [0, 0], "center": [lat, lon], "zoom": zoom}]}]}
doc = {"basemap": "tiles", "feeds": feeds,
       "layouts": {"one": view(0), "two": view(16)},
       "tour": {"layouts": ["one", "two"], "dwell": 6}}
json.dump(doc, open(path, "w"), indent=1)
PY

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 280 --headless --control "unix:$sock" --stats "$stats" \
    --snapshot-dir "$TEST_TMPDIR/snaps" --duration 240 "$layout"
wall_pid=$TESSERA_PID
q() { stats_q "$stats" "$1"; }
wait_stats "$stats" 'sum(f["state"] == "live" for f in d["feeds"]) == 16' 60 "$wall_pid" wall
num='(int, float)'
wait_stats "$stats" "isinstance(d['render']['max_gap_ms'], $num) and isinstance(d['render']['max_gap_ms_total'], $num)" 5 "$wall_pid" wall

# phase NAME SECONDS: watches the --stats document for SECONDS and prints
# the largest render.max_gap_ms seen and the frames drawn meanwhile; fails
# unless frames advanced.
phase() {
    local out
    out=$(python3 - "$stats" "$2" <<'PY'
import json, sys, time
path, secs = sys.argv[1], float(sys.argv[2])
def read():
    try:
        return json.load(open(path))["render"]
    except Exception:
        return None
r0 = None
while r0 is None:
    r0 = read()
    time.sleep(0.05)
worst, end, r = r0["max_gap_ms"], time.time() + secs, r0
while time.time() < end:
    time.sleep(0.25)
    r = read() or r
    worst = max(worst, r["max_gap_ms"])
print(worst, r["frames"] - r0["frames"], r["max_gap_ms_total"])
PY
)
    read -r gap frames total <<<"$out"
    echo "max_gap: $1: max_gap_ms $gap (since start $total), $frames wall frames" >&2
    ((frames > 0)) || { show_tessera_output wall; fail "$1: the wall drew no frame"; }
}

phase "steady, 16 feeds" 3
# the tour steps at 6 s and 12 s after start-up: watch one step each way
steps() { grep -c 'showing layout' "$TEST_TMPDIR/wall.err" || true; }
steps_before=$(steps)
phase "tour step (16 feeds switched)" 7
(($(steps) > steps_before)) || fail "the tour did not step within 7 s"
wait_stats "$stats" 'sum(f["state"] == "live" for f in d["feeds"]) == 16' 60 "$wall_pid" wall

control_send "$sock" '{"type":"reload"}' >/dev/null &
sender=$!
phase "reload" 3
wait "$sender"

reply=$(control_send "$sock" '{"type":"snapshot","name":"gap.png"}')
[[ $reply == *'"ok":true'* ]] || fail "snapshot: $reply"
phase "snapshot of 4 outputs" 4
for o in grid map list small; do
    for _ in $(seq 100); do [[ -s $TEST_TMPDIR/snaps/gap-$o.png ]] && break; sleep 0.1; done
    [[ -s $TEST_TMPDIR/snaps/gap-$o.png ]] || fail "no snapshot of output $o"
done

for i in 1 2 3 4 5; do
    control_send "$sock" "{\"type\":\"incident\",\"op\":\"upsert\",\"id\":\"g$i\",\"kind\":\"TEST\",\"lat\":$lat,\"lon\":$lon}" >/dev/null
    sleep 0.3
done &
sender=$!
phase "map panels redrawn (221 + 12 tiles)" 3
wait "$sender"

total=$(q 'd["render"]["max_gap_ms_total"]')
echo "max_gap: whole run: max_gap_ms_total $total" >&2
kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
note "max_gap: fields present, the wall kept drawing through every phase"
