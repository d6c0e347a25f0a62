#!/usr/bin/env bash
# test_overlay_panels.sh - integration.overlay_panels: incidents and units
# sent over the real control socket appear on the wall: the map panel shows
# the incident's marker (priority-1 red) and the unit's marker (green) at the
# pixels Web Mercator puts them, the incident list panel lists the incident
# with its red swatch, and the camera whose range covers the incident gets a
# red outline.  Also: a bad message gets an error reply and the same
# connection keeps working.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/cam.h264" --color 0x2040D0 --seconds 4
port=""
start_rtsp_server port --mount "/cam=$TEST_TMPDIR/cam.h264"

# Output 1280x720, grid 2x2: camera top-left, incident list bottom-left,
# map on the right half (640x720) centred on the site at zoom 16.
lat=52.3717 lon=4.8917
layout="$TEST_TMPDIR/panels.json"
cat >"$layout" <<JSON
{"feeds": {"gate": {"url": "rtsp://127.0.0.1:$port/cam", "label": "Gate",
                    "location": [52.3730, 4.8910], "range_m": 200}},
 "outputs": [{"name": "main", "size": [1280, 720], "grid": [2, 2], "tiles": [
   {"feed": "gate", "cell": [0, 0]},
   {"panel": "incidents", "cell": [0, 1]},
   {"panel": "map", "cell": [1, 0], "span": [1, 2], "center": [$lat, $lon], "zoom": 16}]}]}
JSON

sock="$TEST_TMPDIR/control.sock"
png="$TEST_TMPDIR/panels.png"
start_tessera wall 60 --headless --control "unix:$sock" --snapshot "$png" --snapshot-after 5 \
    "$layout"
wall_pid=$TESSERA_PID
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || { show_tessera_output wall; fail "no control socket at $sock"; }

# Incident 100 m north-east of the camera, a unit south of the centre.
replies=$(python3 - "$sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile("rw")
lines = [
  {"type": "incident", "op": "upsert", "id": "24-000777", "kind": "FIRE", "priority": 1,
   "status": "dispatched", "lat": 52.3736, "lon": 4.8921, "address": "1 Test Street",
   "units": ["E5"], "caller_name": "never stored", "seq": 1},
  "this is not json",
  {"type": "unit", "id": "E5", "lat": 52.3705, "lon": 4.8917, "heading": 0, "seq": 2},
  {"type": "incident", "id": 5, "seq": 3},
  {"type": "ping", "seq": 4},
]
for l in lines:
    f.write((l if isinstance(l, str) else json.dumps(l)) + "\n")
f.flush()
for _ in lines:
    print(f.readline().strip())
PY
) || fail "control client failed"
note "replies: $(echo "$replies" | tr '\n' ' ')"
[[ $(sed -n 1p <<<"$replies") == '{"ok":true,"seq":1}' ]] || fail "incident upsert: $(sed -n 1p <<<"$replies")"
[[ $(sed -n 2p <<<"$replies") == '{"ok":false,'* ]] || fail "malformed line was not refused"
[[ $(sed -n 3p <<<"$replies") == '{"ok":true,"seq":2}' ]] || fail "unit after a bad line: $(sed -n 3p <<<"$replies")"
[[ $(sed -n 4p <<<"$replies") == *'"ok":false'*'"seq":3'*'id'* ]] || fail "wrong id type: $(sed -n 4p <<<"$replies")"
[[ $(sed -n 5p <<<"$replies") == '{"ok":true,"seq":4}' ]] || fail "ping: $(sed -n 5p <<<"$replies")"

wait "$wall_pid" || { show_tessera_output wall; fail "tessera exited with $?"; }
[[ -s $png ]] || fail "no snapshot"
grep -q "never stored" "$TEST_TMPDIR/wall.err" && fail "a dropped field reached the log"

# pixel PX PY of a lat/lon on the map panel (x offset 640, 640x720, zoom 16)
pixel() {
    python3 - "$1" "$2" "$lat" "$lon" <<'PY'
import math, sys
def proj(la, lo, z=16):
    w = 256 * 2 ** z
    phi = math.radians(la)
    return (lo + 180) / 360 * w, (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * w
x, y = proj(float(sys.argv[1]), float(sys.argv[2]))
cx, cy = proj(float(sys.argv[3]), float(sys.argv[4]))
print(round(640 + 320 + x - cx), round(360 + y - cy))
PY
}
read -r ix iy < <(pixel 52.3736 4.8921)
read -r ux uy < <(pixel 52.3705 4.8917)
note "incident marker at $ix,$iy; unit marker at $ux,$uy"
png_expect "incident marker (P1 red)" "$png" $((ix - 2)) $((iy - 2)) 5 5 242 38 38 40
# the unit arrow's body lies just behind its tip (heading 0: pointing up)
png_expect "unit marker (green)" "$png" $((ux - 1)) $((uy + 1)) 3 3 76 242 140 50
# the list's first row starts with a red swatch, below the title line
d=$(png_diff "$png" 4 370 600 60)
frac_gt "$d" 0.02 || fail "the incident list shows no rows (diff $d)"
python3 - "$png" "$TESSERA_PNG_PROBE" <<'PY' || fail "no red swatch in the incident list"
import subprocess, sys
# look for a red square in the left 30 px of the first rows
for y in range(380, 440, 2):
    out = subprocess.run([sys.argv[2], sys.argv[1], "avg", "8", str(y), "6", "6"],
                         capture_output=True, text=True).stdout.split()
    r, g, b = map(int, out)
    if r > 180 and g < 90 and b < 90:
        sys.exit(0)
sys.exit(1)
PY
# the camera tile (0,0 640x360) has a red outline: its top-left 3 px strip
png_expect "camera highlight outline" "$png" 100 1 400 2 255 89 76 40
note "ok"
