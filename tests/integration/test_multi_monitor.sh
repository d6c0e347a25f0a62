#!/usr/bin/env bash
# test_multi_monitor.sh - integration.multi_monitor: Tessera on a real X
# server with several monitors (Xorg + dummy driver, tests/tools/xorg-dummy),
# windowed, not --headless.  Four RTSP cameras of distinct solid colours.
#   1. --list-displays prints the 2 (then 4) monitors with their bounds.
#   2. Two monitors ("display": 0 and "display": "DUMMY1"), camera 0 in three
#      tiles on both: a grab of the X root shows every tile's colour on its
#      monitor; --stats lists each feed once and camera 0 decodes at one
#      decoder's rate (as many frames as camera 1, not 3x or 2x); the RTSP
#      server saw one client per camera.
#   3. A layout naming a display that is not there: the log names the output
#      and the display, the others show their picture; once the monitor is
#      plugged in (xrandr) the missing output appears on it.  An output
#      naming a monitor an earlier output took wants another of that name.
#   4. Kiosk: the cursor hides after 3 s without motion and comes back on
#      motion; closing a window shows the confirmation banner on every
#      monitor and the wall keeps running; Esc removes it; Ctrl+Q quits (0).
#   5. Four monitors by index, name, name in other case and by default order:
#      each monitor shows its output's tiles.
# Needs xserver-xorg-core, xserver-xorg-video-dummy, x11-xserver-utils
# (tools/deps) and python3 (X input through libX11/libXtst with ctypes).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd xrandr python3
XORG_DUMMY=$TESSERA_SOURCE_DIR/tests/tools/xorg-dummy
[[ -x /usr/lib/xorg/Xorg ]] || command -v Xorg >/dev/null 2>&1 ||
    skip "Xorg is not installed (tools/deps installs xserver-xorg-core)"
[[ -e /usr/lib/xorg/modules/drivers/dummy_drv.so ]] ||
    skip "the Xorg dummy driver is not installed (xserver-xorg-video-dummy)"

x_displays=()   # X servers we started, stopped on exit
stop_x_servers() {
    local d
    for d in "${x_displays[@]}"; do
        "$XORG_DUMMY" --stop "$d" 2>/dev/null || true
    done
}
on_exit() {
    local status=$?
    set +e # (exit 1) below must not end the trap before cleanup runs
    stop_x_servers
    (exit "$status")
    cleanup # lib.sh's: stops what it started, exits with $?
}
trap on_exit EXIT

# start_x VAR ARGS...: starts an X server (xorg-dummy ARGS) and stores its
# DISPLAY in VAR.
start_x() {
    local _var=$1 _d _rc=0
    shift
    _d=$("$XORG_DUMMY" "$@" 2>"$TEST_TMPDIR/xorg-dummy.err") || _rc=$?
    if ((_rc == 77)); then
        skip "$(tail -n 1 "$TEST_TMPDIR/xorg-dummy.err")"
    elif ((_rc != 0)); then
        cat "$TEST_TMPDIR/xorg-dummy.err" >&2
        fail "xorg-dummy $* could not start Xorg"
    fi
    x_displays+=("$_d")
    printf -v "$_var" '%s' "$_d"
    note "Xorg $_d: $(DISPLAY=$_d xrandr --listmonitors | head -n 1)"
}

