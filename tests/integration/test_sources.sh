#!/usr/bin/env bash
# test_sources.sh - integration.sources: the non-RTSP live sources the README
# lists, each fed by a real ffmpeg sender on 127.0.0.1 and shown on one wall:
#   http   MPEG-TS over HTTP (ffmpeg -listen 1 serving the stream)
#   srt    MPEG-TS over SRT (the sender listens, the wall calls)
#   udp    MPEG-TS over UDP (the sender sends, the wall listens)
#   mjpeg  MJPEG over HTTP (multipart/x-mixed-replace, -f mpjpeg)
# Each must be live with its frames advancing, and each tile must show its
# clip's colour in a snapshot.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3
need_cmd ffmpeg
ffmpeg -hide_banner -protocols 2>/dev/null | grep -qx ' *srt' || skip "ffmpeg has no SRT support"

free_udp_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

declare -A colour=([http]=0x2040D0 [srt]=0xD02020 [udp]=0x20C040 [mjpeg]=0xE0C020)
for s in http srt udp mjpeg; do
    gen_clip "$TEST_TMPDIR/$s.ts" --color "${colour[$s]}" --seconds 4
done
p_http=$(free_port) p_srt=$(free_udp_port) p_udp=$(free_udp_port) p_mjpeg=$(free_port)

# send NAME ARGS...: runs an ffmpeg sender looping $NAME.ts in real time.
send() {
    local name=$1
    shift
    ffmpeg -hide_banner -loglevel error -nostdin -re -stream_loop -1 \
        -i "$TEST_TMPDIR/$name.ts" "$@" >"$TEST_TMPDIR/send-$name.log" 2>&1 &
    _lib_pids+=($!)
}
send http -c copy -f mpegts -listen 1 "http://127.0.0.1:$p_http/live.ts"
send srt -c copy -f mpegts "srt://127.0.0.1:$p_srt?mode=listener"
send udp -c copy -f mpegts "udp://127.0.0.1:$p_udp?pkt_size=1316"
send mjpeg -an -c:v mjpeg -q:v 4 -f mpjpeg -listen 1 "http://127.0.0.1:$p_mjpeg/cam.mjpg"

layout="$TEST_TMPDIR/sources.json"
cat >"$layout" <<JSON
{"feeds": {
  "http": {"url": "http://127.0.0.1:$p_http/live.ts"},
  "srt": {"url": "srt://127.0.0.1:$p_srt?mode=caller"},
  "udp": {"url": "udp://127.0.0.1:$p_udp"},
  "mjpeg": {"url": "http://127.0.0.1:$p_mjpeg/cam.mjpg"}},
 "outputs": [{"name": "main", "size": [1280, 360], "grid": [4, 1], "tiles": [
  {"feed": "http", "cell": [0, 0]}, {"feed": "srt", "cell": [1, 0]},
  {"feed": "udp", "cell": [2, 0]}, {"feed": "mjpeg", "cell": [3, 0]}]}]}
JSON

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 120 --headless --control "unix:$sock" --stats "$stats" --duration 90 \
    "$layout"
wall_pid=$TESSERA_PID
q() { stats_q "$stats" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }

wait_until 'all(f["state"] == "live" and f["frames_displayed"] > 15 for f in d["feeds"])' 30
# Frames keep coming: each feed shows 20 more within 10 s (30 fps sources; a
# generous deadline for a loaded machine).
for s in http srt udp mjpeg; do
    n=$(q "feed('$s')['frames_displayed']")
    wait_until "feed('$s')['state'] == 'live' and feed('$s')['frames_displayed'] >= $n + 20" 10
    note "$s: live, codec $(q "feed('$s')['codec']"), $(q "feed('$s')['width']")x$(q "feed('$s')['height']")"
done

png="$TEST_TMPDIR/sources.png"
control_send "$sock" "{\"type\":\"snapshot\",\"path\":\"$png\"}" >/dev/null
for _ in $(seq 50); do [[ -s $png ]] && break; sleep 0.1; done
i=0
for s in http srt udp mjpeg; do
    expect_tile_colour "$s tile" "$png" $((i * 320)) 0 320 360 "${colour[$s]}" 30
    i=$((i + 1))
done
note "ok"
