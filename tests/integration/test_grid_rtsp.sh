#!/usr/bin/env bash
# test_grid_rtsp.sh - integration.grid_rtsp: four RTSP cameras of distinct
# saturated colours on a 2x2 grid of one 1280x720 output; the headless
# snapshot must show each feed's colour in its own tile and a label drawn in
# each tile's bottom-left corner.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

colors=(0xD02020 0x20C040 0x2040D0 0xE0C020)
labels=("North Gate" "South Yard" "East Dock" "West Lot")
mounts=()
for i in 0 1 2 3; do
    gen_clip "$TEST_TMPDIR/cam$i.h264" --color "${colors[i]}" --seconds 4
    mounts+=(--mount "/cam$i=$TEST_TMPDIR/cam$i.h264")
done
port=""
start_rtsp_server port "${mounts[@]}"

layout="$TEST_TMPDIR/grid.json"
cat >"$layout" <<JSON
{
  "feeds": {
    "cam0": {"url": "rtsp://127.0.0.1:$port/cam0", "label": "${labels[0]}"},
    "cam1": {"url": "rtsp://127.0.0.1:$port/cam1", "label": "${labels[1]}"},
    "cam2": {"url": "rtsp://127.0.0.1:$port/cam2", "label": "${labels[2]}"},
    "cam3": {"url": "rtsp://127.0.0.1:$port/cam3", "label": "${labels[3]}"}
  },
  "outputs": [
    {"name": "main", "size": [1280, 720], "grid": [2, 2],
     "tiles": [
       {"feed": "cam0", "cell": [0, 0]},
       {"feed": "cam1", "cell": [1, 0]},
       {"feed": "cam2", "cell": [0, 1]},
       {"feed": "cam3", "cell": [1, 1]}
     ]}
  ]
}
JSON

# Both ways of handing pictures to OpenGL: packed (the default on software
# GL) and planar (the default on GPUs) must show the same colours.
for upload in packed planar; do
    png="$TEST_TMPDIR/grid-$upload.png"
    run_tessera_snapshot "$layout" "$png" --yuv-upload "$upload"
    size=$(png_size "$png")
    [[ $size == "1280 720" ]] || fail "snapshot is $size, want 1280 720"
    for i in 0 1 2 3; do
        col=$((i % 2)) row=$((i / 2))
        tx=$((col * 640)) ty=$((row * 360))
        what="$upload upload: tile $i (${labels[i]}, ${colors[i]})"
        expect_tile_colour "$what" "$png" "$tx" "$ty" 640 360 "${colors[i]}" 30
        expect_tile_label "$what" "$png" "$tx" "$ty" 640 360
    done
done
seen=$(rtsp_clients_seen "$RTSP_SERVER_LOG")
((seen >= 8)) || fail "only $seen RTSP clients connected, want 8 (one per feed, two runs)"
note "pass"
