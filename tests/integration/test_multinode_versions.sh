#!/usr/bin/env bash
# test_multinode_versions.sh - integration.multinode_versions: the layout
# file of a wall of two PCs changes on one PC first (issue 16).  Each node
# has its own copy of the file, as on real PCs.  The file changes on pc1:
# pc1 shows the new version, pc2 keeps the old one, says so (marker, stats)
# and keeps pc1's next command (an enlarged tile) until its own copy
# matches; then it applies both, in order.  A file whose outputs no longer
# name this PC's node is refused with a banner (and --validate refuses a
# --node that no output names).  Then both files get a wall
# tour: the nodes step it together, on the leader's schedule.  Last, the
# wall is stopped, the file changed and the wall started again: the
# broker's last state is for the old version, and no node waits for it.
# Last, pc2 "runs another release": nodes of another message format are
# listed and shown as such, and what they send is ignored.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 ffmpeg mosquitto mosquitto_pub

gen_clip "$TEST_TMPDIR/a.h264" --color 0xD02020 --seconds 4
gen_clip "$TEST_TMPDIR/b.h264" --color 0x20C040 --seconds 4
rtsp=""
start_rtsp_server rtsp --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264"
broker=""
start_broker broker

# wall LABEL [EXTRA]: the wall file (tile 0 of "left" labelled LABEL; EXTRA
# adds top-level keys).
wall() {
    cat <<JSON
{"sync": {"broker": "mqtt://127.0.0.1:$broker", "wall": "versions", "keepalive_s": 1},
 "feeds": {"a": {"url": "rtsp://127.0.0.1:$rtsp/a"}, "b": {"url": "rtsp://127.0.0.1:$rtsp/b"}},
 ${2:-}
 "layouts": {
   "one": {"outputs": [
     {"name": "left", "node": "pc1", "size": [320, 180], "grid": [2, 1],
      "tiles": [{"feed": "a", "cell": [0, 0], "label": "$1"}, {"feed": "b", "cell": [1, 0]}]},
     {"name": "right", "node": "pc2", "size": [320, 180], "grid": [2, 1],
      "tiles": [{"feed": "b", "cell": [0, 0]}, {"feed": "a", "cell": [1, 0]}]}]},
   "two": {"outputs": [
     {"name": "left", "node": "pc1", "size": [320, 180], "grid": [2, 1],
      "tiles": [{"feed": "b", "cell": [0, 0]}, {"feed": "a", "cell": [1, 0]}]},
     {"name": "right", "node": "pc2", "size": [320, 180], "grid": [2, 1],
      "tiles": [{"feed": "a", "cell": [0, 0]}, {"feed": "b", "cell": [1, 0]}]}]}}}
JSON
}
# put NODE LABEL [EXTRA]: writes NODE's copy of the file the way editors and
# copies do (a new file renamed over the old).
put() {
    wall "$2" "${3:-}" >"$TEST_TMPDIR/$1/wall.json.new"
    mv "$TEST_TMPDIR/$1/wall.json.new" "$TEST_TMPDIR/$1/wall.json"
}
start_node() { # NAME
    start_tessera "$1" 200 --headless --node "$1" --control "unix:$TEST_TMPDIR/$1.sock" \
        --duration 180 --audit "$TEST_TMPDIR/$1.audit" --log-level debug "$TEST_TMPDIR/$1/wall.json"
    printf -v "pid_$1" '%s' "$TESSERA_PID"
}
for n in pc1 pc2; do
    mkdir -p "$TEST_TMPDIR/$n"
    put "$n" A1
done
# --validate checks --node as a start would
run_tessera validate_pc2 --validate --node pc2 "$TEST_TMPDIR/pc2/wall.json"
((TESSERA_RC == 0)) || { show_tessera_output validate_pc2; fail "--validate --node pc2: exit $TESSERA_RC"; }
run_tessera validate_pc9 --validate --node pc9 "$TEST_TMPDIR/pc2/wall.json"
((TESSERA_RC != 0)) || fail "--validate --node pc9 accepted a node no output names"
grep -q -- "--node pc9: no output of this file names that node" "$TEST_TMPDIR/validate_pc9.err" ||
    { show_tessera_output validate_pc9; fail "--validate --node pc9 did not say why"; }
