#!/usr/bin/env bash
# test_feed_stop_async.sh - integration.feed_stop_async: stopping a feed never
# blocks the render thread.  View "one" shows a steady camera, a camera whose
# server is then stopped (SIGSTOP) and a source stuck in a call FFmpeg's
# interrupt callback cannot break (open(2) of a FIFO nobody writes: it blocks
# like a name lookup that hangs).  Switching to view "two" (the steady camera
# alone) must be answered at once - the stuck feed is signalled and joined by
# the feed reaper, not by the render thread - and the steady feed's frames keep
# coming.  Once an MPEG-TS stream is written into the FIFO the stuck source
# plays, and the wall exits cleanly with every thread joined.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3
need_cmd mkfifo

gen_clip "$TEST_TMPDIR/steady.h264" --color 0x2040D0 --seconds 4
gen_clip "$TEST_TMPDIR/hung.h264" --color 0x20C040 --seconds 4
gen_clip "$TEST_TMPDIR/stuck.ts" --color 0xE0C020 --seconds 4
p_steady="" p_hung=""
start_rtsp_server p_steady --mount "/cam=$TEST_TMPDIR/steady.h264"
start_rtsp_server p_hung --mount "/cam=$TEST_TMPDIR/hung.h264"
hung_pid=$RTSP_SERVER_PID
fifo="$TEST_TMPDIR/stuck.fifo"
mkfifo "$fifo"

layout="$TEST_TMPDIR/stop.json"
cat >"$layout" <<JSON
{"feeds": {
  "steady": {"url": "rtsp://127.0.0.1:$p_steady/cam"},
  "hung": {"url": "rtsp://127.0.0.1:$p_hung/cam"},
  "stuck": {"url": "file:$fifo"}},
 "layouts": {
   "one": {"outputs": [{"name": "main", "size": [960, 360], "grid": [3, 1], "tiles": [
       {"feed": "steady", "cell": [0, 0]}, {"feed": "hung", "cell": [1, 0]},
       {"feed": "stuck", "cell": [2, 0]}]}]},
   "two": {"outputs": [{"name": "main", "size": [960, 360], "grid": [1, 1], "tiles": [
       {"feed": "steady", "cell": [0, 0]}]}]}}}
JSON

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 120 --headless --control "unix:$sock" --stats "$stats" --duration 90 \
    "$layout"
wall_pid=$TESSERA_PID
q() { stats_q "$stats" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }

# timed_send JSON: sends one request and prints "MS REPLY" (MS: the time from
# sending to the reply; "timeout" after 20 s without one).
timed_send() {
    python3 - "$sock" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(20)
t0 = time.monotonic()
s.sendall(sys.argv[2].encode() + b"\n")
try:
    line = s.makefile().readline().strip()
    print(int((time.monotonic() - t0) * 1000), line)
except socket.timeout:
    print("timeout")
PY
}

wait_until 'feed("steady")["state"] == "live" and feed("hung")["state"] == "live"' 20
wait_until 'feed("stuck")["state"] == "connecting"' 5
kill -STOP "$hung_pid"
sleep 1
note "hung server stopped; stuck feed blocked in open(2) of $fifo"

read -r ms reply <<<"$(timed_send '{"type":"layout","name":"two"}')"
[[ $ms != timeout ]] || fail "no reply to the view switch within 20 s (the render thread waits on a feed)"
[[ $reply == '{"ok":true,"layout":"two"}' ]] || fail "switch reply: $reply"
note "view switch answered in $ms ms"
((ms < 1000)) || fail "the view switch took $ms ms (want < 1 s: stopping feeds must not block)"
wait_until 'd["layout"] == "two" and len(d["feeds"]) == 1' 5
n_before=$(q 'feed("steady")["frames_displayed"]')
sleep 2
n_after=$(q 'feed("steady")["frames_displayed"]')
((n_after - n_before >= 20)) || fail "steady feed: $((n_after - n_before)) frames in 2 s after the switch"
note "steady feed: $((n_after - n_before)) frames in 2 s after the switch"

# And back: the stuck source gets a new feed (the old one is still stuck).
read -r ms reply <<<"$(timed_send '{"type":"layout","name":"one"}')"
[[ $reply == '{"ok":true,"layout":"one"}' ]] || fail "switch back reply: $reply"
((ms < 1000)) || fail "the switch back took $ms ms"

# Write a stream into the FIFO (opening it for writing releases every reader;
# one process loops the clip until killed, opening the FIFO again whenever
# its reader goes), let the server go on, and stop the wall: it must exit 0,
# every thread joined.
python3 - "$fifo" "$TEST_TMPDIR/stuck.ts" <<'PY' &
import sys
data = open(sys.argv[2], "rb").read()
while True:
    try:
        with open(sys.argv[1], "wb") as out:
            while True:
                out.write(data)
    except BrokenPipeError:
        pass
PY
_lib_pids+=($!)
kill -CONT "$hung_pid"
wait_until 'feed("stuck")["state"] == "live"' 40
kill -TERM "$wall_pid"
rc=0
for _ in $(seq 100); do kill -0 "$wall_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$wall_pid" 2>/dev/null && { show_tessera_output wall; fail "tessera did not exit within 10 s of SIGTERM"; }
wait "$wall_pid" || rc=$?
((rc == 0)) || { show_tessera_output wall; fail "tessera exited with $rc"; }
note "ok"
