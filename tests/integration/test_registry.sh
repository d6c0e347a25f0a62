#!/usr/bin/env bash
# test_registry.sh - integration.registry: a layout whose feed names a camera
# of a GeoJSON camera registry (issue 14).  --validate reports the
# registry's own errors as REGISTRY:LINE:COLUMN and an unknown camera at the
# layout's "camera" value; a running wall shows the registry camera's
# pictures (red), draws a free call-up slot as a dark tile, lists the slot in
# its stats, and follows an edit of the registry file beside the layout (the
# camera moved to the green stream) as a reload.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 ffmpeg

for c in a:0xD02020 b:0x20C040; do
    gen_clip "$TEST_TMPDIR/${c%%:*}.h264" --color "${c#*:}" --seconds 4
done
port=""
start_rtsp_server port --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264"

# registry FILE MOUNT_OF_CAM_A [HEADING]: two cameras, cam-a on line 3.
registry() {
    cat >"$1" <<JSON
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.1848, 32.2988]},
  "properties": {"id": "cam-a", "url": "rtsp://127.0.0.1:$port/$2", "heading_deg": ${3:-90}, "fov_deg": 60, "range_m": 150}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.1850, 32.2990]},
  "properties": {"id": "cam-b", "url": "rtsp://127.0.0.1:$port/b", "ptz": true, "range_m": 200}}
]}
JSON
}
# layout FILE REGISTRY CAMERA
layout() {
    cat >"$1" <<JSON
{"registry": "$2",
 "feeds": {"x": {"camera": "$3"}},
 "outputs": [{"name": "main", "size": [640, 360], "grid": [2, 1],
              "tiles": [{"feed": "x", "cell": [0, 0]}, {"callup": 1, "cell": [1, 0]}]}]}
JSON
}
# col FILE LINE TEXT: the column where TEXT starts on line LINE of FILE.
col() { awk -v l="$2" -v t="$3" 'NR == l { print index($0, t) }' "$1"; }

# -- --validate: good, a bad registry, an unknown camera
registry "$TEST_TMPDIR/cams.geojson" a
layout "$TEST_TMPDIR/wall.json" cams.geojson cam-a
run_tessera validate_good --validate "$TEST_TMPDIR/wall.json"
((TESSERA_RC == 0)) || { show_tessera_output validate_good; fail "--validate: exit $TESSERA_RC"; }
grep -q "cams.geojson: ok: 2 registry cameras" "$TEST_TMPDIR/validate_good.out" ||
    { show_tessera_output validate_good; fail "--validate does not count the registry"; }

registry "$TEST_TMPDIR/bad.geojson" a 400
layout "$TEST_TMPDIR/bad-reg.json" bad.geojson cam-a
run_tessera validate_bad_reg --validate "$TEST_TMPDIR/bad-reg.json"
want="$TEST_TMPDIR/bad.geojson:3:$(col "$TEST_TMPDIR/bad.geojson" 3 400): error: \"heading_deg\" must be"
if ((TESSERA_RC != 1)) || ! grep -qF "$want" "$TEST_TMPDIR/validate_bad_reg.err"; then
    show_tessera_output validate_bad_reg
    fail "bad registry: exit $TESSERA_RC, want 1 and $want"
fi

layout "$TEST_TMPDIR/bad-cam.json" cams.geojson nope
run_tessera validate_bad_cam --validate "$TEST_TMPDIR/bad-cam.json"
want="$TEST_TMPDIR/bad-cam.json:2:$(col "$TEST_TMPDIR/bad-cam.json" 2 '"nope"'): error: feed \"x\": camera \"nope\" is not in the registry"
if ((TESSERA_RC != 1)) || ! grep -qF "$want" "$TEST_TMPDIR/validate_bad_cam.err"; then
    show_tessera_output validate_bad_cam
    fail "unknown camera: exit $TESSERA_RC, want 1 and $want"
fi

# -- a running wall
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 120 --headless --control "unix:$sock" --stats "$stats" --duration 100 \
    --snapshot-dir "$TEST_TMPDIR" "$TEST_TMPDIR/wall.json"
wall_pid=$TESSERA_PID
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
snap() { control_snapshot "$sock" wall "$1.png"; }
# tile_is PNG 0xRRGGBB WHAT: the left tile (the registry camera) has that colour.
tile_is() { expect_tile_colour "$3" "$1" 0 0 320 360 "$2" 40; }

wait_until 'len(d["feeds"]) == 1 and d["feeds"][0]["state"] == "live"' 30
wait_until 'd["outputs"][0]["tiles"] == ["x", "callup:1"]' 5
snap s1
tile_is "$TEST_TMPDIR/s1.png" 0xD02020 "registry camera cam-a (red)"
# the free slot: dark, away from its centred text
png_expect "free call-up slot" "$TEST_TMPDIR/s1.png" 340 20 80 80 15 18 23 20

registry "$TEST_TMPDIR/cams.geojson" b
for ((i = 0; i < 150; i++)); do
    grep -q "reloaded $TEST_TMPDIR/wall.json" "$TEST_TMPDIR/wall.err" && break
    kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
    sleep 0.1
done
grep -q "reloaded $TEST_TMPDIR/wall.json" "$TEST_TMPDIR/wall.err" ||
    { show_tessera_output wall; fail "the registry edit was not reloaded within 15 s"; }
wait_until 'len(d["feeds"]) == 1 and d["feeds"][0]["state"] == "live"' 30
for ((i = 0; i < 30; i++)); do
    snap s2
    "$TESSERA_PNG_PROBE" "$TEST_TMPDIR/s2.png" expect 112 126 96 108 32 192 64 40 \
        >/dev/null 2>&1 && break
    sleep 0.3
done
tile_is "$TEST_TMPDIR/s2.png" 0x20C040 "cam-a moved to the green stream"
note "ok"
