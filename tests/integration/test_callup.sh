#!/usr/bin/env bash
# test_callup.sh - integration.callup: incident call-up on a running wall
# with real RTSP cameras (issue 14).  The layout has a red camera tile and
# call-up slots 1 and 2; the registry has cam-b (green) facing the point P
# from 100 m, cam-c (blue) a PTZ camera 150 m from it, cam-d (yellow) 50 m
# from P but facing away, and cam-e (magenta) 1.3 km away seeing the point Q.
# Incidents come over the control socket and the call-up policy (max 2
# cameras) fills the slots: P's incident shows green and blue; a more urgent
# incident at Q takes slot 1 (magenta, green); closing it brings green and
# blue back; closing both restores the dark free slots exactly as at start;
# a pinned slot is never taken.  Every step is checked on the pictures.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 ffmpeg

for c in a:0xD02020 b:0x20C040 c:0x2040D0 d:0xE0D020 e:0xC040C0; do
    gen_clip "$TEST_TMPDIR/${c%%:*}.h264" --color "${c#*:}" --seconds 4
done
port=""
start_rtsp_server port --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264" \
    --mount "/c=$TEST_TMPDIR/c.h264" --mount "/d=$TEST_TMPDIR/d.h264" \
    --mount "/e=$TEST_TMPDIR/e.h264"

# P = (32.2988, -90.1848); 100 m of latitude = 0.000899 degrees, 150 m of
# longitude there = 0.001590 degrees.
url() { echo "rtsp://127.0.0.1:$port/$1"; }
cat >"$TEST_TMPDIR/cams.geojson" <<JSON
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.1848, 32.297901]},
  "properties": {"id": "cam-b", "url": "$(url b)", "heading_deg": 0, "fov_deg": 60, "range_m": 200}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.183210, 32.2988]},
  "properties": {"id": "cam-c", "url": "$(url c)", "ptz": true, "range_m": 200}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.1848, 32.299250]},
  "properties": {"id": "cam-d", "url": "$(url d)", "heading_deg": 0, "fov_deg": 60, "range_m": 200}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.18, 32.31]},
  "properties": {"id": "cam-e", "url": "$(url e)", "ptz": true, "range_m": 200}}
]}
JSON
cat >"$TEST_TMPDIR/wall.json" <<JSON
{"registry": "cams.geojson",
 "feeds": {"a": {"url": "$(url a)"}, "b": {"camera": "cam-b"}, "c": {"camera": "cam-c"},
           "d": {"camera": "cam-d"}, "e": {"camera": "cam-e"}},
 "outputs": [{"name": "main", "size": [600, 360], "grid": [3, 1],
              "tiles": [{"feed": "a", "cell": [0, 0]}, {"callup": 1, "cell": [1, 0]},
                        {"callup": 2, "cell": [2, 0]}]}],
 "callup": {"up_to_priority": 3, "max_cameras": 2, "radius_m": 250}}
JSON

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
audit="$TEST_TMPDIR/audit.log"
start_tessera wall 200 --headless --control "unix:$sock" --stats "$stats" --duration 180 \
    --snapshot-dir "$TEST_TMPDIR" --audit "$audit" "$TEST_TMPDIR/wall.json"
wall_pid=$TESSERA_PID
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
send() { control_ok "$sock" wall "$1"; }
snap() { control_snapshot "$sock" wall "$1.png"; }
DARK=0x0F1217 # a free slot (away from its centred text)
# looks NAME C0 C1 C2: snapshots until the three tiles show those colours
# (up to 15 s: called-up cameras connect first), then checks them.
looks() {
    local name=$1 i k ok
    shift
    local want=("$@")
    for ((i = 0; i < 30; i++)); do
        snap "$name"
        ok=1
        for k in 0 1 2; do
            tile_ok "$TEST_TMPDIR/$name.png" "$k" "${want[k]}" || ok=0
        done
        ((ok)) && return 0
        kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
        sleep 0.5
    done
    for k in 0 1 2; do
        # shellcheck disable=SC2046 # rect and hex_rgb give several words
        png_expect "$name: tile $k" "$TEST_TMPDIR/$name.png" $(rect "$k" "${want[k]}") \
            $(hex_rgb "${want[k]}") 40
    done
}
# rect K COLOUR: the probe rectangle of tile K: its centre, or for a dark
# free slot an area above its centred text.
rect() {
    if [[ $2 == "$DARK" ]]; then echo "$(($1 * 200 + 20)) 20 60 60"
    else echo "$(($1 * 200 + 70)) 126 60 108"; fi
}
# tile_ok PNG K COLOUR
tile_ok() {
    # shellcheck disable=SC2046 # rect and hex_rgb give several words
    "$TESSERA_PNG_PROBE" "$1" expect $(rect "$2" "$3") $(hex_rgb "$3") 40 >/dev/null 2>&1
}

