#!/usr/bin/env bash
# test_privacy_limits.sh - integration.privacy_limits: the limits around the
# privacy rules.
#   - --validate states the zone consent dates are read in (the layout's
#     "timezone"), and RFC 3339 consent times with an offset are accepted;
#   - the supervisor secret is read at start and on reload, never per
#     request (a changed file counts only after a reload);
#   - 5 failed unmask attempts within a minute lock the client out: then even
#     the right secret is refused, and every refusal is in the audit log;
#   - an incident that is not updated for "incident_ttl" seconds closes by
#     itself, and the incident-only camera it opened is disconnected.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/cam.h264" --color 0x20C040 --size 320x180 --seconds 4
p_big="" p_shop=""
start_rtsp_server p_big --mount "/cam=$TEST_TMPDIR/cam.h264"
start_rtsp_server p_shop --mount "/cam=$TEST_TMPDIR/cam.h264"
shop_log=$RTSP_SERVER_LOG

layout="$TEST_TMPDIR/limits.json"
cat >"$layout" <<JSON
{"timezone": "America/Chicago", "incident_ttl": 3,
 "feeds": {
  "big": {"url": "rtsp://127.0.0.1:$p_big/cam", "masks": [{"polygon": [[0, 0], [0.5, 0], [0.5, 0.5]]}]},
  "shop": {"url": "rtsp://127.0.0.1:$p_shop/cam", "location": [52.3700, 4.8900], "range_m": 150,
           "owner": "private", "consent": {"ref": "W-7", "granted": "2020-01-01T00:00:00-06:00",
           "expires": "2099-12-31", "scope": "incident-only"}}},
 "outputs": [{"name": "main", "size": [640, 180], "grid": [2, 1], "tiles": [
   {"feed": "big", "cell": [0, 0]}, {"feed": "shop", "cell": [1, 0]}]}]}
JSON
"$TESSERA" --validate "$layout" >"$TEST_TMPDIR/validate.out" 2>"$TEST_TMPDIR/validate.err" || {
    cat "$TEST_TMPDIR/validate.err" >&2; fail "the test layout does not validate"; }
grep -q 'consent dates in America/Chicago (the layout.s "timezone")' "$TEST_TMPDIR/validate.out" ||
    fail "--validate does not state the time zone: $(cat "$TEST_TMPDIR/validate.out")"

secret_file="$TEST_TMPDIR/secret"
echo "first-secret" >"$secret_file"
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
audit="$TEST_TMPDIR/audit.log"
start_tessera wall 120 --headless --control "unix:$sock" --stats "$stats" --audit "$audit" \
    --supervisor-secret-file "$secret_file" --duration 90 "$layout"
wall_pid=$TESSERA_PID
send() { control_send "$sock" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
unmask() { send "{\"type\":\"unmask\",\"feed\":\"big\",\"secret\":\"$1\",\"minutes\":1,\"reason\":\"review\"}"; }

wait_until 'feed("big")["state"] == "live" and feed("big")["masked"]' 20
[[ $(stats_q "$stats" 'feed("shop")["state"]') == standby ]] || fail "shop is not on standby"

# The secret is read at start: changing the file changes nothing until a reload.
echo "second-secret" >"$secret_file"
reply=$(unmask first-secret)
[[ $reply == *'"ok":true'* ]] || fail "the secret read at start was refused: $reply"
reply=$(send '{"type":"reload"}')
[[ $reply == *'"ok":true'* ]] || fail "reload: $reply"
for _ in $(seq 100); do # the file is read off the render thread
    grep -q "reloaded $layout" "$TEST_TMPDIR/wall.err" && break
    sleep 0.1
done
reply=$(unmask second-secret)
[[ $reply == *'"ok":true'* ]] || fail "the secret read on reload was refused: $reply"
note "the supervisor secret is read at start and on reload, not per request"

# Five failures within a minute lock the client out, the right secret too.
for i in 1 2 3 4 5; do
    reply=$(unmask "guess-$i")
    [[ $reply == *'"ok":false'*'not the supervisor secret'* ]] || fail "guess $i: $reply"
done
reply=$(unmask second-secret)
[[ $reply == *'"ok":false'*'too many failed unmask attempts'* ]] ||
    fail "the 6th attempt was not refused for the lockout: $reply"
note "5 failed unmask attempts lock the client out"

# An incident not updated for incident_ttl (3 s) closes by itself.
reply=$(send '{"type":"incident","id":"24-9","kind":"THEFT","priority":2,"lat":52.3704,"lon":4.8900}')
[[ $reply == *'"ok":true'* ]] || fail "incident: $reply"
wait_until 'feed("shop")["state"] == "live"' 15
wait_until 'feed("shop")["state"] == "standby"' 20
reply=$(send '{"type":"state"}')
[[ $reply != *'24-9'* ]] || fail "the expired incident is still in the state: $reply"
for _ in $(seq 30); do grep -q '^CLIENT closed' "$shop_log" && break; sleep 0.1; done
grep -q '^CLIENT closed' "$shop_log" || fail "the shop camera's connection was not closed"
note "an incident without updates closed after incident_ttl; the camera disconnected"

kill -TERM "$wall_pid"
wait "$wall_pid" || true
n=$(grep '"event":"command"' "$audit" | grep '"type":"unmask"' | grep -c 'refused' || true)
((n == 6)) || fail "$n unmask refusals in the audit log, want 6"
grep -q 'second-secret\|first-secret' "$audit" && fail "a supervisor secret reached the audit log"
note "ok"
