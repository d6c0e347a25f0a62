#!/usr/bin/env bash
# test_callup_ondemand.sh - integration.callup_ondemand: registry cameras
# that are no feed of the layout are called up on demand (issue 14).  The
# layout has one camera tile (red) and call-up slots 1 and 2; the registry
# has cam-b (green, facing the point P from 100 m, its top-left quarter
# masked), cam-c (blue, a PTZ camera 150 m from P) and cam-p (yellow, a
# private camera 50 m from P facing it, its consent expired).  An incident at
# P starts cam-b and cam-c (never cam-p), their pictures fill the slots with
# cam-b's mask in place; a reload of the layout keeps them called up and
# connected; closing the incident stops them (gone from the stats) and the
# slots are free again; a second incident starts them again.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 ffmpeg

for c in a:0xD02020 b:0x20C040 c:0x2040D0 p:0xE0D020; do
    gen_clip "$TEST_TMPDIR/${c%%:*}.h264" --color "${c#*:}" --seconds 4
done
port=""
start_rtsp_server port --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264" \
    --mount "/c=$TEST_TMPDIR/c.h264" --mount "/p=$TEST_TMPDIR/p.h264"

# P = (32.2988, -90.1848); 100 m of latitude = 0.000899 degrees, 150 m of
# longitude there = 0.001590 degrees.
url() { echo "rtsp://127.0.0.1:$port/$1"; }
cat >"$TEST_TMPDIR/cams.geojson" <<JSON
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.1848, 32.297901]},
  "properties": {"id": "cam-b", "url": "$(url b)", "heading_deg": 0, "fov_deg": 60, "range_m": 200,
                 "masks": [{"polygon": [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]}]}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.183210, 32.2988]},
  "properties": {"id": "cam-c", "url": "$(url c)", "ptz": true, "range_m": 200}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.1848, 32.29835]},
  "properties": {"id": "cam-p", "url": "$(url p)", "heading_deg": 0, "fov_deg": 60, "range_m": 200,
                 "owner": "private",
                 "consent": {"ref": "W-1", "granted": "2020-01-01", "expires": "2021-06-30"}}}
]}
JSON
write_layout() { # LABEL: the label of feed a (a reload changes it)
    cat >"$TEST_TMPDIR/wall.json" <<JSON
{"registry": "cams.geojson",
 "feeds": {"a": {"url": "$(url a)", "label": "$1"}},
 "outputs": [{"name": "main", "size": [960, 180], "grid": [3, 1],
              "tiles": [{"feed": "a", "cell": [0, 0]}, {"callup": 1, "cell": [1, 0]},
                        {"callup": 2, "cell": [2, 0]}]}],
 "callup": {"up_to_priority": 3, "max_cameras": 2, "radius_m": 250}}
JSON
}
write_layout "A"

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 200 --headless --control "unix:$sock" --stats "$stats" --duration 180 \
    --snapshot-dir "$TEST_TMPDIR" "$TEST_TMPDIR/wall.json"
wall_pid=$TESSERA_PID
q() { stats_q "$stats" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
send() { control_ok "$sock" wall "$1"; }
snap() { control_snapshot "$sock" wall "$1.png"; }
DARK=0x0F1217 # a free slot (above its centred text)
MASK=0x29292E # a solid privacy mask
# probes K COLOUR: "x y w h colour" rectangles of tile K (320x180, the
# pictures' own shape) that must show COLOUR: for a camera its lower right
# quarter, for cam-b also its masked top-left quarter, for a free slot the
# strip above its text.
probes() {
    local x=$(($1 * 320))
    case $2 in
    "$DARK") echo "$((x + 20)) 10 120 40 $2" ;;
    0x20C040) echo "$((x + 180)) 100 120 60 $2"; echo "$((x + 20)) 15 120 60 $MASK" ;;
    *) echo "$((x + 180)) 100 120 60 $2" ;;
    esac
}
# looks NAME C0 C1 C2: snapshots until the three tiles show those colours
# (up to 15 s: cameras started on demand connect first), then fails.
looks() {
    local name=$1 i k ok x y w h c
    shift
    local want=("$@")
    for ((i = 0; i < 30; i++)); do
        snap "$name"
        ok=1
        for k in 0 1 2; do
            while read -r x y w h c; do
                # shellcheck disable=SC2046 # hex_rgb gives three words
                "$TESSERA_PNG_PROBE" "$TEST_TMPDIR/$name.png" expect "$x" "$y" "$w" "$h" \
                    $(hex_rgb "$c") 40 >/dev/null 2>&1 || ok=0
            done < <(probes "$k" "${want[k]}")
        done
        ((ok)) && return 0
        kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
        sleep 0.5
    done
    show_tessera_output wall
    fail "$name: the tiles do not show ${want[*]} (see $TEST_TMPDIR/$name.png)"
}
feed_ids() { q 'sorted(f["id"] for f in d["feeds"])'; }

