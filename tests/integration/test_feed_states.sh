#!/usr/bin/env bash
# test_feed_states.sh - integration.feed_states: every feed state is reached
# with real servers, reported in --stats and shown on the tile, while a steady
# feed beside them keeps its frame rate.  One wall, eight feeds:
#   steady   a server nobody touches (its frames_displayed must keep advancing)
#   killed   its server is killed (SIGKILL) -> offline; restarted -> live
#   hung     its server is stopped (SIGSTOP) -> stalled, then offline by the
#            read timeout; continued (SIGCONT) -> live
#   resize   a stream whose resolution changes mid-way (640x360 <-> 320x180)
#   corrupt  a stream with corrupted bytes: decode errors counted, still live
#   closed   a port nobody listens on -> offline, reconnecting with backoff
#   silent   a server that accepts and never answers -> offline (timed out)
#   badurl   an unknown protocol -> error (no retry fixes it)
# The measured times are printed (detection after kill, after hang, recovery).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/steady.h264" --color 0x2040D0 --seconds 4
gen_clip "$TEST_TMPDIR/killed.h264" --color 0xD02020 --seconds 4
gen_clip "$TEST_TMPDIR/hung.h264" --color 0x20C040 --seconds 4
gen_clip "$TEST_TMPDIR/resize.h264" --color 0xE0C020 --seconds 4 --resize-mid \
    --size 640x360 --size2 320x180
gen_clip "$TEST_TMPDIR/corrupt.h264" --color 0x808080 --seconds 4
# Overwrite 2 KiB in the middle of the stream with noise (keeps start codes
# elsewhere intact, so the decoder must resynchronise and carry on).
size=$(stat -c %s "$TEST_TMPDIR/corrupt.h264")
for off in 3 5 7; do
    dd if=/dev/urandom of="$TEST_TMPDIR/corrupt.h264" bs=1 count=700 \
        seek=$((size * off / 10)) conv=notrunc status=none
done

p_steady="" p_killed="" p_hung="" p_resize="" p_corrupt=""
start_rtsp_server p_steady --mount "/cam=$TEST_TMPDIR/steady.h264"
start_rtsp_server p_killed --mount "/cam=$TEST_TMPDIR/killed.h264"
killed_pid=$RTSP_SERVER_PID
start_rtsp_server p_hung --mount "/cam=$TEST_TMPDIR/hung.h264"
hung_pid=$RTSP_SERVER_PID
start_rtsp_server p_resize --mount "/cam=$TEST_TMPDIR/resize.h264"
start_rtsp_server p_corrupt --mount "/cam=$TEST_TMPDIR/corrupt.h264"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
p_closed=$(free_port)
# A server that accepts TCP connections and never says a word.
p_silent=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
deadline = time.time() + 120
while time.time() < deadline:
    s.settimeout(1)
    try: conns.append(s.accept()[0])
    except socket.timeout: pass
' "$p_silent" &
_lib_pids+=($!)

layout="$TEST_TMPDIR/states.json"
cat >"$layout" <<JSON
{"feeds": {
  "steady": {"url": "rtsp://127.0.0.1:$p_steady/cam", "label": "Steady"},
  "killed": {"url": "rtsp://127.0.0.1:$p_killed/cam", "label": "Killed"},
  "hung": {"url": "rtsp://127.0.0.1:$p_hung/cam", "label": "Hung"},
  "resize": {"url": "rtsp://127.0.0.1:$p_resize/cam", "label": "Resize"},
  "corrupt": {"url": "rtsp://127.0.0.1:$p_corrupt/cam", "label": "Corrupt"},
  "closed": {"url": "rtsp://127.0.0.1:$p_closed/cam", "label": "Closed"},
  "silent": {"url": "rtsp://127.0.0.1:$p_silent/cam", "label": "Silent"},
  "badurl": {"url": "nosuchproto://camera/1", "label": "Bad URL"}},
 "outputs": [{"name": "main", "size": [1280, 720], "grid": [4, 2], "tiles": [
  {"feed": "steady", "cell": [0, 0]}, {"feed": "killed", "cell": [1, 0]},
  {"feed": "hung", "cell": [2, 0]}, {"feed": "resize", "cell": [3, 0]},
  {"feed": "corrupt", "cell": [0, 1]}, {"feed": "closed", "cell": [1, 1]},
  {"feed": "silent", "cell": [2, 1]}, {"feed": "badurl", "cell": [3, 1]}]}]}
JSON

stats="$TEST_TMPDIR/stats.json"
png="$TEST_TMPDIR/states.png"
start_tessera wall 90 --headless --stats "$stats" --snapshot "$png" --snapshot-after 40 \
    "$layout"
wall_pid=$TESSERA_PID

# field FEED KEY: prints the feed's KEY from the latest stats ("" if none).
field() {
    python3 - "$stats" "$1" "$2" <<'PY' 2>/dev/null || true
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(0)
for f in doc["feeds"]:
    if f["id"] == sys.argv[2]:
        v = f[sys.argv[3]]
        print("" if v is None else v)
PY
}

