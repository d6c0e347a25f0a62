#!/usr/bin/env bash
# test_cpu_scale.sh - integration.cpu_scale (issue 17): with software OpenGL
# (llvmpipe here) the feed threads scale each picture to the size its tile
# draws it at, already RGB, and the renderer draws it 1:1.  Checks that the
# stats say the scaled path is taken (scaled_to), that the pixels are right
# (the clip's colour, and a privacy mask still applied by the shader over the
# right quarter of the picture), that a picture without masks is copied
# (drawn "copy") the right way up, with the tile background only in its
# bars, and so is the middle of one a cover fit crops (drawn "copy", its
# top and bottom cut off evenly), while a masked one never is (drawn
# "shader"), that maximizing a tile
# makes the feed scale to the new size, and that --yuv-upload planar keeps
# the old path.  Skipped (77) where OpenGL is not a software rasteriser:
# there the path is off.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/red.h264" --color 0xD02020 --size 1280x720 --seconds 4
gen_clip "$TEST_TMPDIR/green.h264" --color 0x20C040 --size 640x360 --seconds 4
# 4:3, blue above yellow: contained in a 16:9 tile, with bars left and right
gen_clip "$TEST_TMPDIR/split.h264" --color 0x2040D0 --bottom 0xD0C020 --size 480x360 --seconds 4
port=""
start_rtsp_server port --mount "/a=$TEST_TMPDIR/red.h264" --mount "/b=$TEST_TMPDIR/green.h264" \
    --mount "/c=$TEST_TMPDIR/split.h264" --mount "/d=$TEST_TMPDIR/split.h264"
layout="$TEST_TMPDIR/wall.json"
# feed a's mask: the bottom-right quarter of its picture
cat >"$layout" <<JSON
{"feeds": {"a": {"url": "rtsp://127.0.0.1:$port/a",
                 "masks": [{"polygon": [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 1]]}]},
           "b": {"url": "rtsp://127.0.0.1:$port/b"},
           "c": {"url": "rtsp://127.0.0.1:$port/c"},
           "d": {"url": "rtsp://127.0.0.1:$port/d"}},
 "layouts": {"main": {"outputs": [{"name": "main", "size": [960, 540], "grid": [2, 2],
   "tiles": [{"feed": "a", "cell": [0, 0]}, {"feed": "b", "cell": [1, 0]},
             {"feed": "c", "cell": [0, 1]}, {"feed": "d", "cell": [1, 1], "fit": "cover"}]}]}}}
JSON

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 120 --headless --control "unix:$sock" --stats "$stats" \
    --snapshot-dir "$TEST_TMPDIR" --duration 100 "$layout"
wall_pid=$TESSERA_PID
wait_stats "$stats" 'all(feed(x)["frames_displayed"] > 10 for x in "abcd")' \
    30 "$wall_pid" wall
if ! grep -Eq 'llvmpipe|softpipe|SWR|Software Rasterizer' "$TEST_TMPDIR/wall.err"; then
    skip "OpenGL is not a software rasteriser here: the CPU scaling path is off"
fi

snapshot() {
    rm -f "$TEST_TMPDIR/$1"
    control_send "$sock" "{\"type\":\"snapshot\",\"name\":\"$1\"}" >/dev/null
    for _ in $(seq 50); do [[ -s $TEST_TMPDIR/$1 ]] && break; sleep 0.1; done
    [[ -s $TEST_TMPDIR/$1 ]] || fail "no snapshot $1"
}

# Tiles of 480x270: the 1280x720 picture is scaled down to them, the 640x360
# one too; both are drawn 1:1.
# Tile c's 4:3 picture is contained: scaled to 360x270; tile d's covers its
# tile: scaled to 480x360, of which the middle 270 rows show.
wait_stats "$stats" '[feed(x)["scaled_to"] for x in "abcd"] == [[480, 270], [480, 270], [360, 270], [480, 360]]' \
    10 "$wall_pid" wall
sleep 0.5 # frames of those sizes reach the screen
[[ $(stats_q "$stats" 'feed("a")["width"], feed("a")["masked"]') == "(1280, True)" ]] ||
    fail "feed a: $(stats_q "$stats" 'feed("a")["width"], feed("a")["masked"]'), want the decoded width 1280 and masked"
snapshot grid.png
png="$TEST_TMPDIR/grid.png"
png_expect "a: picture (top-left quarter)" "$png" 40 30 160 80 208 32 32 24
png_expect "a: picture (bottom-left quarter)" "$png" 40 160 160 80 208 32 32 24
png_expect "a: mask (bottom-right quarter)" "$png" 280 160 160 80 41 41 46 12
png_expect "b: picture" "$png" 560 60 400 150 32 192 64 24
note "cpu_scale: 480x270 tiles drawn from scaled RGB, colour and mask right"

# c's 4:3 picture is scaled to 360x270 and copied into x 60..420 of its tile
# (y 270..540): blue on top, yellow below, the tile background beside it.
drawn=$(stats_q "$stats" '[feed(x)["drawn"] for x in "abcd"]')
[[ $drawn == "['shader', 'copy', 'copy', 'copy']" ]] ||
    fail "drawn: $drawn, want a masked picture shaded and the others copied"
png_expect "c: top half" "$png" 150 300 240 90 32 64 208 24
png_expect "c: bottom half" "$png" 150 420 240 100 208 192 32 24
png_expect "c: bar left" "$png" 4 290 50 230 20 20 26 8
png_expect "c: bar right" "$png" 426 290 50 230 20 20 26 8
note "cpu_scale: a picture without masks copied, right way up, bars beside it"
# d's picture (y 0..360) covers its tile (x 480..960, y 270..540) with rows
# 45..315: blue above y 405, yellow below, no bars, the edges even (a cut
# taken from one end would leave 45 or 90 rows of one colour)
png_expect "d: top half, edge to edge" "$png" 484 274 472 120 32 64 208 24
png_expect "d: bottom half, edge to edge" "$png" 484 416 472 120 208 192 32 24
note "cpu_scale: a cover fit's middle copied, cut evenly top and bottom"

# Maximized, tile a is 960x540: the feed scales to that.
reply=$(control_send "$sock" '{"type":"maximize","output":"main","tile":0}')
[[ $reply == *'"ok":true'* ]] || fail "maximize: $reply"
wait_stats "$stats" 'feed("a")["scaled_to"] == [960, 540]' 10 "$wall_pid" wall
sleep 0.5 # a frame of the new size reaches the screen
snapshot max.png
png="$TEST_TMPDIR/max.png"
png_expect "maximized a: picture" "$png" 80 60 320 160 208 32 32 24
png_expect "maximized a: picture (top-right)" "$png" 560 60 320 160 208 32 32 24
png_expect "maximized a: mask" "$png" 560 320 320 160 41 41 46 12
note "cpu_scale: maximized, the feed scales to 960x540; the mask follows"
stop_pid "$wall_pid"

# --yuv-upload planar: no scaling, the same colours through the GL path.
run_tessera_snapshot "$layout" "$TEST_TMPDIR/planar.png" --yuv-upload planar \
    --no-control --stats "$TEST_TMPDIR/planar.json"
[[ $(stats_q "$TEST_TMPDIR/planar.json" 'feed("a")["scaled_to"]') == None ]] ||
    fail "--yuv-upload planar scaled on the feed thread"
png="$TEST_TMPDIR/planar.png"
png_expect "planar a: picture" "$png" 40 30 160 80 208 32 32 24
png_expect "planar a: mask" "$png" 280 160 160 80 41 41 46 12
note "cpu_scale: scaled path taken on software GL, pixels and masks right"
