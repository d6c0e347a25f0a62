#!/usr/bin/env bash
# test_secrets.sh - integration.secrets: a secret in a feed URL reaches no
# log line, stats file, stats or state reply, audit record or screen text.
#   A wall reads a real RTSP camera with a marker password in its userinfo,
#   an SRT feed with the marker as its "passphrase" and an HTTP feed with it
#   as "access_token" (those two have no server: they fail, so their error
#   texts and FFmpeg's messages about them are exercised too).  It runs with
#   --log-level trace, --stats and --audit, the HUD on, a snapshot taken, and
#   answers "stats" and "state"; then the marker is searched for in all of it.
#   The screen: the stats document's per-feed "screen" object holds the exact
#   texts the renderer is given for the feed's tiles (label, status banner,
#   incident highlight, HUD line); they are part of the stats file checked
#   here, and the test makes sure the HUD and the failing feeds' banners were
#   really filled in, so an empty text cannot pass for a clean one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

marker="M4rk3r-$RANDOM-s3cr3t"
gen_clip "$TEST_TMPDIR/cam.h264" --color 0x3060C0 --size 320x180 --seconds 4
port=""
start_rtsp_server port --mount "/cam=$TEST_TMPDIR/cam.h264"

layout="$TEST_TMPDIR/secrets.json"
cat >"$layout" <<JSON
{"feeds": {
  "cam": {"url": "rtsp://viewer:$marker@127.0.0.1:$port/cam"},
  "srt": {"url": "srt://127.0.0.1:9?mode=caller&passphrase=$marker&latency=20000"},
  "hls": {"url": "http://127.0.0.1:9/live.m3u8?access_token=$marker&x=1"}},
 "outputs": [{"name": "main", "size": [960, 360], "grid": [3, 1], "tiles": [
   {"feed": "cam", "cell": [0, 0]}, {"feed": "srt", "cell": [1, 0]}, {"feed": "hls", "cell": [2, 0]}]}]}
JSON
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
audit="$TEST_TMPDIR/audit.log"
start_tessera wall 90 --headless --log-level trace --control "unix:$sock" --stats "$stats" \
    --audit "$audit" --snapshot-dir "$TEST_TMPDIR/snaps" --duration 60 "$layout"
wall_pid=$TESSERA_PID
send() { control_send "$sock" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }

wait_until 'feed("cam")["state"] == "live"' 30
wait_until 'feed("srt")["state"] in ("offline", "error") and feed("hls")["state"] in ("offline", "error")' 30
reply=$(send '{"type":"hud","on":true}')
[[ $reply == *'"ok":true'* ]] || fail "hud: $reply"
wait_until 'feed("cam")["screen"]["hud"] != "" and feed("srt")["screen"]["status"] != ""' 10
snap=$(send '{"type":"snapshot","name":"wall.png"}')
for _ in $(seq 100); do [[ -s $TEST_TMPDIR/snaps/wall.png ]] && break; sleep 0.1; done
[[ -s $TEST_TMPDIR/snaps/wall.png ]] || fail "no snapshot written: $snap"
send '{"type":"stats"}' >"$TEST_TMPDIR/stats.reply"
send '{"type":"state"}' >"$TEST_TMPDIR/state.reply"
send '{"type":"layout","name":"default"}' >"$TEST_TMPDIR/layout.reply"
cp "$stats" "$TEST_TMPDIR/stats.last"
grep -q '"ok":true' "$TEST_TMPDIR/stats.reply" || fail "stats: $(cat "$TEST_TMPDIR/stats.reply")"
grep -q '"ok":true' "$TEST_TMPDIR/state.reply" || fail "state: $(cat "$TEST_TMPDIR/state.reply")"
kill -TERM "$wall_pid"
wait "$wall_pid" || true

# The redacted forms are there (so the places checked really hold the URLs).
grep -q 'passphrase=\*\*\*' "$TEST_TMPDIR/stats.last" || fail "no redacted SRT URL in the stats file"
grep -q 'access_token=\*\*\*' "$TEST_TMPDIR/stats.reply" || fail "no redacted HTTP URL in the stats reply"
grep -q 'rtsp://\*\*\*@127.0.0.1' "$TEST_TMPDIR/wall.err" || fail "the log never names the camera"
[[ -s $audit ]] || fail "no audit log"
for f in wall.err wall.out stats.last stats.reply state.reply layout.reply audit.log; do
    if grep -n -- "$marker" "$TEST_TMPDIR/$f" >&2; then
        fail "the secret marker is in $f"
    fi
done
note "the marker is in no log line, stats file or reply, audit record or screen text"
note "ok"
