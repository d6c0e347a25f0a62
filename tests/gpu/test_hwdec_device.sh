#!/usr/bin/env bash
# test_hwdec_device.sh MODE - GPU-only: real hardware decoding with MODE
# (nvdec or vaapi).  Exits 77 (skipped) unless `tessera --list-hwdec` says
# MODE works on this machine.  Decodes two RTSP cameras (H.264, and HEVC
# when the ffmpeg CLI can encode it) with --hwdec MODE --headless; every
# tile must show its colour, every feed must decode with MODE (zero-copy) or
# MODE-copy (copy mode, which the log must explain), never software.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
mode=${1:?usage: test_hwdec_device.sh nvdec|vaapi}
need_tessera
need_cmd python3

run_tessera list --list-hwdec
line=$(grep "^$mode: " "$TEST_TMPDIR/list.out" || true)
[[ $line == "$mode: ok: "* ]] || skip "${line:-$mode: not listed} (no GPU for it here)"
note "$line"

colors=(0xD02020 0x2040D0)
codecs=(h264 h264)
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx265; then codecs[1]=hevc; fi
mounts=()
for i in 0 1; do
    ext=$([[ ${codecs[i]} == hevc ]] && echo h265 || echo h264)
    gen_clip "$TEST_TMPDIR/cam$i.$ext" --color "${colors[i]}" --size 1280x720 --seconds 4
    mounts+=(--mount "/cam$i=$TEST_TMPDIR/cam$i.$ext")
done
port=""
start_rtsp_server port "${mounts[@]}"
layout="$TEST_TMPDIR/gpu.json"
cat >"$layout" <<JSON
{
  "feeds": {
    "cam0": {"url": "rtsp://127.0.0.1:$port/cam0"},
    "cam1": {"url": "rtsp://127.0.0.1:$port/cam1"}
  },
  "outputs": [
    {"name": "main", "size": [1280, 360], "grid": [2, 1],
     "tiles": [{"feed": "cam0", "cell": [0, 0]}, {"feed": "cam1", "cell": [1, 0]}]}
  ]
}
JSON
png="$TEST_TMPDIR/gpu.png" stats="$TEST_TMPDIR/stats.json"
run_tessera_snapshot "$layout" "$png" --hwdec "$mode" --stats "$stats" --no-control \
    --snapshot-after 4
for i in 0 1; do
    expect_tile_colour "tile $i (${codecs[i]}, --hwdec $mode)" "$png" $((i * 640)) 0 640 360 \
        "${colors[i]}" 30
done
for f in cam0 cam1; do
    hw=$(python3 -c 'import json,sys; print(next(f["hwdec"] for f in json.load(open(sys.argv[1]))["feeds"] if f["id"] == sys.argv[2]))' "$stats" "$f")
    [[ $hw == "$mode" || $hw == "$mode-copy" ]] ||
        { show_tessera_output snapshot.gpu; fail "feed $f decodes with '$hw', want $mode"; }
    note "feed $f: $hw"
done
if grep -q 'zero-copy: frames go to OpenGL' "$TEST_TMPDIR/snapshot.gpu.err"; then
    note "zero-copy: $(grep -o 'through [a-z-]*' "$TEST_TMPDIR/snapshot.gpu.err" | head -n 1)"
else
    grep -q 'zero-copy unavailable' "$TEST_TMPDIR/snapshot.gpu.err" ||
        fail "neither zero-copy nor a reason for copy mode in the log"
    note "copy mode: $(grep -o 'zero-copy unavailable.*' "$TEST_TMPDIR/snapshot.gpu.err" | head -n 1)"
fi
note "pass"