now_ms() { date +%s%3N; }

# wait_for FEED KEY VALUE SECONDS: waits until the feed's KEY is VALUE;
# prints the milliseconds it took; fails after SECONDS.
wait_for() {
    local t0 deadline
    t0=$(now_ms)
    deadline=$((t0 + $4 * 1000))
    while (($(now_ms) < deadline)); do
        [[ $(field "$1" "$2") == "$3" ]] && { echo $(($(now_ms) - t0)); return 0; }
        kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
        sleep 0.1
    done
    show_tessera_output wall
    fail "$1: $2 did not become '$3' within $4 s (it is '$(field "$1" "$2")')"
}

for f in steady killed hung resize corrupt; do
    wait_for "$f" state live 15 >/dev/null
done
note "all five served feeds are live"

steady_before=$(field steady frames_displayed)
t_phase=$(now_ms)

# Kill one server and stop another; times are measured from this moment.
kill -KILL "$killed_pid"
kill -STOP "$hung_pid"
wait_for killed state offline 10 >/dev/null
note "killed server: offline after $(($(now_ms) - t_phase)) ms"
# stalled lasts from ~2 s after the last frame to the 5 s read timeout:
# look for it before the killed server's restart, whose reconnect backoff
# alone can outlast that window
wait_for hung state stalled 10 >/dev/null
note "stopped server: stalled after $(($(now_ms) - t_phase)) ms"
t_restart=$(now_ms)
start_rtsp_server p_killed --mount "/cam=$TEST_TMPDIR/killed.h264" --port "$p_killed"
wait_for killed state live 15 >/dev/null
note "restarted server: live again $(($(now_ms) - t_restart)) ms after its restart"
wait_for hung state offline 15 >/dev/null
note "stopped server: offline (read timeout) after $(($(now_ms) - t_phase)) ms"
t_cont=$(now_ms)
kill -CONT "$hung_pid"
wait_for hung state live 20 >/dev/null
note "continued server: live again $(($(now_ms) - t_cont)) ms after SIGCONT"

steady_after=$(field steady frames_displayed)
elapsed=$(($(now_ms) - t_phase))
rate=$(((steady_after - steady_before) * 1000 / elapsed))
note "steady feed: $((steady_after - steady_before)) frames in ${elapsed} ms ($rate fps) during the failures"
((rate >= 20)) || fail "the steady feed slowed to $rate fps while others failed (want >= 20 of 30)"

[[ $(field closed state) == offline ]] || fail "closed: state $(field closed state), want offline"
[[ $(field closed detail) == *"refused"* ]] || fail "closed: detail '$(field closed detail)'"
(($(field closed reconnects) >= 2)) || fail "closed: $(field closed reconnects) reconnects, want >= 2"
wait_for silent state offline 15 >/dev/null
[[ $(field silent detail) == *"timed out"* ]] || fail "silent: detail '$(field silent detail)', want a timeout"
[[ $(field badurl state) == error ]] || fail "badurl: state $(field badurl state), want error"
[[ -n $(field badurl detail) ]] || fail "badurl: no detail"
[[ $(field corrupt state) == live ]] || fail "corrupt: state $(field corrupt state), want live"
(($(field corrupt decode_errors) > 0)) || fail "corrupt: no decode errors counted"
(($(field corrupt frames_decoded) > 60)) || fail "corrupt: only $(field corrupt frames_decoded) frames"

# The resize feed changes size every 2 s: both sizes must have been seen.
seen_w=""
for _ in $(seq 60); do
    w=$(field resize width)
    [[ " $seen_w " == *" $w "* ]] || seen_w="$seen_w $w"
    [[ $seen_w == *640* && $seen_w == *320* ]] && break
    sleep 0.1
done
[[ $seen_w == *640* && $seen_w == *320* ]] || fail "resize: widths seen:$seen_w, want 640 and 320"
[[ $(field resize state) == live ]] || fail "resize: state $(field resize state)"

# Credentials never appear in stats (no URL here has any, but the field exists).
grep -q '"url"' "$stats" || fail "stats have no url field"

# The tiles say what the stats say: the picture tiles show their colours,
# the dead ones a banner on the dark background.
kill -TERM "$wall_pid" 2>/dev/null || true
wait "$wall_pid" 2>/dev/null || true
env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=offscreen timeout -k 5 60 \
    "$TESSERA" --headless --snapshot "$png" --snapshot-after 6 "$layout" \
    >"$TEST_TMPDIR/snap.out" 2>"$TEST_TMPDIR/snap.err" || { show_tessera_output snap; fail "snapshot run failed"; }
expect_tile_colour "steady tile" "$png" 0 0 320 360 0x2040D0 30
expect_tile_colour "killed tile (server back)" "$png" 320 0 320 360 0xD02020 30
for cell in 1 3; do # closed (offline) and badurl (error): banner in the centre
    d=$(png_diff "$png" $((cell * 320 + 20)) $((360 + 160)) 280 40)
    frac_gt "$d" 0.03 || fail "tile at column $cell row 1 shows no status banner (diff $d)"
done
note "ok"
