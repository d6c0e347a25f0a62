#!/usr/bin/env bash
# test_fit_modes.sh - integration.fit_modes: one 640x360 (16:9) camera shown
# in three tall 320x720 tiles (grid 4x1 on 1280x720) with fit contain, cover
# and stretch.  contain: a 320x180 picture centred, dark bars above and below;
# cover and stretch: the video colour over the whole tile.  The clip's moving
# white square (top-left 15% of the picture) tells them apart: cover crops it
# away, stretch shows it squeezed into the tile's top-left corner, contain in
# the picture's top-left corner.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

color=0xD0D030
read -r r g b <<<"$(hex_rgb "$color")"
gen_clip "$TEST_TMPDIR/cam.h264" --color "$color" --size 640x360 --seconds 4
port=""
# One mount per tile, so the test does not depend on sharing a feed.
start_rtsp_server port --mount "/contain=$TEST_TMPDIR/cam.h264" \
    --mount "/cover=$TEST_TMPDIR/cam.h264" --mount "/stretch=$TEST_TMPDIR/cam.h264"

layout="$TEST_TMPDIR/fit.json"
cat >"$layout" <<JSON
{
  "feeds": {
    "contain": {"url": "rtsp://127.0.0.1:$port/contain", "label": "Contain"},
    "cover": {"url": "rtsp://127.0.0.1:$port/cover", "label": "Cover"},
    "stretch": {"url": "rtsp://127.0.0.1:$port/stretch", "label": "Stretch"}
  },
  "outputs": [
    {"name": "main", "size": [1280, 720], "grid": [4, 1],
     "tiles": [
       {"feed": "contain", "cell": [0, 0], "fit": "contain"},
       {"feed": "cover", "cell": [1, 0], "fit": "cover"},
       {"feed": "stretch", "cell": [2, 0], "fit": "stretch"}
     ]}
  ]
}
JSON

png="$TEST_TMPDIR/fit.png"
run_tessera_snapshot "$layout" "$png"
size=$(png_size "$png")
[[ $size == "1280 720" ]] || fail "snapshot is $size, want 1280 720"

# contain (tile x 0..320): picture at y 270..450, bars (RGB below 40) around it.
png_expect "contain: picture" "$png" 100 290 200 110 "$r" "$g" "$b" 30
png_expect "contain: bar above the picture" "$png" 20 20 280 230 20 20 20 20
png_expect "contain: bar below the picture" "$png" 20 470 280 190 20 20 20 20
d=$(png_diff "$png" 0 270 48 27)
frac_gt "$d" 0.02 || fail "contain: no moving square in the picture's top-left corner (diff $d)"

# cover (tile x 320..640): colour everywhere, the corner square cropped away.
png_expect "cover: top of the tile" "$png" 340 10 280 100 "$r" "$g" "$b" 30
png_expect "cover: middle of the tile" "$png" 340 200 280 320 "$r" "$g" "$b" 30
png_expect "cover: bottom of the tile" "$png" 340 560 280 90 "$r" "$g" "$b" 30
d=$(png_diff "$png" 320 0 48 108)
frac_gt "$d" 0.01 && fail "cover: the top-left corner shows the square that cover crops away (diff $d)"

# stretch (tile x 640..960): colour everywhere, the square squeezed into the
# tile's top-left 48x108 corner.
png_expect "stretch: top of the tile" "$png" 700 10 240 100 "$r" "$g" "$b" 30
png_expect "stretch: middle of the tile" "$png" 660 200 280 320 "$r" "$g" "$b" 30
png_expect "stretch: bottom of the tile" "$png" 660 560 280 90 "$r" "$g" "$b" 30
d=$(png_diff "$png" 640 0 48 108)
frac_gt "$d" 0.02 || fail "stretch: no square in the tile's top-left corner (diff $d)"
note "pass"
