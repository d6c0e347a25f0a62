# shellcheck shell=bash
# lib.sh - helpers that integration tests (and the tools' smoke tests) source:
# scratch directory, clip generation, a real RTSP server in the background,
# running Tessera headless for a snapshot, PNG checks, and cleanup of
# everything started.  Sourcing it turns on `set -euo pipefail`.
#
# Environment (set by ctest; defaults for running a script by hand):
#   TESSERA             the tessera binary
#   TESSERA_TEST_RTSP   tessera-test-rtsp (tests/tools/rtsp_server.c)
#   TESSERA_PNG_PROBE   tessera-png-probe (tests/tools/png_probe.c)
#   TESSERA_SOURCE_DIR  the source tree (default: two levels above this file)
#   TESSERA_GEN_CLIP    gen-clip (default: $TESSERA_SOURCE_DIR/tests/tools/gen-clip)
#   TEST_TMPDIR         scratch directory; if unset one is made with mktemp -d
#                       and removed on exit unless KEEP_TMP=1 (a directory
#                       given by the caller is never removed)
# Exit status convention: 0 pass, 1 fail, 77 skip (ctest SKIP_RETURN_CODE).

set -euo pipefail

TESSERA_SOURCE_DIR=${TESSERA_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TESSERA_GEN_CLIP=${TESSERA_GEN_CLIP:-$TESSERA_SOURCE_DIR/tests/tools/gen-clip}
TESSERA=${TESSERA:-}
TESSERA_TEST_RTSP=${TESSERA_TEST_RTSP:-}
TESSERA_PNG_PROBE=${TESSERA_PNG_PROBE:-}

_lib_own_tmp=0
if [[ -z ${TEST_TMPDIR:-} ]]; then
    TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/tessera-test.XXXXXX")
    _lib_own_tmp=1
else
    mkdir -p "$TEST_TMPDIR"
fi
export TEST_TMPDIR

_lib_pids=()        # background processes to stop on exit
_lib_servers=0      # RTSP servers started so far (names their logs)
RTSP_SERVER_PID=""  # set by start_rtsp_server: the last server's pid ...
RTSP_SERVER_LOG=""  # ... and its stdout/stderr log
TESSERA_RC=0        # set by run_tessera: the last run's exit status
TESSERA_PID=""      # set by start_tessera: the background run's pid

# note MSG...: prints a progress line on stderr.
note() {
    echo "# $*" >&2
}

# fail MSG...: prints MSG as the reason the test failed and exits 1.
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# skip MSG...: prints why the test cannot run here and exits 77 (skipped).
skip() {
    echo "SKIP: $*" >&2
    exit 77
}

# need_cmd CMD...: skips the test unless every CMD is on PATH.
need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || skip "'$c' is not installed"
    done
}

# _need_exe VAR: skips the test unless the variable VAR names an executable.
_need_exe() {
    local path=${!1:-}
    [[ -n $path ]] || skip "$1 is not set (run through ctest or set it by hand)"
    [[ -x $path ]] || skip "$1=$path is not built"
}

# need_tessera: skips the test unless tessera and both test tools are built.
need_tessera() {
    _need_exe TESSERA
    need_test_tools
}

# need_test_tools: skips the test unless tessera-test-rtsp and
# tessera-png-probe are built and ffmpeg is installed.
need_test_tools() {
    _need_exe TESSERA_TEST_RTSP
    _need_exe TESSERA_PNG_PROBE
    need_cmd ffmpeg
}

