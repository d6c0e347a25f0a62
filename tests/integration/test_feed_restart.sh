#!/usr/bin/env bash
# test_feed_restart.sh - integration.feed_restart: an error that used to end a
# feed for good (a camera that, while it reboots, serves an SDP without video)
# is retried on a long backoff: the feed says error, the stats give the reason
# and the next retry, and the tile says "ERROR · reason · retry in m:ss".  The
# camera comes back with video; no retry is due for half a minute, but a
# "restart" request over the control socket brings the feed up at once,
# without restarting the wall.  A restart of an unknown feed is refused and
# the socket stays usable.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/cam.h264" --color 0x2040D0 --seconds 4
port=""
start_rtsp_server port --audio-mount /cam
audio_pid=$RTSP_SERVER_PID

layout="$TEST_TMPDIR/restart.json"
cat >"$layout" <<JSON
{"feeds": {"cam": {"url": "rtsp://127.0.0.1:$port/cam", "label": "Gate"}},
 "outputs": [{"name": "main", "size": [640, 360], "grid": [1, 1], "tiles": [
  {"feed": "cam", "cell": [0, 0]}]}]}
JSON

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 240 --headless --control "unix:$sock" --stats "$stats" --duration 200 \
    "$layout"
wall_pid=$TESSERA_PID
q() { stats_q "$stats" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }

# No video: error, with the reason, the next retry and the countdown banner.
wait_until 'feed("cam")["state"] == "error"' 20
[[ $(q 'feed("cam")["detail"]') == "no video stream" ]] ||
    fail "detail: '$(q 'feed("cam")["detail"]')', want 'no video stream'"
wait_until '15 <= (feed("cam")["retry_in_s"] or 0) <= 30' 5
wait_until 'bool(__import__("re").fullmatch(r"ERROR · no video stream · retry in 0:[0-3][0-9]", feed("cam")["status_text"]))' 5
note "error shown as: $(q 'feed("cam")["status_text"]')"

# The camera comes back (same port), with video.  The next retry is still far
# off: the feed stays in error until restarted.
stop_pid "$audio_pid"
start_rtsp_server port --mount "/cam=$TEST_TMPDIR/cam.h264" --port "$port"
sleep 2
[[ $(q 'feed("cam")["state"]') == error ]] ||
    fail "state $(q 'feed("cam")["state"]') before the restart, want error (long backoff)"
t0=$(date +%s%3N)
reply=$(control_send "$sock" '{"type":"restart","feed":"cam","seq":3}')
[[ $reply == '{"ok":true,"seq":3,"feed":"cam"}' ]] || fail "restart reply: $reply"
wait_until 'feed("cam")["state"] == "live" and feed("cam")["frames_displayed"] > 10' 15
note "live $(($(date +%s%3N) - t0)) ms after the restart request"
[[ $(q 'feed("cam")["retry_in_s"]') == None ]] || fail "a retry is still planned while live"
[[ $(q 'feed("cam")["status_text"]') == "" ]] || fail "banner while live: $(q 'feed("cam")["status_text"]')"
kill -0 "$wall_pid" 2>/dev/null || fail "the wall exited"

reply=$(control_send "$sock" '{"type":"restart","feed":"nosuch"}')
[[ $reply == *'"ok":false'*'must name a feed'* ]] || fail "restart of an unknown feed: $reply"
reply=$(control_send "$sock" '{"type":"stats"}')
[[ $reply == *'"ok":true'* ]] || fail "the socket after a refused restart: ${reply:0:200}"

send_png="$TEST_TMPDIR/live.png"
control_send "$sock" "{\"type\":\"snapshot\",\"path\":\"$send_png\"}" >/dev/null
for _ in $(seq 50); do [[ -s $send_png ]] && break; sleep 0.1; done
expect_tile_colour "restarted feed" "$send_png" 0 0 640 360 0x2040D0 30
note "ok"
