#!/usr/bin/env bash
# test_file_loop.sh - integration.file_loop: a file with "loop": true plays
# on at its own frame rate across its ends, with no pause at each loop and
# no frame lost or doubled.  Three 0.5 s clips (an MP4 without B-frames, an
# MP4 with B-frames, whose last pictures leave the decoder late, and an
# MPEG-TS) loop about ten times, and a one-frame MP4 every frame, while the
# frames each feed decodes are
# counted between two stats files 5 s apart: 30 fps clips must give 30 fps.
# A pacing clock restarted wrongly at the loop point plays a pass too fast
# (or stalls it), and a B-frame tail lost at each end costs frames; either
# leaves the 29.2-30.8 band.  (What a loop costs a hardware decoder, which
# FFmpeg's H.264 flush would restart, only tools/gpu-check can see.)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

clips=(plain.mp4 bframes.mp4 plain.ts oneframe.mp4)
gen_clip "$TEST_TMPDIR/plain.mp4" --pattern --seconds 0.5
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=640x360:rate=30 -t 0.5 \
    -c:v libx264 -bf 3 -g 15 -pix_fmt yuv420p "$TEST_TMPDIR/bframes.mp4" ||
    fail "could not make the B-frame clip"
ffmpeg -nostdin -v error -y -i "$TEST_TMPDIR/plain.mp4" -c copy "$TEST_TMPDIR/plain.ts" ||
    fail "could not remux into MPEG-TS"
ffmpeg -nostdin -v error -y -f lavfi -i color=c=red:size=640x360:rate=30 -frames:v 1 \
    -c:v libx264 -pix_fmt yuv420p "$TEST_TMPDIR/oneframe.mp4" || fail "could not make oneframe.mp4"
[[ $(ffprobe -v error -select_streams v -show_entries stream=has_b_frames -of csv=p=0 \
    "$TEST_TMPDIR/bframes.mp4") -gt 0 ]] || fail "bframes.mp4 has no B-frames"

layout="$TEST_TMPDIR/loop.json"
{
    echo '{"feeds": {'
    for i in 0 1 2 3; do
        printf '  "f%d": {"url": "%s", "loop": true}%s\n' "$i" "$TEST_TMPDIR/${clips[i]}" \
            "$([[ $i -lt 3 ]] && echo ,)"
    done
    echo '}, "outputs": [{"name": "main", "size": [640, 360], "grid": [2, 2], "tiles": ['
    echo '  {"feed": "f0", "cell": [0, 0]}, {"feed": "f1", "cell": [1, 0]},'
    echo '  {"feed": "f2", "cell": [0, 1]}, {"feed": "f3", "cell": [1, 1]}'
    echo ']}]}'
} >"$layout"

stats="$TEST_TMPDIR/stats.json"
start_tessera loop 40 --headless --no-control --stats "$stats" "$layout"
wait_stats "$stats" 'all(f["state"] == "live" for f in d["feeds"])' 20 "$TESSERA_PID" loop
sleep 1.5 # past the first loop

# "FRAMES... SECONDS": frames decoded per feed, and when the wall read those
# counters ("uptime_ms"; the file itself may be written later on a busy machine)
sample() {
    python3 - "$stats" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(*[f["frames_decoded"] for f in d["feeds"]], d["uptime_ms"] / 1000.0)
PY
}
wait_fresh() { # waits for the wall's next stats file (written every second)
    local before
    before=$(stat -c %y "$stats")
    for _ in $(seq 30); do
        [[ $(stat -c %y "$stats") != "$before" ]] && return 0
        sleep 0.05
    done
    fail "the stats file was not rewritten within 1.5 s"
}
wait_fresh
read -r -a a < <(sample)
sleep 4.8
wait_fresh
read -r -a b < <(sample)
kill -0 "$TESSERA_PID" 2>/dev/null || { show_tessera_output loop; fail "tessera died"; }

for i in 0 1 2 3; do
    rate=$(awk -v f0="${a[i]}" -v f1="${b[i]}" -v t0="${a[4]}" -v t1="${b[4]}" \
        'BEGIN { printf "%.2f", (f1 - f0) / (t1 - t0) }')
    note "${clips[i]}: $((b[i] - a[i])) frames in $(awk -v t0="${a[4]}" -v t1="${b[4]}" \
        'BEGIN { printf "%.2f", t1 - t0 }') s: $rate fps"
    awk -v r="$rate" 'BEGIN { exit !(r >= 29.2 && r <= 30.8) }' ||
        fail "${clips[i]} plays at $rate fps across its loops, want 30 (29.2-30.8)"
done
errors=$(stats_q "$stats" 'sum(f["decode_errors"] for f in d["feeds"])')
[[ $errors == 0 ]] || fail "$errors decode errors across the loops"
note "pass"