# stop_pid PID: stops a process we started (continuing it first in case a
# test stopped it), giving it 5 s to exit after SIGTERM before SIGKILL.
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# cleanup: the EXIT trap: stops every background process started through
# this file and removes the scratch directory we made (unless KEEP_TMP=1).
cleanup() {
    local status=$? pid
    trap - EXIT
    for pid in "${_lib_pids[@]}"; do
        stop_pid "$pid"
    done
    if ((_lib_own_tmp)); then
        if [[ ${KEEP_TMP:-0} == 1 ]]; then
            note "kept $TEST_TMPDIR"
        else
            rm -rf "$TEST_TMPDIR"
        fi
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# gen_clip OUT [gen-clip options]: generates a test clip (see gen-clip --help);
# fails the test if generation fails.
gen_clip() {
    "$TESSERA_GEN_CLIP" "$@" || fail "gen-clip $* failed"
}

# start_rtsp_server PORTVAR ARGS...: starts tessera-test-rtsp --port 0 ARGS in
# the background (ARGS holds the --mount options; a later --port N in ARGS
# wins, for restarting on a known port), waits for its READY line and stores
# the port in the variable named PORTVAR.  Sets RTSP_SERVER_PID and
# RTSP_SERVER_LOG; the server is stopped on exit.  Not for use in $(...).
# (Locals are prefixed so that they never shadow PORTVAR.)
start_rtsp_server() {
    local _srv_var=$1 _srv_i _srv_port=""
    shift
    _lib_servers=$((_lib_servers + 1))
    local log="$TEST_TMPDIR/rtsp-server.$_lib_servers.log"
    : >"$log"
    "$TESSERA_TEST_RTSP" --port 0 "$@" >"$log" 2>&1 &
    local pid=$!
    _lib_pids+=("$pid")
    for ((_srv_i = 0; _srv_i < 200; _srv_i++)); do
        _srv_port=$(sed -n 's/^READY port=\([0-9][0-9]*\)$/\1/p' "$log")
        [[ -n $_srv_port ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$log" >&2
            fail "tessera-test-rtsp $* exited before it was ready"
        fi
        sleep 0.05
    done
    if [[ -z $_srv_port ]]; then
        cat "$log" >&2
        fail "tessera-test-rtsp $* was not ready within 10 s"
    fi
    # shellcheck disable=SC2034 # read by the scripts that source this file
    RTSP_SERVER_PID=$pid
    # shellcheck disable=SC2034
    RTSP_SERVER_LOG=$log
    printf -v "$_srv_var" '%s' "$_srv_port"
}

# rtsp_clients_seen LOG: prints how many clients ever connected to the server
# that writes LOG.
rtsp_clients_seen() {
    grep -c '^CLIENT connected ' "$1" || true
}

# run_tessera NAME ARGS...: runs "$TESSERA ARGS" the way tests do (offscreen
# SDL, no DISPLAY, under timeout 60) with stdout in $TEST_TMPDIR/NAME.out and
# stderr in $TEST_TMPDIR/NAME.err; stores the exit status in TESSERA_RC
# (124: timed out) and never fails by itself.
run_tessera() {
    local name=$1
    shift
    TESSERA_RC=0
    env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=offscreen \
        timeout -k 5 60 "$TESSERA" "$@" \
        >"$TEST_TMPDIR/$name.out" 2>"$TEST_TMPDIR/$name.err" || TESSERA_RC=$?
}

# start_tessera NAME SECONDS ARGS...: starts "$TESSERA ARGS" in the
# background the way tests do (offscreen SDL, no DISPLAY, killed after
# SECONDS) with its output in $TEST_TMPDIR/NAME.{out,err}; sets TESSERA_PID
# and stops it on exit.  Not for use in $(...).
start_tessera() {
    local name=$1 limit=$2
    shift 2
    env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=offscreen \
        timeout -k 5 "$limit" "$TESSERA" "$@" \
        >"$TEST_TMPDIR/$name.out" 2>"$TEST_TMPDIR/$name.err" &
    TESSERA_PID=$!
    _lib_pids+=("$TESSERA_PID")
}

# show_tessera_output NAME: prints the tail of a run_tessera run's output.
show_tessera_output() {
    echo "--- tessera stdout ($1) ---" >&2
    tail -n 20 "$TEST_TMPDIR/$1.out" >&2 || true
    echo "--- tessera stderr ($1) ---" >&2
    tail -n 40 "$TEST_TMPDIR/$1.err" >&2 || true
}

# run_tessera_snapshot LAYOUT OUT.png [ARGS...]: runs tessera --headless
# --snapshot OUT.png --snapshot-after 3 (unless ARGS has its own
# --snapshot-after) ARGS LAYOUT through run_tessera; fails the test, showing
# the output, unless it exits 0 having written OUT.png.  Its output stays in
# $TEST_TMPDIR/snapshot.<name of OUT>.{out,err}.
run_tessera_snapshot() {
    local layout=$1 out=$2 a
    shift 2
    local after=(--snapshot-after 3)
    for a in "$@"; do
        [[ $a == --snapshot-after || $a == --snapshot-after=* ]] && after=()
    done
    local name
    name="snapshot.$(basename "$out" .png)"
    rm -f "$out"
    note "tessera --headless --snapshot $out ${after[*]} $* $layout"
    run_tessera "$name" --headless --snapshot "$out" "${after[@]}" "$@" "$layout"
    if ((TESSERA_RC != 0)); then
        show_tessera_output "$name"
        ((TESSERA_RC == 124)) && fail "tessera did not finish within 60 s"
        fail "tessera exited with status $TESSERA_RC"
    fi
    if [[ ! -s $out ]]; then
        show_tessera_output "$name"
        fail "tessera exited 0 but wrote no $out"
    fi
}

# hex_rgb 0xRRGGBB: prints "R G B" in decimal.
hex_rgb() {
    local h=${1: -6}
    echo "$((16#${h:0:2})) $((16#${h:2:2})) $((16#${h:4:2}))"
}

# png_size PNG: prints "W H".
png_size() {
    "$TESSERA_PNG_PROBE" "$1" size || fail "cannot read $1"
}

# png_avg PNG X Y W H: prints the mean "R G B" of the rectangle.
png_avg() {
    "$TESSERA_PNG_PROBE" "$1" avg "$2" "$3" "$4" "$5" || fail "png avg $* failed"
}

# png_diff PNG X Y W H: prints the fraction of the rectangle's pixels more
# than 40 away from its mean (text or edges drawn over it).
png_diff() {
    "$TESSERA_PNG_PROBE" "$1" diff "$2" "$3" "$4" "$5" || fail "png diff $* failed"
}

# png_expect WHAT PNG X Y W H R G B TOL: fails the test (saying WHAT) unless
# the rectangle's mean colour is within TOL of R G B in every channel.
png_expect() {
    local what=$1 msg rc=0
    shift
    msg=$("$TESSERA_PNG_PROBE" "$1" expect "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" 2>&1) || rc=$?
    ((rc == 0)) || fail "$what: ${msg:-probe exited $rc}"
}

# frac_gt A B: succeeds if the decimal fraction A is greater than B.
frac_gt() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'
}

# expect_tile_colour WHAT PNG TX TY TW TH 0xRRGGBB TOL: fails unless the
# central 30% x 30% of the tile at (TX,TY) sized TWxTH has the mean colour
# 0xRRGGBB within TOL.  That region avoids the label strip at the bottom and
# the moving square in the top-left corner of our clips.
expect_tile_colour() {
    local what=$1 png=$2 tx=$3 ty=$4 tw=$5 th=$6 rgb
    rgb=$(hex_rgb "$7")
    local w=$((tw * 3 / 10)) h=$((th * 3 / 10))
    # shellcheck disable=SC2086 # rgb is "R G B"
    png_expect "$what" "$png" $((tx + (tw - w) / 2)) $((ty + (th - h) / 2)) \
        "$w" "$h" $rgb "$8"
}

# expect_tile_label WHAT PNG TX TY TW TH: fails unless the tile's label strip
# (bottom-left, about 28 px tall at 720p) holds something other than plain
# video: at least 5% of a 120x20 rectangle there differs from its mean,
# while the tile's centre is plain (under 2%), so the difference is drawn.
expect_tile_label() {
    local what=$1 png=$2 tx=$3 ty=$4 tw=$5 th=$6 d c
    local w=$((tw / 4 < 120 ? tw / 4 : 120))
    d=$(png_diff "$png" $((tx + 4)) $((ty + th - 24)) "$w" 20)
    c=$(png_diff "$png" $((tx + tw * 35 / 100)) $((ty + th * 35 / 100)) \
        $((tw * 3 / 10)) $((th * 3 / 10)))
    frac_gt "$c" 0.02 && fail "$what: the tile centre is not plain (diff $c)"
    frac_gt "$d" 0.05 || fail "$what: no label in the bottom-left strip (diff $d)"
}

# stats_q STATS EXPR: evaluates the Python expression EXPR over the --stats
# document STATS (as `d`, with `feed(id)` for one feed) and prints the
# result; prints nothing until the document exists.
stats_q() {
    python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(0)
feed = lambda i: next(f for f in d["feeds"] if f["id"] == i)
print(eval(sys.argv[2]))
PY
}

# control_ok SOCK NAME JSON: sends one request over SOCK, the control
# socket of the tessera started as NAME; fails, showing NAME's output,
# unless the reply is ok.
control_ok() {
    local reply
    reply=$(control_send "$1" "$3")
    [[ $reply == '{"ok":true'* ]] || { show_tessera_output "$2"; fail "$2: $3: $reply"; }
}

# control_snapshot SOCK NAME PNG: asks the tessera started as NAME (control
# socket SOCK, snapshots in $TEST_TMPDIR) for a snapshot named PNG and waits
# up to 20 s for the file; fails otherwise.
control_snapshot() {
    local i
    rm -f "$TEST_TMPDIR/$3"
    control_ok "$1" "$2" "{\"type\":\"snapshot\",\"name\":\"$3\"}"
    for ((i = 0; i < 200; i++)); do
        [[ -s $TEST_TMPDIR/$3 ]] && return 0
        sleep 0.1
    done
    show_tessera_output "$2"
    fail "snapshot $3 not written within 20 s"
}

# control_send SOCK JSON: sends one request over the Unix control socket
# SOCK and prints the reply line.
control_send() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())
PY
}

