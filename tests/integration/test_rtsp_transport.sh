#!/usr/bin/env bash
# test_rtsp_transport.sh - integration.rtsp_transport: the per-feed RTSP
# "transport".  One server offers a mount over TCP and UDP and another over
# UDP only (a client asking for TCP gets "461 Unsupported Transport", as from
# many older cameras).  "auto" (the default) uses TCP where it is offered and
# falls back to UDP where it is refused; "udp" uses UDP; "tcp" against the
# UDP-only mount fails honestly (offline, "Protocol not supported") instead
# of quietly using UDP.  The stats say which transport each feed uses, and
# --validate names a misspelt transport with its position.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/both.h264" --color 0x2040D0 --seconds 4
gen_clip "$TEST_TMPDIR/udp.h264" --color 0xD02020 --seconds 4
port=""
start_rtsp_server port --mount "/both=$TEST_TMPDIR/both.h264" \
    --udp-mount "/udp=$TEST_TMPDIR/udp.h264"

layout="$TEST_TMPDIR/transport.json"
cat >"$layout" <<JSON
{"feeds": {
  "auto_both": {"url": "rtsp://127.0.0.1:$port/both"},
  "auto_udp": {"url": "rtsp://127.0.0.1:$port/udp", "transport": "auto"},
  "udp": {"url": "rtsp://127.0.0.1:$port/udp", "transport": "udp"},
  "tcp": {"url": "rtsp://127.0.0.1:$port/udp", "transport": "tcp"}},
 "outputs": [{"name": "main", "size": [1280, 360], "grid": [4, 1], "tiles": [
  {"feed": "auto_both", "cell": [0, 0]}, {"feed": "auto_udp", "cell": [1, 0]},
  {"feed": "udp", "cell": [2, 0]}, {"feed": "tcp", "cell": [3, 0]}]}]}
JSON

out=$("$TESSERA" --validate "$layout" 2>&1) || fail "--validate refused the layout: $out"
sed 's/"transport": "udp"/"transport": "UDP"/' "$layout" >"$TEST_TMPDIR/bad.json"
rc=0
out=$("$TESSERA" --validate "$TEST_TMPDIR/bad.json" 2>&1) || rc=$?
((rc != 0)) || fail "--validate accepted \"transport\": \"UDP\""
[[ $out == *"bad.json:4:"*'"transport" must be "auto", "tcp" or "udp"'* ]] ||
    fail "--validate message: $out"

stats="$TEST_TMPDIR/stats.json"
png="$TEST_TMPDIR/transport.png"
start_tessera wall 90 --headless --stats "$stats" --duration 60 "$layout"
wall_pid=$TESSERA_PID
q() { stats_q "$stats" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }

wait_until 'all(feed(i)["state"] == "live" and feed(i)["frames_displayed"] > 10 for i in ("auto_both", "auto_udp", "udp"))' 25
for pair in auto_both:tcp auto_udp:udp udp:udp; do
    f=${pair%%:*} want=${pair#*:}
    [[ $(q "feed('$f')['transport']") == "$want" ]] ||
        fail "$f: transport $(q "feed('$f')['transport']"), want $want"
done
note "auto uses tcp where offered and falls back to udp; udp works"
wait_until 'feed("tcp")["state"] == "offline"' 15
[[ $(q 'feed("tcp")["detail"]') == "Protocol not supported" ]] ||
    fail "tcp against a UDP-only server: detail '$(q 'feed("tcp")["detail"]')'"
[[ $(q 'feed("tcp")["transport"]') == None ]] || fail "tcp: a transport in use while offline"
[[ $(q 'feed("tcp")["frames_decoded"]') == 0 ]] || fail "tcp: frames decoded over a refused transport"
note "tcp fails honestly: $(q 'feed("tcp")["detail"]')"
stop_pid "$wall_pid"

run_tessera_snapshot "$layout" "$png"
expect_tile_colour "auto_both" "$png" 0 0 320 360 0x2040D0 30
expect_tile_colour "auto_udp" "$png" 320 0 320 360 0xD02020 30
expect_tile_colour "udp" "$png" 640 0 320 360 0xD02020 30
note "ok"
