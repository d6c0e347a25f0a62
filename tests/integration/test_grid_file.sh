#!/usr/bin/env bash
# test_grid_file.sh - integration.grid_file: four MP4 files with "loop": true
# on a 2x2 grid.  Each 2 s clip shows its colour for 1.6 s and then grey for
# 0.4 s, so a snapshot after 3 s shows the colour only if the file looped (a
# file that stopped at its end would leave grey or a status on the tile).
# Two feeds use file: URLs, two plain absolute paths (FFmpeg opens both).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

colors=(0xD02020 0x20C040 0x2040D0 0xE0C020)
tail_color=0x808080
urls=()
for i in 0 1 2 3; do
    base="$TEST_TMPDIR/clip$i"
    gen_clip "$base.head.h264" --color "${colors[i]}" --seconds 1.6
    gen_clip "$base.tail.h264" --color "$tail_color" --seconds 0.4
    cat "$base.head.h264" "$base.tail.h264" >"$base.h264"
    ffmpeg -nostdin -v error -y -framerate 30 -i "$base.h264" -c copy \
        -video_track_timescale 90000 "$base.mp4" ||
        fail "could not remux $base.h264 into MP4"
    if ((i % 2 == 0)); then urls+=("file:$base.mp4"); else urls+=("$base.mp4"); fi
done

layout="$TEST_TMPDIR/grid.json"
cat >"$layout" <<JSON
{
  "feeds": {
    "f0": {"url": "${urls[0]}", "label": "File 0", "loop": true},
    "f1": {"url": "${urls[1]}", "label": "File 1", "loop": true},
    "f2": {"url": "${urls[2]}", "label": "File 2", "loop": true},
    "f3": {"url": "${urls[3]}", "label": "File 3", "loop": true}
  },
  "outputs": [
    {"name": "main", "size": [1280, 720], "grid": [2, 2],
     "tiles": [
       {"feed": "f0", "cell": [0, 0]},
       {"feed": "f1", "cell": [1, 0]},
       {"feed": "f2", "cell": [0, 1]},
       {"feed": "f3", "cell": [1, 1]}
     ]}
  ]
}
JSON

png="$TEST_TMPDIR/grid.png"
run_tessera_snapshot "$layout" "$png" --snapshot-after 3
size=$(png_size "$png")
[[ $size == "1280 720" ]] || fail "snapshot is $size, want 1280 720"
for i in 0 1 2 3; do
    col=$((i % 2)) row=$((i / 2))
    tx=$((col * 640)) ty=$((row * 360))
    what="tile $i (${urls[i]}, ${colors[i]}; grey $tail_color means it did not loop)"
    expect_tile_colour "$what" "$png" "$tx" "$ty" 640 360 "${colors[i]}" 30
    expect_tile_label "$what" "$png" "$tx" "$ty" 640 360
done
note "pass"
