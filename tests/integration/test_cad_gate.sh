#!/usr/bin/env bash
# test_cad_gate.sh - integration.cad_gate: only an incident sent by a client
# with the cad role opens an incident-only private camera (issue 12).
#   - a supervisor may send incidents (supervisor has every request type), but
#     its incident near the camera leaves the camera in standby, unconnected;
#   - the same incident from the cad link connects it;
#   - the incident expires after the layout's incident_ttl and the camera is
#     disconnected again.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/shop.h264" --color 0x20C040 --seconds 4
p_shop=""
start_rtsp_server p_shop --mount "/cam=$TEST_TMPDIR/shop.h264"
shop_log=$RTSP_SERVER_LOG

layout="$TEST_TMPDIR/gate.json"
cat >"$layout" <<JSON
{"incident_ttl": 6,
 "feeds": {
  "shop": {"url": "rtsp://127.0.0.1:$p_shop/cam", "label": "Shop", "location": [52.3700, 4.8900],
           "range_m": 150, "owner": "private",
           "consent": {"ref": "W-1", "granted": "2020-01-01", "expires": "2099-12-31",
                       "scope": "incident-only"}}},
 "outputs": [{"name": "main", "size": [640, 360], "grid": [1, 1], "tiles": [
   {"feed": "shop", "cell": [0, 0]}]}]}
JSON

tokens="$TEST_TMPDIR/tokens"
printf '# roles token\nsupervisor sup-token-1\ncad cad-token-1\n' >"$tokens"
chmod 600 "$tokens"
printf 'sup-token-1\n' >"$TEST_TMPDIR/sup.tok"
printf 'cad-token-1\n' >"$TEST_TMPDIR/cad.tok"
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 90 --headless --control "unix:$sock" --control-tokens "$tokens" \
    --stats "$stats" --duration 60 "$layout"
wall_pid=$TESSERA_PID

q() { stats_q "$stats" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
ctl() { local tok=$1; shift; "$TESSERA" ctl --socket "unix:$sock" --token-file "$tok" "$@"; }
clients() { grep -c '^CLIENT connected ' "$shop_log" || true; }

wait_until 'feed("shop")["state"] == "standby"' 20

# A supervisor's incident 50 m away: accepted, but it does not open the camera.
ctl "$TEST_TMPDIR/sup.tok" incident upsert --id 24-1 --lat 52.3704 --lon 4.8900 --priority 1 \
    >/dev/null || fail "the supervisor's incident was refused"
sleep 3
[[ $(q 'feed("shop")["state"]') == standby ]] ||
    fail "a supervisor's incident opened the camera: $(q 'feed("shop")["state"]')"
(($(clients) == 0)) || fail "the camera's server saw a client for a supervisor's incident"
note "supervisor incident: camera stays in standby"

# The cad link's incident at the same place connects it.
ctl "$TEST_TMPDIR/cad.tok" incident upsert --id 24-2 --lat 52.3704 --lon 4.8900 --priority 1 \
    >/dev/null || fail "the cad incident was refused"
wait_until 'feed("shop")["state"] == "live"' 15
note "cad incident: camera live"

# Both incidents expire after incident_ttl (6 s) without updates.
wait_until 'feed("shop")["state"] == "standby"' 20
reply=$(ctl "$TEST_TMPDIR/sup.tok" state)
[[ $reply != *'24-2'* ]] || fail "the expired incident is still in the state: $reply"
note "incidents expired after incident_ttl; camera back in standby"

kill -TERM "$wall_pid"
wait "$wall_pid" || true
