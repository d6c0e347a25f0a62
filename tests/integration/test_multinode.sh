#!/usr/bin/env bash
# test_multinode.sh - integration.multinode: one wall, three PCs (issue 16).
# A real Mosquitto broker on a loopback port and three tessera nodes on this
# machine (pc1, pc2, pc3), each driving one headless output of one wall file
# and showing real RTSP cameras.  Checked on every node's pictures and stats:
#  - a layout switch sent to pc1's socket shows on pc2 and pc3;
#  - an incident sent to pc2 (CAD) fills the call-up slot of pc3's output,
#    and a unit sent to pc2 (and its move) shows on pc1 and pc3;
#  - pc3 killed: the others report it missing within 5 s; its presence
#    cleared on the broker (a node retired), they forget it; started again,
#    it shows the current layout, incidents and units within 2 s;
#  - an incident closed on pc2 is closed on pc1 and pc3;
#  - the broker stopped for 10 s while commands go to pc1: every node keeps
#    drawing and says "sync lost"; when the broker is back, pc1's commands
#    reach pc2 and pc3, and each node applies each command exactly once;
#  - a command that cannot reach the broker within 30 s is given up (log,
#    audit, stats) and applied on no node.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 ffmpeg mosquitto mosquitto_pub

for c in a:0xD02020 b:0x20C040 c:0x2040D0 d:0xE0D020; do
    gen_clip "$TEST_TMPDIR/${c%%:*}.h264" --color "${c#*:}" --seconds 4
done
RED=0xD02020 GREEN=0x20C040 BLUE=0x2040D0 YELLOW=0xE0D020 DARK=0x0F1217
rtsp=""
start_rtsp_server rtsp --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264" \
    --mount "/c=$TEST_TMPDIR/c.h264" --mount "/d=$TEST_TMPDIR/d.h264"
broker=""
start_broker broker
url() { echo "rtsp://127.0.0.1:$rtsp/$1"; }

cat >"$TEST_TMPDIR/cams.geojson" <<JSON
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-90.1848, 32.2988]},
  "properties": {"id": "cam-d", "url": "$(url d)", "ptz": true, "range_m": 200}}]}
JSON
# Each output: tile 0 a camera, tile 1 another camera or (pc3) call-up slot 1.
out() { # NAME NODE FEED0 TILE1
    echo "{\"name\": \"$1\", \"node\": \"$2\", \"size\": [400, 200], \"grid\": [2, 1],
      \"tiles\": [{\"feed\": \"$3\", \"cell\": [0, 0]}, $4]}"
}
tile() { echo "{\"feed\": \"$1\", \"cell\": [1, 0]}"; }
slot='{"callup": 1, "cell": [1, 0]}'
cat >"$TEST_TMPDIR/wall.json" <<JSON
{"sync": {"broker": "mqtt://127.0.0.1:$broker", "wall": "test-wall", "keepalive_s": 1},
 "registry": "cams.geojson",
 "feeds": {"a": {"url": "$(url a)"}, "b": {"url": "$(url b)"}, "c": {"url": "$(url c)"},
           "d": {"camera": "cam-d"}},
 "layouts": {
   "day": {"outputs": [$(out left pc1 a "$(tile b)"), $(out middle pc2 b "$(tile c)"),
                       $(out right pc3 c "$slot")]},
   "night": {"outputs": [$(out left pc1 c "$(tile c)"), $(out middle pc2 a "$(tile a)"),
                         $(out right pc3 b "$slot")]}},
 "callup": {"up_to_priority": 3, "max_cameras": 1, "radius_m": 250}}
JSON

