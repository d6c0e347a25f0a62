#!/usr/bin/env bash
# test_map_click.sh - integration.map_click: a click on a map panel calls up
# the point under the pointer (issue 14).  Tessera runs windowed on a real X
# server (Xorg + dummy driver, tests/tools/xorg-dummy) with one 800x400
# monitor showing an 800x400 output: a map panel (zoom 17, centred on cam-a,
# which faces east) and a call-up slot.  A real button press (XTest) 65 px
# east of the centre calls up that point: the audit log records it from the
# operator ("key") with the point the map's inverse projection gives
# (within a metre), the stats list the call-up with cam-a's feed, and the
# map shows cam-a's sector highlighted.
# Needs xserver-xorg-core, xserver-xorg-video-dummy (tools/deps) and python3
# (X input through libX11/libXtst with ctypes).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3
XORG_DUMMY=$TESSERA_SOURCE_DIR/tests/tools/xorg-dummy
[[ -x /usr/lib/xorg/Xorg ]] || command -v Xorg >/dev/null 2>&1 ||
    skip "Xorg is not installed (tools/deps installs xserver-xorg-core)"
[[ -e /usr/lib/xorg/modules/drivers/dummy_drv.so ]] ||
    skip "the Xorg dummy driver is not installed (xserver-xorg-video-dummy)"

xdisplay=""
on_exit() {
    local status=$?
    set +e # (exit 1) below must not end the trap before cleanup runs
    [[ -n $xdisplay ]] && "$XORG_DUMMY" --stop "$xdisplay" 2>/dev/null
    (exit "$status")
    cleanup # lib.sh's: stops what it started, exits with $?
}
trap on_exit EXIT
rc=0
xdisplay=$("$XORG_DUMMY" --monitors 1 --size 800x400 2>"$TEST_TMPDIR/xorg-dummy.err") || rc=$?
((rc == 77)) && skip "$(tail -n 1 "$TEST_TMPDIR/xorg-dummy.err")"
((rc == 0)) || { cat "$TEST_TMPDIR/xorg-dummy.err" >&2; fail "xorg-dummy could not start Xorg"; }

# click X Y: moves the pointer to X,Y of the screen and presses and releases
# the left button there (XTest: as a mouse would).
click() {
    DISPLAY=$xdisplay python3 - "$1" "$2" <<'PY' || fail "click $* failed"
import ctypes, sys
x11 = ctypes.CDLL("libX11.so.6")
xtst = ctypes.CDLL("libXtst.so.6")
P, UL, I = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
x11.XOpenDisplay.restype = P
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XSync.argtypes = [P, I]
xtst.XTestFakeMotionEvent.argtypes = [P, I, I, I, UL]
xtst.XTestFakeButtonEvent.argtypes = [P, ctypes.c_uint, I, UL]
dpy = x11.XOpenDisplay(None)
if not dpy:
    sys.exit("cannot open the display")
xtst.XTestFakeMotionEvent(dpy, -1, int(sys.argv[1]), int(sys.argv[2]), 0)
x11.XSync(dpy, 0)
xtst.XTestFakeButtonEvent(dpy, 1, 1, 50)
xtst.XTestFakeButtonEvent(dpy, 1, 0, 50)
x11.XSync(dpy, 0)
PY
}

lat=32.2988
lon=-90.1848
# Nothing listens on port 9: the feeds stay offline, the map needs no video.
cat >"$TEST_TMPDIR/cams.geojson" <<JSON
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [$lon, $lat]},
  "properties": {"id": "cam-a", "url": "rtsp://127.0.0.1:9/a", "heading_deg": 90, "fov_deg": 60, "range_m": 150}}
]}
JSON
cat >"$TEST_TMPDIR/wall.json" <<JSON
{"registry": "cams.geojson",
 "feeds": {"a": {"camera": "cam-a"}},
 "outputs": [{"name": "main", "display": 0, "size": [800, 400], "grid": [2, 1],
              "tiles": [{"panel": "map", "cell": [0, 0], "center": [$lat, $lon], "zoom": 17},
                        {"callup": 1, "cell": [1, 0]}]}],
 "callup": {"up_to_priority": 3, "max_cameras": 1, "radius_m": 250}}
JSON

sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
audit="$TEST_TMPDIR/audit.log"
env -u WAYLAND_DISPLAY DISPLAY="$xdisplay" SDL_VIDEODRIVER=x11 \
    timeout -k 5 150 "$TESSERA" --control "unix:$sock" --stats "$stats" --audit "$audit" \
    --snapshot-dir "$TEST_TMPDIR" --duration 120 "$TEST_TMPDIR/wall.json" \
    >"$TEST_TMPDIR/wall.out" 2>"$TEST_TMPDIR/wall.err" &
wall_pid=$!
_lib_pids+=("$wall_pid")
for _ in $(seq 300); do [[ -S $sock ]] && break; sleep 0.1; done
[[ -S $sock ]] || { show_tessera_output wall; fail "no control socket at $sock"; }

# snap NAME: a snapshot into $TEST_TMPDIR/NAME.png (waits for the file).
snap() { control_snapshot "$sock" wall "$1.png"; }
# sector NAME R G B: snapshots (up to 15 s) until cam-a's sector, east of
# the map's centre, shows that colour.
sector() {
    local i
    for ((i = 0; i < 30; i++)); do
        snap "$1"
        "$TESSERA_PNG_PROBE" "$TEST_TMPDIR/$1.png" expect 260 215 20 10 "$2" "$3" "$4" 10 \
            >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "$1: $("$TESSERA_PNG_PROBE" "$TEST_TMPDIR/$1.png" avg 260 215 20 10)"
    show_tessera_output wall
    fail "$1: cam-a's sector is not $2 $3 $4"
}
sector plain 29 50 67
note "the map shows cam-a's plain sector"

# The pointer may take a moment to reach a new window: click until the
# call-up is audited (a click that missed does nothing else).
for ((i = 0; i < 20; i++)); do
    click 265 200
    sleep 0.5
    grep -q 'callup from key' "$audit" 2>/dev/null && break
done
grep -E 'callup from key.*incident @32\.2987[89][0-9],-90\.18409[0-9] .*cameras a' "$audit" ||
    { cat "$audit" >&2; show_tessera_output wall; fail "the click's call-up is not audited"; }
note "the click 65 px east called up $(grep -o '@[0-9.,-]*' "$audit" | head -n 1) (key)"
sector called 113 93 34
note "cam-a's sector is highlighted"
python3 - "$stats" <<'PY' || fail "the stats do not list the click's call-up"
import json, sys, time
for _ in range(50):
    try:
        s = json.load(open(sys.argv[1]))
        c = s.get("callups", [])
        if any(x["incident"].startswith("@32.2987") and x["cameras"] == ["a"] for x in c):
            sys.exit(0)
    except (ValueError, OSError, KeyError, TypeError):
        pass
    time.sleep(0.2)
sys.exit(1)
PY
kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