note "--validate refuses a --node no output names"
# without --node, --validate warns when the host name drives no output, and
# it warns of credential files it cannot read (a start would fail on both)
sed 's|"keepalive_s": 1}|"keepalive_s": 1, "username_file": "no-such.user"}|' \
    "$TEST_TMPDIR/pc2/wall.json" >"$TEST_TMPDIR/pc2/creds.json"
grep -q no-such.user "$TEST_TMPDIR/pc2/creds.json" || fail "the test could not add username_file"
run_tessera validate_here --validate "$TEST_TMPDIR/pc2/creds.json"
((TESSERA_RC == 0)) || { show_tessera_output validate_here; fail "--validate without --node: exit $TESSERA_RC"; }
grep -q 'warning: "username_file" .*no-such.user cannot be read here' "$TEST_TMPDIR/validate_here.err" ||
    { show_tessera_output validate_here; fail "--validate did not warn of the unreadable username_file"; }
if [[ $(hostname) != pc[12] ]]; then
    grep -q "warning: no output names this PC's host name" "$TEST_TMPDIR/validate_here.err" ||
        { show_tessera_output validate_here; fail "--validate did not warn that the host name drives no output"; }
fi
note "--validate warns of what a start on this PC would lack"
for n in pc1 pc2; do
    start_node "$n"
done
q() { node_q "$@"; }
until_q() { node_until "$@"; }
send() { node_send "$@"; }
for n in pc1 pc2; do
    until_q "$n" 'd["sync"]["connected"] and len([x for x in d["sync"]["nodes"] if x["state"] == "online"]) == 2' 30 "two nodes online"
done
until_q pc1 'd["sync"]["leader"]' 10 "pc1 leads"
v1=$(q pc1 'd["layout_version"]')
[[ $(q pc2 'd["layout_version"]') == "$v1" ]] || fail "the same file gave two versions"
[[ $(q pc1 '[o["here"] for o in d["outputs"]]') == "[True, False]" ]] ||
    fail "pc1 should draw left only: $(q pc1 '[o["here"] for o in d["outputs"]]')"

# The file changes on pc1 only.
put pc1 A2
until_q pc1 'd["layout_version"] != "'"$v1"'"' 10 "pc1 reloads its copy"
until_q pc2 'd["sync"]["waiting"] == 1 and "LAYOUT FILE DIFFERS" in d["sync"]["marker"]' 10 "pc2 waits for its copy"
send pc1 '{"type":"maximize","output":"right","tile":1}'
until_q pc2 'd["sync"]["waiting"] == 2' 10 "pc2 keeps pc1's command"
[[ $(q pc2 'd["outputs"][1]["maximized"]') == -1 ]] || fail "pc2 applied a command for a layout version it does not have"
[[ $(q pc2 'd["layout_version"]') == "$v1" ]] || fail "pc2 changed its layout version by itself"
grep -q "waiting for this PC's copy" "$TEST_TMPDIR/pc2.err" || fail "pc2 did not say why it waits"
note "pc2 keeps the commands for the version it does not have"

put pc2 A2
until_q pc2 'd["sync"]["waiting"] == 0 and d["outputs"][1]["maximized"] == 1 and d["sync"]["marker"] == ""' 10 "pc2 catches up"
[[ $(q pc2 'd["layout_version"]') == "$(q pc1 'd["layout_version"]')" ]] || fail "versions differ after the copy"
[[ $(q pc1 'd["outputs"][1]["maximized"]') == 1 ]] || fail "pc1 lost its own command"
note "pc2 caught up when its copy matched: the new version, then the command"