node() { # NAME: starts node NAME (pc1..pc3)
    local n=$1
    mkdir -p "$TEST_TMPDIR/$n"
    start_tessera "$n" 240 --headless --node "$n" --control "unix:$TEST_TMPDIR/$n.sock" \
        --stats "$TEST_TMPDIR/$n.stats" --duration 220 --snapshot-dir "$TEST_TMPDIR/$n" \
        --audit "$TEST_TMPDIR/$n.audit" --log-level debug "$TEST_TMPDIR/wall.json"
    printf -v "pid_$n" '%s' "$TESSERA_PID"
}
q() { node_q "$@"; }
incidents() { live_q "$TEST_TMPDIR/$1.sock" '[i["id"] for i in d["incidents"]]' state; }
units() { live_q "$TEST_TMPDIR/$1.sock" '[(u["id"], round(u["lat"], 4)) for u in d["units"]]' state; }
until_units() { # NODE WANT SECONDS WHAT
    local i
    for ((i = 0; i < $3 * 10; i++)); do [[ $(units "$1") == "$2" ]] && return 0; sleep 0.1; done
    fail "$4: $1 has units $(units "$1"), want $2"
}
until_incidents() { # NODE WANT SECONDS WHAT
    local i
    for ((i = 0; i < $3 * 10; i++)); do [[ $(incidents "$1") == "$2" ]] && return 0; sleep 0.1; done
    fail "$4: $1 has incidents $(incidents "$1"), want $2"
}
# until NODE EXPR SECONDS WHAT: waits for EXPR over NODE's live stats.
until_q() { node_until "$@"; }
send() { node_send "$@"; }
# looks NODE NAME COLOUR0 COLOUR1: snapshots NODE's output until its two
# tiles show those colours (up to 15 s), failing with the last picture's.
looks() {
    local n=$1 name=$2 i k png="$TEST_TMPDIR/$1/$2.png"
    local want=("$3" "$4")
    for ((i = 0; i < 30; i++)); do
        rm -f "$png"
        send "$n" "{\"type\":\"snapshot\",\"name\":\"$name.png\"}"
        for ((k = 0; k < 50; k++)); do [[ -s $png ]] && break; sleep 0.1; done
        if tile_ok "$png" 0 "${want[0]}" && tile_ok "$png" 1 "${want[1]}"; then return 0; fi
        sleep 0.5
    done
    for k in 0 1; do
        # shellcheck disable=SC2046 # rect and hex_rgb give several words
        png_expect "$n $name: tile $k" "$png" $(rect "$k" "${want[k]}") $(hex_rgb "${want[k]}") 40
    done
}
rect() { # K COLOUR: the probe rectangle (a free slot: above its centred text)
    if [[ $2 == "$DARK" ]]; then echo "$(($1 * 200 + 20)) 20 40 40"
    else echo "$(($1 * 200 + 70)) 60 60 60"; fi
}
tile_ok() { # PNG K COLOUR
    # shellcheck disable=SC2046
    "$TESSERA_PNG_PROBE" "$1" expect $(rect "$2" "$3") $(hex_rgb "$3") 40 >/dev/null 2>&1
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# applied_ms NODE PATTERN T0: milliseconds from T0 (date +%s%N) to the log
# line of NODE matching PATTERN (the command applied there), or "none".
applied_ms() {
    python3 - "$TEST_TMPDIR/$1.err" "$2" "$3" <<'PY'
import datetime, re, sys
t0 = int(sys.argv[3]) / 1e9
day = datetime.datetime.fromtimestamp(t0).replace(hour=0, minute=0, second=0, microsecond=0)
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) ", line)
    if m and re.search(sys.argv[2], line):
        t = day.timestamp() + int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1e3
        print(round((t - t0) * 1000))
        sys.exit(0)
print("none")
PY
}

node pc1
node pc2
node pc3
for n in pc1 pc2 pc3; do
    until_q "$n" 'd["sync"]["connected"] and len([x for x in d["sync"]["nodes"] if x["state"] == "online"]) == 3' 30 "three nodes online"
done
until_q pc1 'd["sync"]["leader"]' 10 "pc1 leads (the smallest name)"
looks pc1 day_pc1 "$RED" "$GREEN"
looks pc2 day_pc2 "$GREEN" "$BLUE"
looks pc3 day_pc3 "$BLUE" "$DARK"
[[ $(q pc1 '[f["id"] for f in d["feeds"] if f["state"] != "off"]') == "['a', 'b']" ]] ||
    fail "pc1 decodes $(q pc1 '[(f["id"], f["state"]) for f in d["feeds"]]'), want only a and b"
note "three nodes, each showing its own output"

# log_span NODE PATTERN: milliseconds from NODE's first log line (its
# start) to its first line matching PATTERN, or "none".
log_span() {
    python3 - "$TEST_TMPDIR/$1.err" "$2" <<'PY'
import re, sys
first = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) ", line)
    if not m:
        continue
    t = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + int(m[4]) / 1e3
    first = t if first is None else first
    if re.search(sys.argv[2], line):
        print(round((t - first) * 1000))
        sys.exit(0)
print("none")
PY
}

# 1. A layout switch sent to pc1 shows on pc2 and pc3 (t0: when it was sent,
#    taken by the sender itself: starting python is slow on a busy machine).
t0=$(python3 - "$TEST_TMPDIR/pc1.sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
t0 = time.time_ns()
s.sendall(b'{"type":"layout","name":"night"}\n')
r = s.makefile().readline()
print(t0 if r.startswith('{"ok":true') else "refused: " + r.strip())
PY
)
[[ $t0 =~ ^[0-9]+$ ]] || fail "layout switch on pc1: $t0"
until_q pc2 'd["layout"] == "night"' 5 "layout switch reached pc2"
until_q pc3 'd["layout"] == "night"' 5 "layout switch reached pc3"
for n in pc2 pc3; do
    ms=$(applied_ms "$n" 'layout from socket \(pc1 .*view night' "$t0")
    note "layout switch sent to pc1 applied on $n after $ms ms"
    if [[ $ms == none ]] || ((ms > 500)); then fail "the switch took $ms ms to reach $n (want <= 500)"; fi