# wait_stats STATS EXPR SECONDS PID NAME: waits until `stats_q STATS EXPR`
# prints True; fails (showing run NAME's output) after SECONDS or when the
# process PID is gone.
wait_stats() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        [[ $(stats_q "$1" "$2") == True ]] && return 0
        kill -0 "$4" 2>/dev/null || { show_tessera_output "$5"; fail "tessera died"; }
        sleep 0.1
    done
    show_tessera_output "$5"
    fail "not true within $3 s: $2 (stats: $(head -c 600 "$1" 2>/dev/null))"
}

# start_broker PORTVAR [PORT]: starts a Mosquitto broker (anonymous, no
# persistence) on 127.0.0.1 at PORT (default: a free port), waits until it
# accepts connections and stores its port in the variable named PORTVAR.
# Sets BROKER_PID; the broker is stopped on exit.  Not for use in $(...).
start_broker() {
    local _b_var=$1 _b_port=${2:-} _b_i
    need_cmd mosquitto
    if [[ -z $_b_port ]]; then
        _b_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    fi
    local conf="$TEST_TMPDIR/mosquitto.$_b_port.conf"
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n' \
        "$_b_port" >"$conf"
    mosquitto -c "$conf" >>"$TEST_TMPDIR/mosquitto.log" 2>&1 &
    BROKER_PID=$!
    _lib_pids+=("$BROKER_PID")
    for ((_b_i = 0; _b_i < 100; _b_i++)); do
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' \
            "$_b_port" 2>/dev/null && break
        kill -0 "$BROKER_PID" 2>/dev/null || { cat "$TEST_TMPDIR/mosquitto.log" >&2; fail "mosquitto exited"; }
        sleep 0.05
    done
    printf -v "$_b_var" '%s' "$_b_port"
}