# A file that names no output of this PC's node is refused (pc2).
wall A3 | sed 's/"node": "pc2"/"node": "pc9"/' >"$TEST_TMPDIR/pc2/wall.json.new"
mv "$TEST_TMPDIR/pc2/wall.json.new" "$TEST_TMPDIR/pc2/wall.json"
until_q pc2 '"no output names node" in d.get("layout_error", "")' 10 "a file without this PC refused"
put pc2 A2
until_q pc2 'd.get("layout_error", "") == ""' 10 "the good file again"

# A wall tour: both nodes step on the leader's schedule.
put pc1 A2 '"tour": {"layouts": ["one", "two"], "dwell": 2},'
put pc2 A2 '"tour": {"layouts": ["one", "two"], "dwell": 2},'
until_q pc2 'd["layout_version"] == "'"$(q pc1 'd["layout_version"]')"'"' 10 "the tour file on both"
sleep 9
python3 - "$TEST_TMPDIR/pc1.audit" "$TEST_TMPDIR/pc2.audit" <<'PY' || fail "tour steps differ between the nodes"
import datetime, json, sys
def steps(path):
    out = []
    for line in open(path):
        r = json.loads(line)
        if r.get("event") == "layout" and r.get("action") == "switched":
            t = datetime.datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            out.append((t.timestamp(), r["view"]))
    return out
a, b = steps(sys.argv[1]), steps(sys.argv[2])
tour_a, tour_b = a[-3:], b[-3:]
print("tour steps pc1:", tour_a, "pc2:", tour_b, file=sys.stderr)
if len(a) < 3 or [v for _, v in tour_a] != [v for _, v in tour_b]:
    sys.exit(1)
spread = max(abs(x[0] - y[0]) for x, y in zip(tour_a, tour_b))
print("largest spread between the nodes' steps: %.0f ms" % (spread * 1000), file=sys.stderr)
sys.exit(0 if spread < 0.5 else 1)
PY
note "the wall tour steps on both nodes together"

# The whole wall stopped, the file changed, the wall started: the broker's
# last state is for the old version; the nodes start from the new file and
# one leads (nothing waits for a version no node has).
# shellcheck disable=SC2154 # set by start_node through printf -v
stop_pid "$pid_pc1"
# shellcheck disable=SC2154
stop_pid "$pid_pc2"
put pc1 A5
put pc2 A5
start_node pc1
start_node pc2
until_q pc1 'd["sync"]["leader"] and d["sync"]["adopted"]' 15 "pc1 leads after the restart"
until_q pc2 'd["sync"]["adopted"] and d["sync"]["marker"] == "" and d["sync"]["waiting"] == 0' 15 "pc2 runs the new file"
[[ $(q pc2 'd["layout_version"]') == "$(q pc1 'd["layout_version"]')" ]] || fail "versions differ after the restart"

# A PC of another release (an upgrade half done): pc2 stopped, then its
# presence, a command and an incident played on the broker as a release of
# the next message format would send them, with a foreign pc0 beside it.
# pc1 lists both as foreign and says so (marker, log), ignores what they
# send, and keeps leading; the same command and incident in pc1's format
# are taken.
# shellcheck disable=SC2154
stop_pid "$pid_pc2"
until_q pc1 '[x["state"] for x in d["sync"]["nodes"] if x["node"] == "pc2"] == ["missing"]' 10 "pc2 missing once stopped"
fmt=$(q pc1 'd["sync"]["protocol"]')
[[ $fmt =~ ^[1-9][0-9]*$ ]] || fail "stats give no message format: $fmt"
next=$((fmt + 1))
v5=$(q pc1 'd["layout_version"]')
boot=7fffffffffffffff
pub() { mosquitto_pub -h 127.0.0.1 -p "$broker" -q 1 "$@"; }
presence() { # NODE FORMAT: a presence message of NODE speaking FORMAT
    printf '{"node":"%s","state":"online","boot":"%s","v":%d,"release":"9.9.9",' "$1" "$boot" "$2"
    printf '"feeds_live":2,"feeds_total":2,"fps":30.0,"t":%s}' "$(date +%s%6N)"
}
# presence comes once a second, or the node goes missing
( while :; do
    pub -r -t tessera/versions/node/pc2 -m "$(presence pc2 "$next")"
    pub -r -t tessera/versions/node/pc0 -m "$(presence pc0 "$next")"
    sleep 0.5
  done ) &
