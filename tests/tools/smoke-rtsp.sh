#!/usr/bin/env bash
# smoke-rtsp.sh - ctest tools.rtsp_server_smoke: serves a 2 s clip with
# tessera-test-rtsp on a free port and reads 3.5 s of it with FFmpeg over RTSP
# /TCP, checking real-time pacing, decodable frames and strictly increasing
# timestamps past the first loop wrap; then a late joiner on the shared
# pipeline, a restart on the same port after SIGKILL, and a clean SIGTERM.
# Needs TESSERA_TEST_RTSP and ffmpeg; exits 77 (skipped) without them.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

_need_exe TESSERA_TEST_RTSP
need_cmd ffmpeg awk

fps=30
frames=105 # 3.5 s: the 2 s clip wraps once
gen_clip "$TEST_TMPDIR/clip.h264" --color 0x20C040 --seconds 2 --fps "$fps"

# read_stream URL FRAMES LOG: decodes FRAMES frames of URL over RTSP/TCP with
# showinfo (one line per frame on LOG); prints the wall time it took.
read_stream() {
    local url=$1 n=$2 log=$3 t0 t1 rc=0
    t0=$(date +%s.%N)
    timeout -k 2 20 ffmpeg -nostdin -hide_banner -nostats -rtsp_transport tcp -i "$url" \
        -frames:v "$n" -vf showinfo -f null - >"$log" 2>&1 || rc=$?
    t1=$(date +%s.%N)
    if ((rc != 0)); then
        tail -n 20 "$log" >&2
        fail "ffmpeg reading $url exited with status $rc"
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

# check_timeline LOG MIN_FRAMES MIN_SPAN: fails unless LOG shows at least
# MIN_FRAMES decoded frames whose timestamps increase strictly (after the
# first, which FFmpeg's RTSP demuxer leaves without a timestamp) in steps of
# at most 0.1 s and span at least MIN_SPAN seconds; prints "frames span".
check_timeline() {
    local log=$1 min_frames=$2 min_span=$3 summary
    summary=$(sed -n 's/.*Parsed_showinfo.* n: *[0-9]* .*pts_time:\([-0-9.]*\) .*/\1/p' "$log" |
        awk -v min_frames="$min_frames" -v min_span="$min_span" '
            NR == 1 { first = $1 }
            NR > 2 && $1 <= prev && nbad++ < 5 { bad = bad sprintf(" %s->%s@%d", prev, $1, NR) }
            NR > 2 && $1 - prev > 0.1 && nbad++ < 5 { bad = bad sprintf(" gap %s->%s@%d", prev, $1, NR) }
            { prev = $1 }
            END {
                printf "%d %.3f", NR, prev - first
                if (NR < min_frames) printf " too-few-frames"
                if (prev - first < min_span) printf " span-too-short"
                if (nbad) printf " %d bad timestamps, first:%s", nbad, bad
            }')
    [[ $summary =~ ^[0-9]+\ [0-9.]+$ ]] || fail "$log: $summary"
    echo "$summary"
}

port="" port2=""
start_rtsp_server port --mount "/cam=$TEST_TMPDIR/clip.h264"
server_pid=$RTSP_SERVER_PID
url="rtsp://127.0.0.1:$port/cam"
note "server ready on port $port"

# 1. Real-time pacing and timestamps across the loop wrap.
secs=$(read_stream "$url" "$frames" "$TEST_TMPDIR/client1.log")
timeline=$(check_timeline "$TEST_TMPDIR/client1.log" "$frames" 3.3)
read -r n span <<<"$timeline"
note "client 1: $n frames spanning $span s in $secs s of wall time"
# 105 frames at 30 fps take 3.5 s when paced; allow start-up and a loaded CI.
awk -v s="$secs" 'BEGIN { exit !(s >= 3.0 && s <= 9.0) }' ||
    fail "105 frames took $secs s; a real-time 30 fps stream takes about 3.5 s"
if grep -Ei 'error|non.monoton|corrupt|concealing' "$TEST_TMPDIR/client1.log" >&2; then
    fail "ffmpeg reported decoding trouble"
fi

# 2. Shared pipeline: a viewer joining a running stream decodes from the next
# keyframe without disturbing the first one.
read_stream "$url" 150 "$TEST_TMPDIR/client2.log" >/dev/null &
first=$!
sleep 2
read_stream "$url" 30 "$TEST_TMPDIR/client3.log" >/dev/null
wait "$first" || fail "the first of two concurrent viewers failed"
check_timeline "$TEST_TMPDIR/client2.log" 150 4.8 >/dev/null
check_timeline "$TEST_TMPDIR/client3.log" 30 0.9 >/dev/null
seen=$(rtsp_clients_seen "$RTSP_SERVER_LOG")
((seen == 3)) || fail "server log shows $seen client connections, want 3"
grep -q '^CLIENT closed 127.0.0.1' "$RTSP_SERVER_LOG" || fail "no CLIENT closed line"

# 3. A killed server restarts on the same port at once (SO_REUSEADDR).
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
start_rtsp_server port2 --port "$port" --mount "/cam=$TEST_TMPDIR/clip.h264"
[[ $port2 == "$port" ]] || fail "restart listened on $port2, want $port"
read_stream "$url" 15 "$TEST_TMPDIR/client4.log" >/dev/null
check_timeline "$TEST_TMPDIR/client4.log" 15 0.4 >/dev/null

# 4. SIGTERM stops it cleanly.
kill -TERM "$RTSP_SERVER_PID"
rc=0
wait "$RTSP_SERVER_PID" || rc=$?
((rc == 0)) || fail "server exited with status $rc after SIGTERM"
note "pass"