done
looks pc2 night_pc2 "$RED" "$RED"
looks pc3 night_pc3 "$GREEN" "$DARK"
looks pc1 night_pc1 "$BLUE" "$BLUE"

# 2. An incident from CAD on pc2: the leader's policy calls cam-d up into
#    pc3's slot.
send pc2 '{"type":"incident","id":"I1","kind":"FIRE","priority":1,"lat":32.2988,"lon":-90.1848}'
until_q pc3 '[c["incident"] for c in d["callups"]] == ["I1"]' 10 "call-up on pc3"
for ((i = 0; i < 50; i++)); do [[ $(incidents pc1) == "['I1']" ]] && break; sleep 0.1; done
[[ $(incidents pc1) == "['I1']" ]] || fail "the incident did not reach pc1: $(incidents pc1)"
looks pc3 callup_pc3 "$GREEN" "$YELLOW"
note "an incident sent to pc2 filled pc3's call-up slot"
# a call-up asked on a socket is answered when it goes to the broker: the
# cameras it ranked, and "sent" (its slots are known once it came round)
reply=$(control_send "$TEST_TMPDIR/pc1.sock" '{"type":"callup","incident":"I1"}')
python3 -c 'import json, sys; r = json.loads(sys.argv[1]); sys.exit(not (r["ok"] and r["incident"] == "I1" and r["cameras"] and r["sent"] is True and "slots" not in r))' "$reply" ||
    fail "pc1's reply to a call-up with sync: $reply"
until_q pc3 '[c["incident"] for c in d["callups"]] == ["I1"]' 5 "the call-up again"
# Units sent to pc2 reach the others, and their moves too.
send pc2 '{"type":"unit","id":"A12","lat":32.3001,"lon":-90.1822}'
until_units pc1 "[('A12', 32.3001)]" 5 "a unit sent to pc2"
until_units pc3 "[('A12', 32.3001)]" 5 "a unit sent to pc2"
send pc2 '{"type":"unit","id":"A12","lat":32.3051,"lon":-90.1822}'
until_units pc3 "[('A12', 32.3051)]" 5 "the unit's move"
note "units sent to pc2 shown on pc1 and pc3"

# 3. pc3 killed: reported missing; started again it catches up.
# shellcheck disable=SC2154 # set by node() through printf -v
pkill -KILL -P "$pid_pc3" # tessera itself, the child of timeout
kill -KILL "$pid_pc3" 2>/dev/null || true
t0=$(date +%s%N)
until_q pc1 '[x["state"] for x in d["sync"]["nodes"] if x["node"] == "pc3"] == ["missing"]' 5 "pc3 missing on pc1"
until_q pc2 '"NODE pc3 MISSING" in d["sync"]["marker"]' 5 "pc3 missing on pc2's marker"
note "pc3 reported missing after $(ms_since "$t0") ms"
# retiring a node (docs/multi-node.md): its presence cleared on the broker,
# the running nodes forget it
mosquitto_pub -h 127.0.0.1 -p "$broker" -q 1 -r -n -t tessera/test-wall/node/pc3
for n in pc1 pc2; do
    until_q "$n" '"pc3" not in [x["node"] for x in d["sync"]["nodes"]]' 5 "pc3 forgotten once its presence was cleared"
done
until_q pc2 '"NODE pc3 MISSING" not in d["sync"]["marker"]' 5 "pc3 gone from pc2's marker"
note "pc3's presence cleared on the broker: pc1 and pc2 forgot it"
node pc3
until_q pc3 'd["layout"] == "night" and [c["incident"] for c in d["callups"]] == ["I1"]' 10 "pc3 back with the wall's state"
[[ $(incidents pc3) == "['I1']" ]] || fail "pc3 came back without the incident: $(incidents pc3)"
# (A12's retained copy still holds its first position, refreshed every 30 s:
# the move reaches pc3 because pc2 publishes its units again when pc3 joins)
until_units pc3 "[('A12', 32.3051)]" 2 "pc3 back with the unit's last position"
ms=$(log_span pc3 "showing the wall's state")
note "pc3 showed the wall's state $ms ms after it started"
if [[ $ms == none ]] || ((ms > 2000)); then fail "pc3 took $ms ms to show the wall's state (want <= 2000)"; fi
note "pc3 back, showing the night layout and I1 after $(ms_since "$t0") ms since its kill"
looks pc3 back_pc3 "$GREEN" "$YELLOW"