beat=$!
_lib_pids+=("$beat")
until_q pc1 'sorted(x["node"] for x in d["sync"]["nodes"] if x["foreign"] and x["state"] == "online" and x["release"] == "9.9.9") == ["pc0", "pc2"]' 5 "pc0 and pc2 listed as foreign"
until_q pc1 '"NODE pc2 RUNS ANOTHER RELEASE" in d["sync"]["marker"]' 5 "pc2's release on pc1's marker"
for n in pc0 pc2; do
    grep -q "sync: .*$n (release 9.9.9, format $next).* another message format than this node" "$TEST_TMPDIR/pc1.err" ||
        { show_tessera_output pc1; fail "pc1 did not log the foreign $n"; }
done
[[ $(q pc1 'd["sync"]["leader"]') == True ]] || fail "a foreign pc0 took the lead from pc1"
cmd_msg() { # FORMAT SEQ: pc2's layout switch to "two" in FORMAT
    printf '{"node":"pc2","boot":"%s","v":%d,"cmds":[{"seq":%d,"hash":"%s","t":%s,' "$boot" "$1" "$2" "$v5" "$(date +%s%6N)"
    printf '"cmd":{"type":"layout","origin":"socket","client":"pc2","now_us":%s,"view":"two"}}]}' "$(date +%s%6N)"
}
item_msg() { # FORMAT ID: pc2's incident ID in FORMAT (its sender line first)
    local now
    now=$(date +%s%6N)
    printf 'pc2 %s %d\n{"type":"incident","id":"%s","kind":"FIRE","priority":3,"lat":45.1,' "$boot" "$1" "$2"
    printf '"lon":7.1,"created_us":%s,"changed_us":%s,"seen_us":%s}' "$now" "$now" "$now"
}
incidents() { live_q "$TEST_TMPDIR/pc1.sock" '[i["id"] for i in d["incidents"]]' state; }
foreign0=$(q pc1 'd["sync"]["foreign"]')
pub -t tessera/versions/cmd -m "$(cmd_msg "$next" 1)"
pub -r -t tessera/versions/incident/F1 -m "$(item_msg "$next" F1)"
until_q pc1 "d['sync']['foreign'] >= $foreign0 + 2" 5 "the foreign command and item counted"
sleep 1
[[ $(q pc1 'd["layout"]') == one ]] || fail "pc1 applied a command of another message format"
[[ $(incidents) != *F1* ]] ||
    fail "pc1 took an incident of another message format"
note "a node of another release is listed, shown, logged and ignored"
# the same messages in pc1's format are taken: what was ignored was the format
pub -t tessera/versions/cmd -m "$(cmd_msg "$fmt" 2)"
pub -r -t tessera/versions/incident/F2 -m "$(item_msg "$fmt" F2)"
until_q pc1 'd["layout"] == "two"' 5 "the command in pc1's format applied"
for ((i = 0; i < 50; i++)); do [[ $(incidents) == *F2* ]] && break; sleep 0.1; done
[[ $(incidents) == *F2* ]] || fail "the incident in pc1's format not taken: $(incidents)"
kill "$beat" 2>/dev/null
wait "$beat" 2>/dev/null || true
pub -r -n -t tessera/versions/node/pc0
pub -r -n -t tessera/versions/node/pc2
until_q pc1 '"RUNS ANOTHER RELEASE" not in d["sync"]["marker"]' 5 "the marker clears once they are gone"
note "ok"
