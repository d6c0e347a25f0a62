#!/usr/bin/env bash
# test_operator_state.sh - integration.operator_state: what operators set on
# a running wall stays until they change it (issue 13).  Each case fails on
# the wall before the wall-state commands (02a3d13):
#   pin     - a pinned tour tile keeps its feed through its tour and a
#             layout switch, and cycles again once unpinned;
#   reload  - an enlarged and a selected tile survive a reload of the file;
#   tour    - a wall tour step does not reset an enlarged tile, which keeps
#             its camera (a tour added by a reload runs);
#   crash   - removing the wall tour from a running wall's file does not
#             crash it at the next step.
# CASES="pin crash" runs some of them (default: all, in this order).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

for c in a:0xD02020 b:0x20C040 c:0x2040D0 d:0xE0D020; do
    gen_clip "$TEST_TMPDIR/${c%%:*}.h264" --color "${c#*:}" --seconds 4
done
port=""
start_rtsp_server port --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264" \
    --mount "/c=$TEST_TMPDIR/c.h264" --mount "/d=$TEST_TMPDIR/d.h264"

layout="" sock="" stats="" wall_pid="" wall=""
gen() { python3 "$(dirname "${BASH_SOURCE[0]}")/wall_layout.py" "$layout" "$port" "$@"; }
# start_wall NAME [STATEMENT...]: starts a wall on a layout changed by the
# statements (see wall_layout.py); the helpers below then talk to it.
start_wall() {
    wall=$1
    shift
    layout="$TEST_TMPDIR/$wall.json" sock="$TEST_TMPDIR/$wall.sock"
    stats="$TEST_TMPDIR/$wall.stats.json"
    gen "$@"
    start_tessera "$wall" 900 --headless --control "unix:$sock" --stats "$stats" \
        --duration 880 "$layout"
    wall_pid=$TESSERA_PID
    wait_until 'all(f["state"] == "live" for f in d["feeds"]) and len(d["feeds"]) == 3' 30
}

q() { stats_q "$stats" "$1"; }
send() { control_send "$sock" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" "$wall"; }
reloads() { grep -c "reloaded $layout" "$TEST_TMPDIR/$wall.err" || true; }
# edit STATEMENT...: rewrites the layout and waits until the wall reloaded it.
edit() {
    local before i
    before=$(reloads)
    gen "$@"
    for ((i = 0; i < 100; i++)); do
        (($(reloads) > before)) && return 0
        kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output "$wall"; fail "tessera died"; }
        sleep 0.1
    done
    fail "the edit was not reloaded within 10 s"
}
expect_ok() { # REQUEST: sends it and fails unless the reply is ok
    local reply
    reply=$(send "$1")
    [[ $reply == '{"ok":true'* ]] || fail "$1: $reply"
}
tile1() { q 'd["outputs"][0]["tiles"][1]'; }

case_pin() {
    expect_ok '{"type":"pin","output":"main","tile":1}'
    wait_until 'd["outputs"][0]["pinned"] == [1]' 3
    local kept
    kept=$(tile1)
    sleep 2.5 # the tour's dwell is 1 s
    [[ $(tile1) == "$kept" ]] || fail "pinned tour tile moved on: $kept -> $(tile1)"
    expect_ok '{"type":"layout","name":"night"}'
    wait_until "d['layout'] == 'night' and d['outputs'][0]['tiles'] == ['c', '$kept']" 3
    note "pinned tile kept $kept through its tour and a switch to night"
    expect_ok '{"type":"layout","name":"day"}'
    expect_ok '{"type":"unpin","output":"main","tile":1}'
    wait_until "d['outputs'][0]['pinned'] == [] and d['outputs'][0]['tiles'][1] != '$kept'" 5
    note "unpinned: the tour goes on"
}

case_reload() {
    expect_ok '{"type":"maximize","output":"main","tile":0}'
    expect_ok '{"type":"select","output":"main","tile":1}'
    wait_until 'd["outputs"][0]["maximized"] == 0 and d["outputs"][0]["selected"] == 1' 3
    edit 'L["feeds"]["a"]["label"] = "A (renamed)"'
    sleep 1.2 # a stats write after the reload
    [[ $(q 'd["outputs"][0]["maximized"], d["outputs"][0]["selected"]') == "(0, 1)" ]] ||
        fail "after a reload: maximized, selected = $(q 'd["outputs"][0]["maximized"], d["outputs"][0]["selected"]')"
    expect_ok '{"type":"maximize","output":"main"}'
    note "enlarged and selected tiles survived a reload"
}

# On a wall started with a wall tour (day and night, 3 s each).
case_tour() {
    expect_ok '{"type":"maximize","output":"main","tile":0}'
    wait_until 'd["outputs"][0]["maximized"] == 0' 3
    local was held
    read -r was held < <(q 'd["layout"] + " " + d["outputs"][0]["tiles"][0]') # one document
    wait_until "d['layout'] != '$was'" 6
    [[ $(q 'd["outputs"][0]["maximized"], d["outputs"][0]["tiles"][0]') == "(0, '$held')" ]] ||
        fail "after a wall-tour step from $was: $(q 'd["layout"], d["outputs"][0]["maximized"], d["outputs"][0]["tiles"]'), want tile 0 enlarged on $held"
    expect_ok '{"type":"maximize","output":"main"}'
    note "a wall-tour step from $was kept the enlarged tile on camera $held"
}

# On a wall started with a wall tour: the tour removed from its file.
case_crash() {
    wait_until 'd["layout"] == "night"' 8
    edit # the tour removed
    sleep 4
    kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output "$wall"; fail "tessera died after the tour was removed"; }
    local shown
    shown=$(q 'd["layout"]')
    sleep 3.5
    [[ $(q 'd["layout"]') == "$shown" ]] || fail "the removed tour still runs"
    note "removing the wall tour: no crash, the wall stays on $shown"
}

cases=${CASES:-pin reload tour crash}
if [[ " $cases " == *" pin "* || " $cases " == *" reload "* ]]; then
    start_wall plain
    [[ " $cases " == *" pin "* ]] && case_pin
    [[ " $cases " == *" reload "* ]] && case_reload
    stop_pid "$wall_pid"
fi
if [[ " $cases " == *" tour "* || " $cases " == *" crash "* ]]; then
    start_wall toured 'L["tour"] = {"layouts": ["day", "night"], "dwell": 3}'
    [[ " $cases " == *" tour "* ]] && case_tour
    [[ " $cases " == *" crash "* ]] && case_crash
fi
note "ok"