# An incident closed on pc2 closes on every node: pc2 clears its retained
# copy with an empty message, which the others must take calmly.
send pc2 '{"type":"incident","op":"upsert","id":"I2","kind":"THEFT","priority":5,"lat":32.31,"lon":-90.19}'
for n in pc1 pc3; do until_incidents "$n" "['I1', 'I2']" 5 "a second incident from pc2"; done
send pc2 '{"type":"incident","op":"close","id":"I2"}'
for n in pc1 pc3; do until_incidents "$n" "['I1']" 5 "the incident closed on pc2"; done
note "an incident closed on pc2 closed on pc1 and pc3"

# 4. The broker away for 10 s: commands wait, nothing is applied twice.
frames() { q "$1" 'd["render"]["frames"]'; }
before=$(for n in pc1 pc2 pc3; do frames "$n"; done | tr '\n' ' ')
msgs_before=$(q pc1 'd["sync"]["messages"]')
sent_before=$(q pc1 'd["sync"]["sent"]')
stop_pid "$BROKER_PID"
for n in pc1 pc2 pc3; do until_q "$n" 'not d["sync"]["connected"]' 10 "sync lost"; done
until_q pc2 '"SYNC LOST" in d["sync"]["marker"]' 5 "sync lost marker"
send pc1 '{"type":"maximize","output":"right","tile":0}'
send pc1 '{"type":"layout","name":"day"}'
sleep 8
read -r -a was <<<"$before"
i=0
for n in pc1 pc2 pc3; do
    now=$(frames "$n")
    ((now > was[i] + 5)) || fail "$n stopped drawing without the broker ($now frames, had ${was[i]})"
    [[ $(q "$n" 'd["layout"]') == night ]] || fail "$n applied a command before the broker was back"
    i=$((i + 1))
done
start_broker broker "$broker"
for n in pc1 pc2 pc3; do
    until_q "$n" 'd["sync"]["connected"] and d["layout"] == "day"' 15 "commands after the broker"
done
looks pc3 after_pc3 "$BLUE" "$YELLOW" # day again (the switch restored the enlarged tile)
looks pc2 after_pc2 "$GREEN" "$BLUE"
for n in pc1 pc2 pc3; do
    for cmd in '"type":"maximize"' 'layout from socket (pc1 uid [0-9]*): view day'; do
        count=$(grep -c "$cmd" "$TEST_TMPDIR/$n.audit" || true)
        ((count == 1)) || fail "$n's audit has $count '$cmd' records, want exactly 1"
    done
done
# the two commands that waited went to the broker packed in one message
until_q pc1 "d['sync']['sent'] >= $sent_before + 2" 5 "pc1's commands acknowledged"
read -r msgs sent < <(q pc1 '"%d %d" % (d["sync"]["messages"], d["sync"]["sent"])')
msgs=$((msgs - msgs_before)) sent=$((sent - sent_before))
((msgs < sent)) || fail "pc1 sent $sent commands in $msgs messages: the waiting ones were not packed"
note "commands sent during the outage applied once on every node (packed in one message)"

# 5. A command that cannot reach the broker within 30 s is given up: said in
#    the log and the audit, applied nowhere, and the node goes on.
stop_pid "$BROKER_PID"
until_q pc2 'not d["sync"]["connected"]' 10 "sync lost again"
send pc2 '{"type":"layout","name":"night"}'
for ((i = 0; i < 450; i++)); do
    grep -q "could not reach the broker in time" "$TEST_TMPDIR/pc2.err" && break
    sleep 0.1
done
grep -q "could not reach the broker in time" "$TEST_TMPDIR/pc2.err" ||
    fail "pc2 did not give the command up within 45 s"
start_broker broker "$broker"
for n in pc1 pc2 pc3; do until_q "$n" 'd["sync"]["connected"]' 15 "broker back"; done
sleep 2
for n in pc1 pc2 pc3; do
    [[ $(q "$n" 'd["layout"]') == day ]] || fail "$n applied a command that was given up"
done
grep -q '"type":"sync-undelivered"' "$TEST_TMPDIR/pc2.audit" || fail "no audit record of it"
[[ $(q pc2 'd["sync"]["not_delivered"]') == 1 ]] || fail "stats do not count it"
note "a command given up after 30 s: logged, audited, applied nowhere"
for n in pc1 pc2 pc3; do
    "$TESSERA" --verify-audit "$TEST_TMPDIR/$n.audit" >/dev/null 2>&1 ||
        fail "$n's audit log does not verify"
done
note "ok"