wait_until 'feed("a")["state"] == "live"' 30
looks start 0xD02020 "$DARK" "$DARK"
[[ $(feed_ids) == "['a']" ]] || fail "at start the feeds are $(feed_ids), want only a"
note "start: one camera tile, two free slots, no registry camera connected"

# An incident at P: cam-b (sees it, 100 m) and cam-c (PTZ, 150 m) are started;
# cam-p is nearer and sees P but its consent expired.
send '{"type":"incident","id":"I1","kind":"THEFT","priority":3,"lat":32.2988,"lon":-90.1848}'
wait_until 'len(d["callups"]) == 1 and d["callups"][0]["slots"] == 2' 10
[[ $(q 'd["callups"][0]["cameras"]') == "['cam-b', 'cam-c']" ]] ||
    fail "I1 called up $(q 'd["callups"][0]["cameras"]'), want cam-b and cam-c"
wait_until 'feed("cam-b")["state"] == "live" and feed("cam-c")["state"] == "live"' 20
[[ $(q 'feed("cam-b")["camera"]') == cam-b ]] || fail "stats do not name cam-b's registry camera"
[[ $(feed_ids) == "['a', 'cam-b', 'cam-c']" ]] || fail "feeds $(feed_ids): cam-p must not start"
looks i1 0xD02020 0x20C040 0x2040D0
[[ $(q 'feed("cam-b")["masked"]') == True ]] || fail "cam-b's registry masks are not in place"
note "registry cameras started on demand, masks in place, expired consent skipped"

# A reload keeps them called up and connected (no reconnect).
write_layout "A2"
send '{"type":"reload"}'
wait_until 'feed("a")["screen"]["label"] == "A2"' 20
[[ $(q 'd["callups"][0]["cameras"]') == "['cam-b', 'cam-c']" ]] ||
    fail "after the reload I1 shows $(q 'd["callups"][0]["cameras"]')"
[[ $(q 'feed("cam-b")["state"] == "live" and feed("cam-b")["reconnects"] == 0') == True ]] ||
    fail "cam-b was not kept through the reload"
looks reloaded 0xD02020 0x20C040 0x2040D0
note "a reload keeps on-demand cameras"

# Closing the incident releases the slots and stops both cameras.
send '{"type":"incident","op":"close","id":"I1"}'
wait_until 'd["callups"] == [] and sorted(f["id"] for f in d["feeds"]) == ["a"]' 10
looks closed 0xD02020 "$DARK" "$DARK"
note "released: the on-demand feeds are gone from the stats, the slots free"

# Called up again: started again.
send '{"type":"incident","id":"I3","kind":"THEFT","priority":2,"lat":32.2988,"lon":-90.1848}'
wait_until 'len(d["callups"]) == 1 and d["callups"][0]["slots"] == 2' 10
looks again 0xD02020 0x20C040 0x2040D0
send '{"type":"release","incident":"I3"}'
wait_until 'd["callups"] == [] and sorted(f["id"] for f in d["feeds"]) == ["a"]' 10
note "ok"