wait_until 'feed("a")["state"] == "live"' 30
looks start 0xD02020 "$DARK" "$DARK"
note "start: the camera tile and two free slots"

# An incident at P (priority 3): green (sees it, 100 m) and blue (PTZ, 150 m);
# yellow is nearer but faces away, and max_cameras is 2.
send '{"type":"incident","id":"I1","kind":"THEFT","priority":3,"lat":32.2988,"lon":-90.1848}'
wait_until 'len(d["callups"]) == 1 and d["callups"][0]["slots"] == 2' 10
[[ $(stats_q "$stats" 'd["callups"][0]["cameras"]') == "['b', 'c']" ]] ||
    fail "I1 called up $(stats_q "$stats" 'd["callups"][0]["cameras"]'), want b and c"
looks i1 0xD02020 0x20C040 0x2040D0

# More urgent at Q: magenta takes slot 1; I1 keeps slot 2 with green.
send '{"type":"incident","id":"I2","kind":"FIRE","priority":1,"lat":32.31,"lon":-90.18}'
wait_until '[c["incident"] for c in d["callups"]] == ["I2", "I1"]' 10
looks i2 0xD02020 0xC040C0 0x20C040

send '{"type":"incident","op":"close","id":"I2"}'
wait_until '[c["incident"] for c in d["callups"]] == ["I1"]' 10
looks i2_closed 0xD02020 0x20C040 0x2040D0
note "preemption and its end checked"

send '{"type":"incident","op":"close","id":"I1"}'
wait_until 'd["callups"] == []' 10
looks closed 0xD02020 "$DARK" "$DARK"
note "closing both restored the free slots"

# A pinned slot is never taken: I1 again, pin slot 2 (blue), then I2.
send '{"type":"incident","id":"I1","kind":"THEFT","priority":3,"lat":32.2988,"lon":-90.1848}'
looks again 0xD02020 0x20C040 0x2040D0
send '{"type":"pin","output":"main","tile":2}'
send '{"type":"incident","id":"I2","kind":"FIRE","priority":1,"lat":32.31,"lon":-90.18}'
wait_until '[c["incident"] for c in d["callups"]] == ["I2", "I1"]' 10
looks pinned 0xD02020 0xC040C0 0x2040D0
[[ $(stats_q "$stats" 'd["callups"][1]["queued"]') == True ]] ||
    fail "I1 should wait in the queue (slot 2 is pinned)"
# and a manual release frees slot 1 for I1's best camera
send '{"type":"release","incident":"I2"}'
looks released 0xD02020 0x20C040 0x2040D0

# tessera ctl: an ad-hoc point (Q) called up and released by hand (a
# priority that is not a whole number from 1 to 9 is refused first)
send '{"type":"unpin","output":"main","tile":2}'
for bad in 1.7 0 10 '"1"'; do
    reply=$(control_send "$sock" "{\"type\":\"callup\",\"lat\":32.31,\"lon\":-90.18,\"priority\":$bad}")
    [[ $reply == *'"ok":false'*'priority'*'must be an integer from 1'* ]] ||
        fail "callup with priority $bad: $reply"
done
"$TESSERA" ctl --socket "unix:$sock" callup --lat 32.31 --lon -90.18 --priority 1 \
    >"$TEST_TMPDIR/ctl.out" 2>&1 || { cat "$TEST_TMPDIR/ctl.out" >&2; fail "ctl callup"; }
python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])).get("cameras") != ["e"])' \
    "$TEST_TMPDIR/ctl.out" || fail "ctl callup reply: $(cat "$TEST_TMPDIR/ctl.out")"
looks point 0xD02020 0xC040C0 0x20C040
"$TESSERA" ctl --socket "unix:$sock" release "@32.310000,-90.180000" >/dev/null ||
    fail "ctl release of the point"
looks point_released 0xD02020 0x20C040 0x2040D0

# The audit log has every call-up and release, with cameras, slots and who.
for want in 'callup from policy.*incident I1 priority 3 cameras b,c slots 2' \
    'release from policy.*incident I2' 'callup from socket.*incident @32.310000,-90.180000' \
    'release from socket.*incident I2'; do
    grep -q "$want" "$audit" || { tail -n 20 "$audit" >&2; fail "no audit record like '$want'"; }
done
"$TESSERA" --verify-audit "$audit" >"$TEST_TMPDIR/verify.out" 2>&1 ||
    fail "--verify-audit: $(cat "$TEST_TMPDIR/verify.out")"
note "ok"
