#!/usr/bin/env bash
# test_layout_switch.sh - integration.layout_switch: named layouts, tours and
# hot reload keep the feeds they share connected.
#   - switching views over the control socket: the feeds both views show keep
#     their connection (no new RTSP client, reconnects unchanged, frames go on);
#   - a tile tour moves on by itself;
#   - enlarging a tile (a control command) shows it on the whole output;
#   - editing the layout file reloads it without reconnecting kept feeds;
#   - a broken edit keeps the old layout, reports file:line:column in the
#     log, the stats and a banner on screen, and a fix brings it back.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/a.h264" --color 0xD02020 --seconds 4
gen_clip "$TEST_TMPDIR/b.h264" --color 0x20C040 --seconds 4
gen_clip "$TEST_TMPDIR/c.h264" --color 0x2040D0 --seconds 4
port=""
start_rtsp_server port --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264" \
    --mount "/c=$TEST_TMPDIR/c.h264"
server_log=$RTSP_SERVER_LOG

layout="$TEST_TMPDIR/wall.json"
write_layout() { # $1: the label of feed a; $2: extra text after the feeds
    cat >"$layout" <<JSON
{"feeds": {"a": {"url": "rtsp://127.0.0.1:$port/a", "label": "$1"},
           "b": {"url": "rtsp://127.0.0.1:$port/b", "label": "B"},
           "c": {"url": "rtsp://127.0.0.1:$port/c", "label": "C"}},$2
 "layouts": {
   "one": {"outputs": [{"name": "main", "size": [640, 360], "grid": [2, 1], "tiles": [
       {"feed": "a", "cell": [0, 0]},
       {"tour": {"feeds": ["b", "c"], "dwell": 1}, "cell": [1, 0]}]}]},
   "two": {"outputs": [{"name": "main", "size": [640, 360], "grid": [2, 1], "tiles": [
       {"feed": "c", "cell": [0, 0]}, {"feed": "a", "cell": [1, 0]}]}]}}}
JSON
}
write_layout "A" ""

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 120 --headless --control "unix:$sock" --snapshot-dir "$TEST_TMPDIR" --stats "$stats" --duration 60 \
    "$layout"
wall_pid=$TESSERA_PID

q() { stats_q "$stats" "$1"; }
send() { control_send "$sock" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
clients() { grep -c '^CLIENT connected ' "$server_log" || true; }

wait_until 'all(f["state"] == "live" for f in d["feeds"]) and len(d["feeds"]) == 3' 20
[[ -S $sock ]] || fail "no control socket"
before=$(clients)
note "view one live: $before RTSP clients (a, and b and c of the tour)"
((before == 3)) || fail "$before clients for view one, want 3"

# The tour tile shows b, then c.
wait_until 'd["outputs"][0]["tiles"][1] == "b"' 5
wait_until 'd["outputs"][0]["tiles"][1] == "c"' 5
note "tile tour moved from b to c"

# Switch to view two: a and c stay connected, b goes.
frames_a=$(q 'feed("a")["frames_decoded"]')
reply=$(send '{"type":"layout","name":"two","seq":7}')
[[ $reply == '{"ok":true,"seq":7,"layout":"two"}' ]] || fail "switch reply: $reply"
wait_until 'd["layout"] == "two" and len(d["feeds"]) == 2' 5
sleep 1
[[ $(q 'd["outputs"][0]["tiles"]') == "['c', 'a']" ]] || fail "view two shows $(q 'd["outputs"][0]["tiles"]')"
(($(clients) == before)) || fail "switching reconnected: $(clients) clients, was $before"
[[ $(q 'feed("a")["reconnects"] + feed("c")["reconnects"]') == 0 ]] || fail "reconnects after the switch"
(($(q 'feed("a")["frames_decoded"]') > frames_a)) || fail "feed a stopped after the switch"
note "switched to view two without reconnecting a and c"
reply=$(send '{"type":"layout","name":"three"}')
[[ $reply == *'"ok":false'*'no layout named'* ]] || fail "unknown view: $reply"

# Enlarge tile 1 (feed a) and restore it.
reply=$(send '{"type":"maximize","output":"main","tile":1}')
[[ $reply == '{"ok":true}' ]] || fail "maximize: $reply"
wait_until 'd["outputs"][0]["maximized"] == 1' 3
send '{"type":"snapshot","name":"max.png"}' >/dev/null
for _ in $(seq 50); do [[ -s $TEST_TMPDIR/max.png ]] && break; sleep 0.1; done
expect_tile_colour "enlarged tile a over the whole output" "$TEST_TMPDIR/max.png" 0 0 640 360 0xD02020 30
reply=$(send '{"type":"maximize","output":"main","tile":9}')
[[ $reply == *'"ok":false'*'no tile 9'* ]] || fail "maximize a missing tile: $reply"
send '{"type":"maximize","output":"main"}' >/dev/null
wait_until 'd["outputs"][0]["maximized"] == -1' 3

# Hot reload: a new label for a; nothing reconnects, the view stays.
write_layout "A (renamed)" ""
sleep 1.5
grep -q "reloaded $layout" "$TEST_TMPDIR/wall.err" || fail "the edit was not reloaded"
[[ $(q 'd["layout"]') == two ]] || fail "view after reload: $(q 'd["layout"]')"
(($(clients) == before)) || fail "reload reconnected: $(clients) clients"
note "hot reload kept the feeds"

# A broken edit: the old layout stays, the error is reported with its place.
write_layout "A" ' "oops": 1,'
wait_until '"layout_error" in d' 5
err=$(q 'd["layout_error"]')
line=$(grep -n '"oops"' "$layout" | cut -d: -f1)
[[ $err == *"$layout:$line:"*'unknown key "oops"'* ]] || fail "layout_error: $err (want line $line)"
grep -q "$layout:$line:[0-9]*: error: unknown key \"oops\"" "$TEST_TMPDIR/wall.err" ||
    fail "the log does not name the error's position"
[[ $(q 'd["outputs"][0]["tiles"]') == "['c', 'a']" ]] || fail "the old layout did not stay"
send '{"type":"snapshot","name":"broken.png"}' >/dev/null
for _ in $(seq 50); do [[ -s $TEST_TMPDIR/broken.png ]] && break; sleep 0.1; done
d=$(png_diff "$TEST_TMPDIR/broken.png" 0 0 640 24)
frac_gt "$d" 0.05 || fail "no banner at the top of the output (diff $d)"
note "broken reload: old layout kept, $err"
write_layout "A" ""
wait_until '"layout_error" not in d' 5
(($(clients) == before)) || fail "fixing the file reconnected feeds"

send '{"type":"layout","name":"one"}' >/dev/null
wait_until 'd["layout"] == "one" and len(d["feeds"]) == 3' 5
note "back to view one: b reconnects ($(clients) clients), a and c did not"
(($(clients) == before + 1)) || fail "$(clients) clients after returning to view one, want $((before + 1))"
note "ok"