# x_do DISPLAY ACTION...: X input as a user would give it: "close NAME"
# (the window manager's close: WM_DELETE_WINDOW), "key KEY[+KEY]" and
# "move X Y" (XTest, to whatever window has the focus / is under the pointer).
x_do() {
    DISPLAY=$1 python3 - "${@:2}" <<'PY' || fail "x_do ${*:2} failed"
import ctypes, sys
x11 = ctypes.CDLL("libX11.so.6")
xtst = ctypes.CDLL("libXtst.so.6")
P, UL, I = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
x11.XOpenDisplay.restype = P
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = UL
x11.XDefaultRootWindow.argtypes = [P]
x11.XInternAtom.restype = UL
x11.XInternAtom.argtypes = [P, ctypes.c_char_p, I]
x11.XQueryTree.argtypes = [P, UL, ctypes.POINTER(UL), ctypes.POINTER(UL),
                           ctypes.POINTER(ctypes.POINTER(UL)), ctypes.POINTER(ctypes.c_uint)]
x11.XFetchName.argtypes = [P, UL, ctypes.POINTER(ctypes.c_char_p)]
x11.XKeysymToKeycode.argtypes = [P, UL]
x11.XStringToKeysym.restype = UL
x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
x11.XSync.argtypes = [P, I]
xtst.XTestFakeKeyEvent.argtypes = [P, ctypes.c_uint, I, UL]
xtst.XTestFakeMotionEvent.argtypes = [P, I, I, I, UL]

class ClientMessage(ctypes.Structure):
    _fields_ = [("type", I), ("serial", UL), ("send_event", I), ("display", P),
                ("window", UL), ("message_type", UL), ("format", I),
                ("l", ctypes.c_long * 5)]
class Event(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
x11.XSendEvent.argtypes = [P, UL, I, ctypes.c_long, ctypes.POINTER(Event)]

dpy = x11.XOpenDisplay(None)
if not dpy:
    sys.exit("cannot open the display")
root = x11.XDefaultRootWindow(dpy)

def window(name):
    r, p, n = UL(), UL(), ctypes.c_uint()
    kids = ctypes.POINTER(UL)()
    x11.XQueryTree(dpy, root, ctypes.byref(r), ctypes.byref(p), ctypes.byref(kids),
                   ctypes.byref(n))
    for i in range(n.value):
        title = ctypes.c_char_p()
        if x11.XFetchName(dpy, kids[i], ctypes.byref(title)) and title.value == name.encode():
            return kids[i]
    sys.exit("no window named " + name)

args = sys.argv[1:]
while args:
    op = args.pop(0)
    if op == "close":
        ev = Event()
        ev.xclient.type, ev.xclient.format = 33, 32  # ClientMessage
        ev.xclient.window = window(args.pop(0))
        ev.xclient.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
        ev.xclient.l[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
        x11.XSendEvent(dpy, ev.xclient.window, 0, 0, ctypes.byref(ev))
    elif op == "key":
        codes = [x11.XKeysymToKeycode(dpy, x11.XStringToKeysym(k.encode()))
                 for k in args.pop(0).split("+")]
        for c in codes:
            xtst.XTestFakeKeyEvent(dpy, c, 1, 0)
        for c in reversed(codes):
            xtst.XTestFakeKeyEvent(dpy, c, 0, 0)
    elif op == "move":
        xtst.XTestFakeMotionEvent(dpy, -1, int(args.pop(0)), int(args.pop(0)), 0)
    else:
        sys.exit("unknown action " + op)
    x11.XSync(dpy, 0)
PY
}

# grab DISPLAY W OUT.png [MOUSE]: grabs the X root's WxH (1080 high) into
# OUT.png; with MOUSE=1 the cursor is drawn into it.
grab() {
    rm -f "$3"
    ffmpeg -loglevel error -y -f x11grab -draw_mouse "${4:-0}" -video_size "${2}x1080" \
        -i "$1" -frames:v 1 "$3" || fail "ffmpeg x11grab of $1 failed"
}

# ---- cameras ----
colors=(0xD02020 0x20C040 0x2040D0 0xE0C020)
mounts=()
for i in 0 1 2 3; do
    gen_clip "$TEST_TMPDIR/cam$i.h264" --color "${colors[i]}" --seconds 4
    mounts+=(--mount "/cam$i=$TEST_TMPDIR/cam$i.h264")
done
port=""
start_rtsp_server port "${mounts[@]}"

# feeds_json: the "feeds" object for the four cameras.
feeds_json() {
    local i sep=""
    printf '{'
    for i in 0 1 2 3; do
        printf '%s"cam%d": {"url": "rtsp://127.0.0.1:%s/cam%d"}' "$sep" "$i" "$port" "$i"
        sep=", "
    done
    printf '}'
}

WALL_PID=""
# wait_log NAME TEXT: waits (30 s at most: a loaded machine can make the
# wall take its events seconds late) until tessera's stderr in
# $TEST_TMPDIR/NAME.err holds TEXT; fails the test, showing it, if not.
wait_log() {
    local i
    for ((i = 0; i < 300; i++)); do
        grep -qF "$2" "$TEST_TMPDIR/$1.err" && return 0
        sleep 0.1
    done
    show_tessera_output "$1"
    fail "tessera ($1) did not log: $2"
}

# start_wall NAME DISPLAY LAYOUT ARGS...: runs tessera windowed on DISPLAY in
# the background (output in $TEST_TMPDIR/NAME.{out,err}, --stats
# NAME.stats.json, 120 s at most) and waits until the stats show every feed it runs live.
start_wall() {
    local name=$1 d=$2 layout=$3 i
    shift 3
    local stats=$TEST_TMPDIR/$name.stats.json
    rm -f "$stats"
    env -u WAYLAND_DISPLAY DISPLAY="$d" SDL_VIDEODRIVER=x11 \
        timeout -k 5 150 "$TESSERA" --no-control --duration 120 \
        --stats "$stats" "$@" "$layout" \
        >"$TEST_TMPDIR/$name.out" 2>"$TEST_TMPDIR/$name.err" &
    WALL_PID=$!
    _lib_pids+=("$WALL_PID")
    for ((i = 0; i < 150; i++)); do
        if ! kill -0 "$WALL_PID" 2>/dev/null; then
            show_tessera_output "$name"
            fail "tessera ($name) exited early"
        fi
        if [[ -s $stats ]] && python3 - "$stats" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(1)
sys.exit(0 if s["feeds"] and all(f["state"] == "live" and f["frames_displayed"] > 0
                                 for f in s["feeds"]) else 1)
PY
        then
            sleep 1 # a few frames more on every output
            return 0
        fi
        sleep 0.2
    done
    show_tessera_output "$name"
    fail "tessera ($name): feeds not live within 30 s"
}

# stop_wall NAME: stops the wall started last (SIGTERM) and checks it exits 0.
stop_wall() {
    local rc=0
    kill -TERM "$WALL_PID" 2>/dev/null || true
    wait "$WALL_PID" || rc=$?
    ((rc == 0)) || { show_tessera_output "$1"; fail "tessera ($1) exited $rc"; }
}

# expect_monitor_tiles WHAT PNG MONITOR COLS ROWS COLOUR...: the output on
# monitor MONITOR (1920x1080 at X = 1920*MONITOR) is a COLSxROWS grid whose
# tiles show COLOUR... in row order; each tile's video (16:9, letterboxed
# in the tile) must have that colour at its centre.
expect_monitor_tiles() {
    local what=$1 png=$2 m=$3 cols=$4 rows=$5 t=0
    shift 5
    local tw=$((1920 / cols)) th=$((1080 / rows)) vw vh
    vw=$tw vh=$((tw * 9 / 16))
    ((vh <= th)) || { vh=$th vw=$((th * 16 / 9)); }
    for colour in "$@"; do
        local tx=$((1920 * m + (t % cols) * tw + (tw - vw) / 2))
        local ty=$(((t / cols) * th + (th - vh) / 2))
        expect_tile_colour "$what: monitor $m tile $t ($colour)" "$png" "$tx" "$ty" \
            "$vw" "$vh" "$colour" 30
        t=$((t + 1))
    done
}

# ---- 1. --list-displays, two monitors ----
x2=""
start_x x2 --monitors 2 --room 3
out=$(DISPLAY=$x2 SDL_VIDEODRIVER=x11 "$TESSERA" --list-displays) ||
    fail "--list-displays exited $?"
note "--list-displays on $x2:"$'\n'"$out"
want=$'0 "DUMMY0" bounds 1920x1080+0+0 usable 1920x1080+0+0 refresh 60 Hz\n'
want+='1 "DUMMY1" bounds 1920x1080+1920+0 usable 1920x1080+1920+0 refresh 60 Hz'
[[ $out == "$want" ]] || fail "--list-displays printed"$'\n'"$out"$'\n'"want"$'\n'"$want"

# ---- 2. two monitors, camera 0 in three tiles on both ----
cat >"$TEST_TMPDIR/two.json" <<JSON
{
  "feeds": $(feeds_json),
  "outputs": [
    {"name": "left", "display": 0, "size": [1920, 1080], "grid": [2, 2],
     "tiles": [{"feed": "cam0", "cell": [0, 0]}, {"feed": "cam1", "cell": [1, 0]},
               {"feed": "cam2", "cell": [0, 1]}, {"feed": "cam0", "cell": [1, 1]}]},
    {"name": "right", "display": "DUMMY1", "size": [1920, 1080], "grid": [2, 1],
     "tiles": [{"feed": "cam3", "cell": [0, 0]}, {"feed": "cam0", "cell": [1, 0]}]}
  ]
}
JSON
clients_before=$(rtsp_clients_seen "$RTSP_SERVER_LOG")
start_wall two "$x2" "$TEST_TMPDIR/two.json"
sleep 3
grab "$x2" 3840 "$TEST_TMPDIR/two.png"
sleep 1
stop_wall two
grep -q 'output left: on display 0 "DUMMY0" at 1920x1080+0+0' "$TEST_TMPDIR/two.err" ||
    { show_tessera_output two; fail "output left was not placed on display 0"; }
grep -q 'output right: on display 1 "DUMMY1" at 1920x1080+1920+0' "$TEST_TMPDIR/two.err" ||
    { show_tessera_output two; fail "output right was not placed on DUMMY1"; }
expect_monitor_tiles two "$TEST_TMPDIR/two.png" 0 2 2 \
    "${colors[0]}" "${colors[1]}" "${colors[2]}" "${colors[0]}"
expect_monitor_tiles two "$TEST_TMPDIR/two.png" 1 2 1 "${colors[3]}" "${colors[0]}"
clients=$(($(rtsp_clients_seen "$RTSP_SERVER_LOG") - clients_before))
((clients == 4)) || fail "the RTSP server saw $clients clients, want 4 (one per camera)"
stats=$(python3 - "$TEST_TMPDIR/two.stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ids = [f["id"] for f in s["feeds"]]
dec = {f["id"]: f["frames_decoded"] for f in s["feeds"]}
print("ids=%s decoded=%s uptime=%s render=%s" % (ids, dec, s["uptime_s"], s["render"]))
if sorted(ids) != ["cam0", "cam1", "cam2", "cam3"]:
    sys.exit("feeds %s, want cam0..cam3 once each" % ids)
# One decoder for camera 0: about as many frames as the others (30 fps each),
# never the 2x or 3x that a decoder per monitor or per tile would give.
rest = max(dec["cam1"], dec["cam2"], dec["cam3"])
if not (0.7 * rest <= dec["cam0"] <= 1.3 * rest + 10):
    sys.exit("cam0 decoded %d frames, the others at most %d" % (dec["cam0"], rest))
if dec["cam0"] > 30 * (s["uptime_s"] + 1) * 1.15:
    sys.exit("cam0 decoded %d frames in %d s: more than one 30 fps decoder" %
             (dec["cam0"], s["uptime_s"]))
PY
) || fail "stats: $stats"
note "stats: $stats"

# ---- 3. a display that is not there, then plugged in ----
cat >"$TEST_TMPDIR/missing.json" <<JSON
{
  "feeds": $(feeds_json),
  "outputs": [
    {"name": "a", "display": 0, "size": [1920, 1080], "grid": [1, 1],
     "tiles": [{"feed": "cam1", "cell": [0, 0]}]},
    {"name": "b", "display": 1, "size": [1920, 1080], "grid": [1, 1],
     "tiles": [{"feed": "cam2", "cell": [0, 0]}]},
    {"name": "c", "display": "DUMMY2", "size": [1920, 1080], "grid": [1, 1],
     "tiles": [{"feed": "cam3", "cell": [0, 0]}]},
    {"name": "d", "display": "dummy1", "size": [1920, 1080], "grid": [1, 1],
     "tiles": [{"feed": "cam0", "cell": [0, 0]}]}
  ]
}
JSON
start_wall missing "$x2" "$TEST_TMPDIR/missing.json"
grep -q 'output c: display "DUMMY2" is not connected' "$TEST_TMPDIR/missing.err" ||
    { show_tessera_output missing; fail "no error naming output c and display DUMMY2"; }
# Output d names DUMMY1 (in another case), which b took by its index: it
# wants another monitor of that name (identical monitors share one), so it
# is missing too rather than on top of b.
grep -q 'output d: display "dummy1" is taken by output b' \
    "$TEST_TMPDIR/missing.err" || { show_tessera_output missing; fail "output d not reported"; }
grab "$x2" 3840 "$TEST_TMPDIR/missing.png"
expect_monitor_tiles missing "$TEST_TMPDIR/missing.png" 0 1 1 "${colors[1]}"
expect_monitor_tiles missing "$TEST_TMPDIR/missing.png" 1 1 1 "${colors[2]}"
"$XORG_DUMMY" --add-monitor "$x2" 2 || fail "could not plug in DUMMY2"
wait_log missing 'output c: now on display 2 "DUMMY2" at 1920x1080+3840+0'
sleep 1.5
grab "$x2" 5760 "$TEST_TMPDIR/plugged.png"
stop_wall missing
expect_monitor_tiles plugged "$TEST_TMPDIR/plugged.png" 0 1 1 "${colors[1]}"
expect_monitor_tiles plugged "$TEST_TMPDIR/plugged.png" 1 1 1 "${colors[2]}"
expect_monitor_tiles plugged "$TEST_TMPDIR/plugged.png" 2 1 1 "${colors[3]}"

# ---- 4. kiosk: cursor, close banner, Esc, Ctrl+Q ----
# banner_diff PNG MONITOR: how much of the band across the middle of the
# monitor (where the banner is) differs from its mean.
banner_diff() {
    png_diff "$1" $((1920 * $2 + 560)) 520 800 40
}
cat >"$TEST_TMPDIR/kiosk.json" <<JSON
{
  "feeds": $(feeds_json),
  "outputs": [
    {"name": "k0", "display": 0, "size": [1920, 1080], "grid": [1, 1],
     "tiles": [{"feed": "cam1", "cell": [0, 0]}]},
    {"name": "k1", "display": 1, "size": [1920, 1080], "grid": [1, 1],
     "tiles": [{"feed": "cam2", "cell": [0, 0]}]}
  ]
}
JSON
start_wall kiosk "$x2" "$TEST_TMPDIR/kiosk.json"
# (Times leave room for a loaded machine: the wall takes its events once a
# frame, and a frame can take a few hundred ms on llvmpipe.)
x_do "$x2" move 1500 600
sleep 0.5
grab "$x2" 3840 "$TEST_TMPDIR/cursor-shown.png" 1
sleep 4.5
grab "$x2" 3840 "$TEST_TMPDIR/cursor-hidden.png" 1
x_do "$x2" move 1520 620
sleep 1
grab "$x2" 3840 "$TEST_TMPDIR/cursor-back.png" 1
d1=$(png_diff "$TEST_TMPDIR/cursor-shown.png" 1500 600 20 20)
d2=$(png_diff "$TEST_TMPDIR/cursor-hidden.png" 1500 600 20 20)
d3=$(png_diff "$TEST_TMPDIR/cursor-back.png" 1520 620 20 20)
note "cursor pixels: shown $d1, after 3 s idle $d2, after motion $d3"
frac_gt "$d1" 0.02 || fail "no cursor drawn at first (diff $d1)"
frac_gt "$d2" 0.005 && fail "the cursor did not hide after 3 s without motion (diff $d2)"
frac_gt "$d3" 0.02 || fail "the cursor did not come back on motion (diff $d3)"

x_do "$x2" close k1
wait_log kiosk 'output k1: window closed; the wall keeps running'
sleep 1.5
kill -0 "$WALL_PID" 2>/dev/null || { show_tessera_output kiosk; fail "closing a window ended the wall"; }
grab "$x2" 3840 "$TEST_TMPDIR/banner.png"
for m in 0 1; do
    d=$(banner_diff "$TEST_TMPDIR/banner.png" $m)
    frac_gt "$d" 0.3 || fail "no confirmation banner on monitor $m (diff $d)"
done
x_do "$x2" key Escape
wait_log kiosk 'Esc: the wall keeps running'
sleep 1.5
grab "$x2" 3840 "$TEST_TMPDIR/no-banner.png"
for m in 0 1; do
    d=$(banner_diff "$TEST_TMPDIR/no-banner.png" $m)
    frac_gt "$d" 0.02 && fail "Esc did not remove the banner on monitor $m (diff $d)"
done
kill -0 "$WALL_PID" 2>/dev/null || fail "Esc ended the wall"
x_do "$x2" close k0 key Control_L+q
wait_log kiosk 'Ctrl+Q: the wall quits'
rc=0
for ((i = 0; i < 300; i++)); do
    kill -0 "$WALL_PID" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$WALL_PID" 2>/dev/null && fail "Ctrl+Q did not end the wall within 30 s"
wait "$WALL_PID" || rc=$?
((rc == 0)) || { show_tessera_output kiosk; fail "Ctrl+Q: tessera exited $rc, want 0"; }
"$XORG_DUMMY" --stop "$x2"

# ---- 5. four monitors ----
x4=""
start_x x4 --monitors 4
out=$(DISPLAY=$x4 SDL_VIDEODRIVER=x11 "$TESSERA" --list-displays) ||
    fail "--list-displays exited $?"
for m in 0 1 2 3; do
    grep -qx "$m \"DUMMY$m\" bounds 1920x1080+$((1920 * m))+0 usable 1920x1080+$((1920 * m))+0 refresh 60 Hz" <<<"$out" ||
        fail "--list-displays on four monitors printed"$'\n'"$out"
done
(($(wc -l <<<"$out") == 4)) || fail "--list-displays printed more than 4 lines"$'\n'"$out"
cat >"$TEST_TMPDIR/four.json" <<JSON
{
  "feeds": $(feeds_json),
  "outputs": [
    {"name": "o0", "display": 0, "size": [1920, 1080], "grid": [2, 1],
     "tiles": [{"feed": "cam0", "cell": [0, 0]}, {"feed": "cam1", "cell": [1, 0]}]},
    {"name": "o1", "display": "DUMMY1", "size": [1920, 1080], "grid": [2, 1],
     "tiles": [{"feed": "cam1", "cell": [0, 0]}, {"feed": "cam2", "cell": [1, 0]}]},
    {"name": "o2", "display": "dummy2", "size": [1920, 1080], "grid": [2, 1],
     "tiles": [{"feed": "cam2", "cell": [0, 0]}, {"feed": "cam3", "cell": [1, 0]}]},
    {"name": "o3", "size": [1920, 1080], "grid": [2, 1],
     "tiles": [{"feed": "cam3", "cell": [0, 0]}, {"feed": "cam0", "cell": [1, 0]}]}
  ]
}
JSON
start_wall four "$x4" "$TEST_TMPDIR/four.json"
sleep 2
grab "$x4" 7680 "$TEST_TMPDIR/four.png"
stop_wall four
for m in 0 1 2 3; do
    grep -q "output o$m: on display $m \"DUMMY$m\" at 1920x1080+$((1920 * m))+0" \
        "$TEST_TMPDIR/four.err" || { show_tessera_output four; fail "output o$m not on DUMMY$m"; }
    expect_monitor_tiles four "$TEST_TMPDIR/four.png" "$m" 2 1 \
        "${colors[m]}" "${colors[(m + 1) % 4]}"
done
note "four monitors: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["render"])' "$TEST_TMPDIR/four.stats.json")"
note "pass"
