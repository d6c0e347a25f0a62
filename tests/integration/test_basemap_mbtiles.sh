#!/usr/bin/env bash
# test_basemap_mbtiles.sh - integration.basemap_mbtiles: "basemap" may be an
# MBTiles file (issue 14).  The file is made here (python3's sqlite3, PNG
# tiles from ffmpeg): zoom 2, the northern half of the world orange, the
# southern half blue, stored under TMS rows (counted from the south).  A
# 1024x1024 map panel shows the whole world at zoom 2: orange above the
# equator and blue below (swapped colours: the row flip is wrong).
# --validate accepts the file and reports a file that is not an MBTiles
# file at the "basemap" value (FILE:LINE:COLUMN).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 ffmpeg

for c in north:0xE08020 south:0x2060C0; do
    ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "color=c=${c#*:}:s=256x256:r=1" \
        -frames:v 1 "$TEST_TMPDIR/${c%%:*}.png" || fail "ffmpeg could not make a tile"
done
python3 - "$TEST_TMPDIR" <<'PY' || fail "could not make the MBTiles file"
import sqlite3, sys
d = sys.argv[1]
db = sqlite3.connect(d + "/world.mbtiles")
db.executescript("""
CREATE TABLE metadata (name text, value text);
CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
INSERT INTO metadata VALUES ('name', 'test world'), ('format', 'png');
""")
north = open(d + "/north.png", "rb").read()
south = open(d + "/south.png", "rb").read()
for x in range(4):
    for y in range(4):  # XYZ row, from the north; MBTiles keeps 2^z - 1 - y
        db.execute("INSERT INTO tiles VALUES (2, ?, ?, ?)",
                   (x, 3 - y, north if y < 2 else south))
db.commit()
db.close()
PY
# layout FILE BASEMAP
layout() {
    cat >"$1" <<JSON
{"basemap": "$2", "feeds": {},
 "outputs": [{"name": "map", "size": [1024, 1024], "grid": [1, 1], "tiles": [
   {"panel": "map", "cell": [0, 0], "center": [0, 0], "zoom": 2}]}]}
JSON
}

layout "$TEST_TMPDIR/good.json" world.mbtiles
run_tessera validate_good --validate "$TEST_TMPDIR/good.json"
((TESSERA_RC == 0)) || { show_tessera_output validate_good; fail "--validate: exit $TESSERA_RC"; }
echo "not a database" >"$TEST_TMPDIR/bad.mbtiles"
layout "$TEST_TMPDIR/bad.json" bad.mbtiles
run_tessera validate_bad --validate "$TEST_TMPDIR/bad.json"
col=$(awk 'NR == 1 { print index($0, "\"bad.mbtiles\"") }' "$TEST_TMPDIR/bad.json")
want="$TEST_TMPDIR/bad.json:1:$col: error: \"basemap\" $TEST_TMPDIR/bad.mbtiles: not a readable MBTiles file"
if ((TESSERA_RC != 1)) || ! grep -qF "$want" "$TEST_TMPDIR/validate_bad.err"; then
    show_tessera_output validate_bad
    fail "bad MBTiles file: exit $TESSERA_RC, want 1 and $want"
fi
note "--validate accepts the MBTiles file and reports a bad one at its value"

sock="$TEST_TMPDIR/control.sock"
start_tessera wall 120 --headless --control "unix:$sock" --snapshot-dir "$TEST_TMPDIR" \
    --duration 100 "$TEST_TMPDIR/good.json"
wall_pid=$TESSERA_PID
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.1; done
[[ -S $sock ]] || { show_tessera_output wall; fail "no control socket at $sock"; }
# hemispheres PNG: the north shows orange and the south blue at points
# spread over the panel (away from the title corner and the tile seams).
hemispheres() {
    local x
    for x in 100 400 700 900; do
        "$TESSERA_PNG_PROBE" "$1" expect "$x" 300 40 40 224 128 32 25 >/dev/null 2>&1 || return 1
        "$TESSERA_PNG_PROBE" "$1" expect "$x" 700 40 40 32 96 192 25 >/dev/null 2>&1 || return 1
    done
}
for ((i = 0; i < 30; i++)); do
    rm -f "$TEST_TMPDIR/map.png"
    control_send "$sock" '{"type":"snapshot","name":"map.png"}' >/dev/null
    for _ in $(seq 100); do [[ -s $TEST_TMPDIR/map.png ]] && break; sleep 0.1; done
    hemispheres "$TEST_TMPDIR/map.png" && break
    sleep 1
done
hemispheres "$TEST_TMPDIR/map.png" || {
    echo "north: $("$TESSERA_PNG_PROBE" "$TEST_TMPDIR/map.png" avg 400 300 40 40)" \
        "south: $("$TESSERA_PNG_PROBE" "$TEST_TMPDIR/map.png" avg 400 700 40 40)"
    show_tessera_output wall
    fail "the map does not show the MBTiles tiles, north orange and south blue"
}
kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
note "the panel shows the MBTiles tiles, north up"
