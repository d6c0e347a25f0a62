#!/usr/bin/env bash
# test_grid_4x4.sh - integration.grid_4x4: sixteen RTSP cameras (640x360 at
# 30 fps) on a 4x4 grid of one 1920x1080 output; after 4 s every tile must
# show its own feed's colour.  The colours are far apart (every pair differs
# by at least 80 in some channel) and chosen so that decoding them with the
# BT.601 or the BT.709 matrix stays well inside the tolerance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

colors=(0x303080 0x808030 0x8080D0 0xD0D080
    0x308080 0x3080D0 0x803030 0x80D0D0
    0xD08030 0xD08080 0x3030D0 0xD0D030
    0x308030 0x803080 0x80D080 0xD080D0)
mounts=()
pids=()
for i in "${!colors[@]}"; do
    "$TESSERA_GEN_CLIP" "$TEST_TMPDIR/cam$i.h264" --color "${colors[i]}" \
        --size 640x360 --fps 30 --seconds 4 &
    pids+=($!)
    mounts+=(--mount "/cam$i=$TEST_TMPDIR/cam$i.h264")
done
for pid in "${pids[@]}"; do
    wait "$pid" || fail "gen-clip failed"
done
port=""
start_rtsp_server port "${mounts[@]}"

layout="$TEST_TMPDIR/grid.json"
{
    echo '{"feeds": {'
    for i in "${!colors[@]}"; do
        sep=","
        ((i == ${#colors[@]} - 1)) && sep=""
        echo "  \"cam$i\": {\"url\": \"rtsp://127.0.0.1:$port/cam$i\", \"label\": \"Camera $i\"}$sep"
    done
    echo '},'
    echo '"outputs": [{"name": "main", "size": [1920, 1080], "grid": [4, 4], "tiles": ['
    for i in "${!colors[@]}"; do
        sep=","
        ((i == ${#colors[@]} - 1)) && sep=""
        echo "  {\"feed\": \"cam$i\", \"cell\": [$((i % 4)), $((i / 4))]}$sep"
    done
    echo ']}]}'
} >"$layout"

png="$TEST_TMPDIR/grid.png"
run_tessera_snapshot "$layout" "$png" --snapshot-after 4
size=$(png_size "$png")
[[ $size == "1920 1080" ]] || fail "snapshot is $size, want 1920 1080"
seen=$(rtsp_clients_seen "$RTSP_SERVER_LOG")
((seen >= 16)) || fail "only $seen RTSP clients connected, want 16 (one per feed)"
bad=0
for i in "${!colors[@]}"; do
    col=$((i % 4)) row=$((i / 4))
    tx=$((col * 480)) ty=$((row * 270))
    # Check every tile before failing, so one run shows every broken tile.
    (expect_tile_colour "tile $i (${colors[i]})" "$png" "$tx" "$ty" 480 270 \
        "${colors[i]}" 30) || bad=$((bad + 1))
done
((bad == 0)) || fail "$bad of 16 tiles do not show their feed's colour"
note "pass"
