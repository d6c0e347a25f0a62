#!/usr/bin/env bash
# test_substream.sh - integration.substream: a small tile shows the camera's
# substream; enlarged, it switches to the main stream without a black gap
# (the substream stays on screen until the main stream has a picture), and
# back again when restored.  The two streams have different colours so the
# snapshots tell which one is on screen.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/main.h264" --color 0xD02020 --size 1280x720 --seconds 4
gen_clip "$TEST_TMPDIR/sub.h264" --color 0x20C040 --size 320x180 --seconds 4
gen_clip "$TEST_TMPDIR/other.h264" --color 0x2040D0 --seconds 4
port=""
start_rtsp_server port --mount "/main=$TEST_TMPDIR/main.h264" --mount "/sub=$TEST_TMPDIR/sub.h264" \
    --mount "/other=$TEST_TMPDIR/other.h264"

layout="$TEST_TMPDIR/sub.json"
cat >"$layout" <<JSON
{"feeds": {"cam": {"url": "rtsp://127.0.0.1:$port/main", "substream": "rtsp://127.0.0.1:$port/sub",
                   "label": "Cam"},
           "other": {"url": "rtsp://127.0.0.1:$port/other", "label": "Other"}},
 "outputs": [{"name": "main", "size": [1280, 720], "grid": [4, 4], "tiles": [
   {"feed": "cam", "cell": [0, 0]}, {"feed": "other", "cell": [1, 0]}]}]}
JSON
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 120 --headless --control "unix:$sock" --snapshot-dir "$TEST_TMPDIR" --stats "$stats" --duration 40 \
    "$layout"
wall_pid=$TESSERA_PID

q() { stats_q "$stats" "$1"; }
send() { control_send "$sock" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
# colour_of PNG X Y W H: prints main, sub, or what else the rectangle shows
colour_of() {
    local r g b
    read -r r g b < <(png_avg "$1" "$2" "$3" "$4" "$5")
    if ((r > 150 && g < 80 && b < 80)); then echo main
    elif ((g > 150 && r < 80 && b < 110)); then echo sub
    else echo "other($r,$g,$b)"; fi
}

wait_until 'feed("cam")["state"] == "live" and feed("cam")["stream"] == "sub"' 20
[[ $(q 'feed("cam")["width"]') == 320 ]] || fail "small tile decodes $(q 'feed("cam")["width"]') wide, want the 320 px substream"
note "small tile: substream (320x180)"

# Enlarge: snapshots every 100 ms until the main stream shows; each must show
# one stream or the other, never an empty tile.
send '{"type":"maximize","tile":0}' >/dev/null
seen_main=0
for i in $(seq 60); do
    png="$TEST_TMPDIR/switch-$i.png"
    send "{\"type\":\"snapshot\",\"name\":\"switch-$i.png\"}" >/dev/null
    for _ in $(seq 30); do [[ -s $png ]] && break; sleep 0.05; done
    c=$(colour_of "$png" 500 250 280 140)
    [[ $c == main || $c == sub ]] || fail "snapshot $i during the switch shows $c (a gap)"
    [[ $c == main ]] && { seen_main=1; break; }
done
((seen_main)) || fail "the enlarged tile never showed the main stream"
wait_until 'feed("cam")["stream"] == "main" and feed("cam")["width"] == 1280' 5
(($(q 'feed("cam")["reconnects"]') == 0)) || fail "the switch counted as a reconnect"
note "enlarged: main stream after $i snapshots, no gap"

send '{"type":"maximize"}' >/dev/null
wait_until 'feed("cam")["stream"] == "sub" and feed("cam")["width"] == 320' 15
note "restored: back on the substream"
note "ok"
