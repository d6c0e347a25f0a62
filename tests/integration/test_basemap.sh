#!/usr/bin/env bash
# test_basemap.sh - integration.basemap: a map panel that needs more basemap
# tiles (221, made with ffmpeg here) than the old fixed cache held (96)
# decodes each tile once and keeps it: once the panel shows every tile, the
# tile files are deleted and the panel redrawn (incident updates); every
# tile still shows.  A wall that re-decoded tiles on each redraw (issue 13)
# finds the files gone and draws the background instead.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

# Zoom 5, tiles x 0..19, y 0..15, one colour; the panel (4096x3200) is
# centred on world pixel (2176, 1664): it touches x 0..16, y 0..12.
zoom=5
tiles="$TEST_TMPDIR/tiles"
mkdir -p "$tiles"
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "color=c=0x3080C0:s=256x256:r=1" \
    -frames:v 320 "$tiles/t%03d.png" || fail "ffmpeg could not make the tiles"
i=1
for x in $(seq 0 19); do
    mkdir -p "$tiles/$zoom/$x"
    for y in $(seq 0 15); do
        mv "$tiles/$(printf 't%03d.png' "$i")" "$tiles/$zoom/$x/$y.png"
        i=$((i + 1))
    done
done
read -r lat lon < <(python3 -c '
import math
n = 256 * 2 ** 5
x, y = 2176, 1664
print(math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n)))), x / n * 360 - 180)')
layout="$TEST_TMPDIR/map.json"
cat >"$layout" <<JSON
{"basemap": "tiles", "feeds": {},
 "outputs": [{"name": "map", "size": [4096, 3200], "grid": [1, 1], "tiles": [
   {"panel": "map", "cell": [0, 0], "center": [$lat, $lon], "zoom": $zoom}]}]}
JSON

sock="$TEST_TMPDIR/control.sock"
start_tessera wall 200 --headless --control "unix:$sock" --snapshot-dir "$TEST_TMPDIR" \
    --duration 180 "$layout"
wall_pid=$TESSERA_PID
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.1; done
[[ -S $sock ]] || { show_tessera_output wall; fail "no control socket at $sock"; }

# shows_tiles PNG: true when points spread over the panel (avoiding the
# title corner) all show the tile colour.
shows_tiles() {
    local x y
    for x in 300 1500 2700 3900; do
        for y in 300 1300 2300 3100; do
            "$TESSERA_PNG_PROBE" "$1" expect "$x" "$y" 40 40 48 128 192 25 >/dev/null 2>&1 ||
                return 1
        done
    done
}

# snap NAME: a snapshot into $TEST_TMPDIR/NAME.png (waits for the file).
snap() { control_snapshot "$sock" wall "$1.png"; }

# An incident far off the panel makes the panels redraw without covering it.
redraw() {
    control_send "$sock" "{\"type\":\"incident\",\"op\":\"upsert\",\"id\":\"r$1\",\"kind\":\"TEST\",\"lat\":-60,\"lon\":170}" >/dev/null
}

shown=0
for i in $(seq 30); do
    snap "before"
    if shows_tiles "$TEST_TMPDIR/before.png"; then shown=1; break; fi
    sleep 1
done
((shown)) || fail "the panel never showed all its tiles"
note "the panel shows its 221 tiles"

rm -rf "${tiles:?}/$zoom"
for i in 1 2 3; do
    redraw "$i"
    sleep 0.5
done
snap "after"
shows_tiles "$TEST_TMPDIR/after.png" ||
    fail "after a redraw some tiles are gone: they were decoded again, not kept"
kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
note "redraws kept every tile without decoding it again"
