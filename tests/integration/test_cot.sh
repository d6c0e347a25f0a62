#!/usr/bin/env bash
# test_cot.sh - integration.cot: Cursor on Target and NENA EIDO reach the
# wall (issue 15).  A TAK-style stream the wall connects to and ATAK-style
# multicast on loopback move 50 units; the map panel shows them at the
# pixels Web Mercator puts them, with their callsigns; a t-x-d-d removes one;
# a unit past its stale time fades, then goes; a known ce draws a ring.  Hostile peers on the
# tcp-listen port (malformed XML, a 10 MB event, deep nesting, entity
# expansion, TAK protobuf, half an event then silence) and a 20,000 events/s
# flood are refused and counted while the other sources keep applying.  An
# EIDO document with a PIDF-LO location and three resources creates an
# incident; a file with status Closed dropped into --eido-dir closes it.
# The network side runs in cot_driver.py (one process); the pixels here.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
read -r tcp_port listen_port udp_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)] + [socket.socket(type=socket.SOCK_DGRAM)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
group=239.2.3.1
lat=52.3717 lon=4.8917
layout="$TEST_TMPDIR/map.json"
cat >"$layout" <<JSON
{"feeds": {},
 "outputs": [{"name": "main", "size": [1280, 720], "grid": [1, 1], "tiles": [
   {"panel": "map", "cell": [0, 0], "center": [$lat, $lon], "zoom": 16}]}]}
JSON
sock="$TEST_TMPDIR/control.sock"
snaps="$TEST_TMPDIR/snaps"
eido_dir="$TEST_TMPDIR/eido"
mkdir -p "$eido_dir"

# the driver listens as the TAK server first; the wall connects to it
python3 "$here/cot_driver.py" "$sock" "$TEST_TMPDIR/stats.json" "$snaps" "$tcp_port" \
    "$group" "$udp_port" "$listen_port" "$eido_dir" >"$TEST_TMPDIR/driver.out" \
    2>"$TEST_TMPDIR/driver.err" &
driver=$!
_lib_pids+=("$driver")
start_tessera wall 240 --headless --control "unix:$sock" --snapshot-dir "$snaps" \
    --stats "$TEST_TMPDIR/stats.json" --cot "udp:$group:$udp_port" \
    --cot "tcp:127.0.0.1:$tcp_port" --cot "tcp-listen:127.0.0.1:$listen_port" \
    --eido-dir "$eido_dir" "$layout"
wall_pid=$TESSERA_PID
rc=0
wait "$driver" || rc=$?
cat "$TEST_TMPDIR/driver.err" >&2
if ((rc != 0)); then
    show_tessera_output wall
    fail "the driver failed (status $rc)"
fi
kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
grep -q "never stored" "$TEST_TMPDIR/wall.err" && fail "a dropped EIDO field reached the log"
grep -c "TAK Protocol version 1" "$TEST_TMPDIR/wall.err" | grep -qx 1 ||
    fail "TAK protobuf not logged exactly once"

# PX PY of unit I (round R) on the 1280x720 map panel, as cot_send places it
pixel() {
    python3 - "$1" "$2" "$lat" "$lon" "$here" <<'PY'
import math, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[5])
import cot_send
def proj(la, lo, z=16):
    w = 256 * 2 ** z
    phi = math.radians(la)
    return (lo + 180) / 360 * w, (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * w
la, lo = cot_send.unit_pos(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))
x, y = proj(la, lo)
cx, cy = proj(float(sys.argv[3]), float(sys.argv[4]))
print(round(640 + x - cx), round(360 + y - cy))
PY
}
moved="$snaps/moved.png" deleted="$snaps/deleted.png" stale="$snaps/stale.png"
for f in "$moved" "$deleted" "$stale"; do [[ -s $f ]] || fail "no snapshot $f"; done
# every fifth unit (multicast 0-24, TCP 25-49): a green marker where the
# round-1 position projects (heading 0: the arrow's body just below its tip),
# and its callsign drawn to the right of it
for i in 0 5 10 15 20 25 30 35 40 45 49; do
    read -r ux uy < <(pixel "$i" 1)
    png_expect "unit $i marker" "$moved" $((ux - 1)) $((uy + 1)) 3 3 76 242 140 60
    d=$(png_diff "$moved" $((ux + 11)) $((uy - 8)) 24 14)
    frac_gt "$d" 0.05 || fail "unit $i: no callsign beside the marker (diff $d)"
done
note "50 units drawn where they are, with callsigns"
# U-44 came with ce=50: a ring of 50 m (34 px at zoom 16 here) around it;
# U-43 (ce unknown) has none
read -r ux uy < <(pixel 44 1)
read -r r g b < <(png_avg "$moved" $((ux - 1)) $((uy - 34)) 3 3)
((g > r + 50)) || fail "no accuracy ring around U-44 ($r $g $b)"
read -r ux uy < <(pixel 43 1)
read -r r g b < <(png_avg "$moved" $((ux - 1)) $((uy - 34)) 3 3)
((g < 60)) || fail "a ring around U-43, whose ce is unknown ($r $g $b)"
read -r ux uy < <(pixel 7 1)
png_expect "U-07 before the delete" "$moved" $((ux - 1)) $((uy + 1)) 3 3 76 242 140 60
read -r r g b < <(png_avg "$deleted" $((ux - 1)) $((uy + 1)) 3 3)
((g < 150)) || fail "U-07 still drawn after t-x-d-d ($r $g $b)"
# the stale unit: faded green (alpha 0.4 over the dark map)
read -r ux uy < <(pixel 45 3)
read -r r g b < <(png_avg "$stale" $((ux - 1)) $((uy + 1)) 3 3)
note "stale marker $r $g $b"
((g > 60 && g < 160 && g > r + 30)) || fail "stale unit not drawn faded ($r $g $b)"
note "ok"
