#!/usr/bin/env bash
# test_map_sectors.sh - integration.map_sectors: a map panel draws each
# registry camera's view (issue 14).  cam-a stands at the panel's centre
# facing east (fov 60, range 150 m: about 149 px at zoom 17 there); cam-b, a
# PTZ camera 133 m north, sees a 60 m circle.  The snapshot shows cam-a's
# sector tinted east of it and the background west of it (behind the
# camera), cam-b's circle tinted; after a call-up of a point cam-a sees (the
# policy calls up one camera) cam-a's sector turns to the highlight colour
# while cam-b's stays plain; a release puts the plain tint back.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

lat=32.2988
lon=-90.1848
# Nothing listens on port 9: the feeds stay offline, the map needs no video.
cat >"$TEST_TMPDIR/cams.geojson" <<JSON
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [$lon, $lat]},
  "properties": {"id": "cam-a", "url": "rtsp://127.0.0.1:9/a", "heading_deg": 90, "fov_deg": 60, "range_m": 150}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [$lon, 32.3000]},
  "properties": {"id": "cam-b", "url": "rtsp://127.0.0.1:9/b", "ptz": true, "range_m": 60}}
]}
JSON
cat >"$TEST_TMPDIR/wall.json" <<JSON
{"registry": "cams.geojson",
 "feeds": {"a": {"camera": "cam-a"}, "b": {"camera": "cam-b"}},
 "outputs": [{"name": "main", "size": [800, 400], "grid": [2, 1],
              "tiles": [{"panel": "map", "cell": [0, 0], "center": [$lat, $lon], "zoom": 17},
                        {"callup": 1, "cell": [1, 0]}]}],
 "callup": {"up_to_priority": 3, "max_cameras": 1, "radius_m": 250}}
JSON

sock="$TEST_TMPDIR/control.sock"
start_tessera wall 120 --headless --control "unix:$sock" --duration 100 \
    --snapshot-dir "$TEST_TMPDIR" "$TEST_TMPDIR/wall.json"
wall_pid=$TESSERA_PID
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.1; done
[[ -S $sock ]] || { show_tessera_output wall; fail "no control socket at $sock"; }
send() { control_ok "$sock" wall "$1"; }
snap() { control_snapshot "$sock" wall "$1.png"; }
# The panel's background, a plain sector over it (0.16 of 0x59BFFF) and a
# highlighted one (0.40 of 0xFFC726).
BG=(18 23 31)
PLAIN=(29 50 67)
HIGH=(113 93 34)
# is PNG X Y RGB...: the 20x10 box at X,Y has that colour.
is() { "$TESSERA_PNG_PROBE" "$1" expect "$2" "$3" 20 10 "$4" "$5" "$6" 10 >/dev/null 2>&1; }
# shows NAME A_RGB(3) B_RGB(3): snapshots (up to 10 s, a redraw may lag)
# until cam-a's sector east of the centre shows A, cam-b's circle shows B,
# and west of cam-a (behind it) shows the background.
shows() {
    local name=$1 i
    shift
    for ((i = 0; i < 20; i++)); do
        snap "$name"
        if is "$TEST_TMPDIR/$name.png" 260 215 "$1" "$2" "$3" &&
            is "$TEST_TMPDIR/$name.png" 160 45 "$4" "$5" "$6" &&
            is "$TEST_TMPDIR/$name.png" 120 215 "${BG[@]}"; then
            return 0
        fi
        sleep 0.5
    done
    local at
    for at in "260 215" "160 45" "120 215"; do
        # shellcheck disable=SC2086 # at is "X Y"
        echo "$name at $at: $("$TESSERA_PNG_PROBE" "$TEST_TMPDIR/$name.png" avg $at 20 10)"
    done
    show_tessera_output wall
    fail "$name: cam-a's sector, cam-b's circle and the background are not $*, ${BG[*]}"
}

shows plain "${PLAIN[@]}" "${PLAIN[@]}"
note "cam-a's sector (east only) and cam-b's circle are tinted"

reply=$(control_send "$sock" "{\"type\":\"callup\",\"lat\":$lat,\"lon\":-90.1841}")
[[ $reply == '{"ok":true'* ]] || { show_tessera_output wall; fail "callup: $reply"; }
incident=$(sed -n 's/.*"incident":"\([^"]*\)".*/\1/p' <<<"$reply")
[[ -n $incident ]] || fail "callup: no incident in $reply"
shows called "${HIGH[@]}" "${PLAIN[@]}"
note "after the call-up cam-a's sector is highlighted, cam-b's is not"

send "{\"type\":\"release\",\"incident\":\"$incident\"}"
shows released "${PLAIN[@]}" "${PLAIN[@]}"
note "after the release cam-a's sector is plain again"
kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