# live_q SOCK EXPR [TYPE]: asks the wall behind control socket SOCK for its
# stats (TYPE "state": its incidents and units) and prints EXPR evaluated
# over them (as `d`), or nothing when it does not answer.
live_q() {
    python3 - "$1" "$2" "${3:-stats}" <<'PY' 2>/dev/null || true
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])
s.sendall(b'{"type":"%s"}\n' % sys.argv[3].encode())
r = json.loads(s.makefile().readline())
d = r.get("stats", r)
feed = lambda i: next(f for f in d["feeds"] if f["id"] == i)
print(eval(sys.argv[2]))
PY
}

# The helpers below talk to a wall run as NAME with --control
# unix:$TEST_TMPDIR/NAME.sock and started through start_tessera NAME (the
# nodes of a wall of several PCs).

# node_q NAME EXPR: live_q over NAME's control socket.
node_q() {
    live_q "$TEST_TMPDIR/$1.sock" "$2"
}

# node_until NAME EXPR SECONDS WHAT: waits until EXPR over NAME's live stats
# is True; fails (saying WHAT, showing NAME's output) after SECONDS.
node_until() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        [[ $(node_q "$1" "$2") == True ]] && return 0
        sleep 0.1
    done
    show_tessera_output "$1"
    fail "$4: not within $3 s on $1: $2 (now: $(node_q "$1" "$2"))"
}

# node_send NAME JSON: sends one request to NAME's control socket; fails
# unless the reply is ok.
node_send() {
    control_ok "$TEST_TMPDIR/$1.sock" "$1" "$2"
}
