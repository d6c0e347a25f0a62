#!/usr/bin/env bash
# test_map_graticule.sh - integration.map_graticule: a map panel over a
# place its basemap has no tiles for draws the graticule (lines of latitude
# and longitude) instead of a blank background.  The tiles are looked up on
# the thread pool, so they first count as "on their way" and only later as
# missing; a panel that took "on their way" for "there is a basemap here"
# never drew the graticule.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

# A basemap with a single tile at zoom 3; the panel shows zoom 10.
mkdir -p "$TEST_TMPDIR/tiles/3/4"
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i "color=c=0x3080C0:s=256x256" \
    -frames:v 1 "$TEST_TMPDIR/tiles/3/4/3.png" || fail "ffmpeg could not make the tile"
cat >"$TEST_TMPDIR/wall.json" <<JSON
{"basemap": "tiles", "feeds": {},
 "outputs": [{"name": "main", "size": [800, 600], "grid": [1, 1],
              "tiles": [{"panel": "map", "cell": [0, 0], "center": [32.2988, -90.1848], "zoom": 10}]}]}
JSON

out="$TEST_TMPDIR/map.png"
run_tessera_snapshot "$TEST_TMPDIR/wall.json" "$out"
# Away from the title in the top-left corner: only graticule lines differ
# from the background there.
lines=$("$TESSERA_PNG_PROBE" "$out" diff 150 100 600 450) || fail "cannot read $out"
note "share of the panel's pixels on graticule lines: $lines"
awk -v s="$lines" 'BEGIN { exit !(s > 0.002) }' ||
    fail "no graticule on a map panel without basemap tiles (share $lines)"
