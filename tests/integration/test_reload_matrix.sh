#!/usr/bin/env bash
# test_reload_matrix.sh - integration.reload_matrix: one running wall, its
# layout file edited through two dozen kinds of change (issue 13: start and
# reload are one path).  After each edit the wall must have reloaded it (or,
# for a broken file, kept the old layout with an error), still be running,
# and show the right thing: the stats (views, outputs, tiles, operator
# state, feeds) and a snapshot's colours are checked.  Feeds are solid
# colours: a red, b green, c blue, d yellow; basemaps magenta and cyan.
# Run it under the sanitizers (tools/test) to catch what reloads break.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 ffmpeg

for c in a:0xD02020 b:0x20C040 c:0x2040D0 d:0xE0D020; do
    gen_clip "$TEST_TMPDIR/${c%%:*}.h264" --color "${c#*:}" --seconds 4
done
# two basemaps of zoom 2 (every tile one colour)
for m in mapA:0xC040C0 mapB:0x40C0C0; do
    ffmpeg -loglevel error -f lavfi -i "color=c=${m#*:}:s=256x256" -frames:v 1 \
        "$TEST_TMPDIR/${m%%:*}.png" || fail "cannot make a basemap tile"
    for x in 0 1 2 3; do
        mkdir -p "$TEST_TMPDIR/${m%%:*}/2/$x"
        for y in 0 1 2 3; do cp "$TEST_TMPDIR/${m%%:*}.png" "$TEST_TMPDIR/${m%%:*}/2/$x/$y.png"; done
    done
done
port=""
start_rtsp_server port --mount "/a=$TEST_TMPDIR/a.h264" --mount "/b=$TEST_TMPDIR/b.h264" \
    --mount "/c=$TEST_TMPDIR/c.h264" --mount "/d=$TEST_TMPDIR/d.h264"
server_log=$RTSP_SERVER_LOG

layout="$TEST_TMPDIR/wall.json"
mods=() # the changes so far, as Python statements for wall_layout.py
gen() { python3 "$(dirname "${BASH_SOURCE[0]}")/wall_layout.py" "$layout" "$port" "$@"; }
gen
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
start_tessera wall 900 --headless --control "unix:$sock" --stats "$stats" --duration 880 \
    --snapshot-dir "$TEST_TMPDIR" "$layout"
wall_pid=$TESSERA_PID

q() { stats_q "$stats" "$1"; }
send() { control_send "$sock" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
clients() { rtsp_clients_seen "$server_log"; }
count() { grep -c "$1" "$TEST_TMPDIR/wall.err" || true; }
alive() { kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died ($1)"; }; }
expect_ok() {
    local reply
    reply=$(send "$1")
    [[ $reply == '{"ok":true'* ]] || fail "$1: $reply"
}

n=0
# change WHAT [STATEMENT...]: adds the statements to the changes so far,
# rewrites the file and waits until the wall reloaded it ("BROKEN" as the
# only statement: until it reported the error, the changes kept as they were).
change() {
    local what=$1 before i pattern="reloaded $layout"
    shift
    n=$((n + 1))
    if [[ ${1:-} == BROKEN ]]; then
        pattern="has errors: keeping the layout"
        before=$(count "$pattern")
        gen "${mods[@]}" BROKEN
    else
        mods+=("$@")
        before=$(count "$pattern")
        gen "${mods[@]}"
    fi
    for ((i = 0; i < 150; i++)); do
        (($(count "$pattern") > before)) && break
        alive "change $n: $what"
        sleep 0.1
    done
    (($(count "$pattern") > before)) || fail "change $n ($what) was not reloaded within 15 s"
    alive "change $n: $what"
    note "change $n: $what"
}
# snap NAME: a snapshot of every output into $TEST_TMPDIR/NAME.png (several
# outputs: NAME-OUTPUT.png); waits for the files.
snap() {
    local i outs
    outs=$(q 'len(d["outputs"])')
    rm -f "$TEST_TMPDIR/$1"*.png
    expect_ok "{\"type\":\"snapshot\",\"name\":\"$1.png\"}"
    for ((i = 0; i < 100; i++)); do
        if ((outs == 1)); then [[ -s $TEST_TMPDIR/$1.png ]] && return 0
        elif (($(find "$TEST_TMPDIR" -maxdepth 1 -name "$1-*.png" -size +0 | wc -l) == outs)); then
            return 0
        fi
        sleep 0.1
    done
    fail "snapshot $1 not written"
}
# map_snap NAME TILE COLS RGB: snapshots NAME until the map panel in tile
# TILE (of COLS) shows RGB: basemap tiles are decoded on libuv's thread pool
# and the panel shows the plain background until they are (up to 10 s).
map_snap() {
    local i tw=$((W / $3)) rgb
    rgb=$(hex_rgb "$4")
    for ((i = 0; i < 20; i++)); do
        snap "$1"
        # shellcheck disable=SC2086 # rgb is "R G B"
        "$TESSERA_PNG_PROBE" "$TEST_TMPDIR/$1.png" expect $(($2 * tw + tw * 35 / 100)) \
            $((H * 35 / 100)) $((tw * 3 / 10)) $((H * 3 / 10)) $rgb 40 >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    tile_colour "$TEST_TMPDIR/$1.png" "$2" "$3" "$4"
}
W=640 H=360 # output main's size now
tile_colour() { # PNG TILE COLS RGB: tile TILE of a COLS x 1 grid on main has colour RGB
    local tw=$((W / $3))
    expect_tile_colour "change $n: tile $2" "$1" $(($2 * tw)) 0 "$tw" "$H" "$4" 40
}

wait_until 'all(f["state"] == "live" for f in d["feeds"]) and len(d["feeds"]) == 3' 30
snap s0
tile_colour "$TEST_TMPDIR/s0.png" 0 2 0xD02020
base_clients=$(clients)

# -- labels, tours and views
change "label changed" 'L["feeds"]["a"]["label"] = "A (renamed)"'
wait_until 'd["commands"] > 1' 3
(($(clients) == base_clients)) || fail "a label change reconnected feeds"
change "wall tour added" 'L["tour"] = {"layouts": ["day", "night"], "dwell": 2}'
wait_until 'd["layout"] == "night"' 6
change "wall tour retimed" 'L["tour"]["dwell"] = 1'
wait_until 'd["layout"] == "day"' 4
wait_until 'd["layout"] == "night"' 4
change "wall tour removed" 'del L["tour"]'
sleep 2.5
alive "after the wall tour was removed"
shown=$(q 'd["layout"]')
sleep 1.5
[[ $(q 'd["layout"]') == "$shown" ]] || fail "the removed wall tour still runs"
expect_ok '{"type":"layout","name":"day"}'
change "tile tour retimed" 'L["layouts"]["day"]["outputs"][0]["tiles"][1]["tour"]["dwell"] = 30'
change "view added" 'L["layouts"]["extra"] = view(out([tile("d", 0)]))'
expect_ok '{"type":"layout","name":"extra"}'
# d was shown by no tile before: wait for its first pictures, not only the view
wait_until 'd["outputs"][0]["tiles"] == ["d"] and feed("d")["state"] == "live" and feed("d")["frames_displayed"] > 2' 15
snap s1
expect_tile_colour "view extra shows d" "$TEST_TMPDIR/s1.png" 0 0 640 360 0xE0D020 40
expect_ok '{"type":"layout","name":"day"}'
change "view removed" 'del L["layouts"]["extra"]'
[[ $(send '{"type":"layout","name":"extra"}') == *'no layout named'* ]] || fail "extra still there"

# -- outputs
change "output resized" 'for v in L["layouts"].values(): v["outputs"][0]["size"] = [800, 450]'
W=800 H=450
wait_until 'd["outputs"][0]["width"] == 800 and d["outputs"][0]["height"] == 450' 5
snap s2
[[ $(png_size "$TEST_TMPDIR/s2.png") == "800 450" ]] || fail "snapshot size $(png_size "$TEST_TMPDIR/s2.png")"
tile_colour "$TEST_TMPDIR/s2.png" 0 2 0xD02020
change "output added" \
    'for v in L["layouts"].values(): v["outputs"].append(out([tile("b", 0)], name="side", size=(320, 180)))'
wait_until 'len(d["outputs"]) == 2 and d["outputs"][1]["tiles"] == ["b"]' 5
snap s3
expect_tile_colour "new output side" "$TEST_TMPDIR/s3-side.png" 0 0 320 180 0x20C040 40
tile_colour "$TEST_TMPDIR/s3-main.png" 0 2 0xD02020
change "output removed" 'for v in L["layouts"].values(): v["outputs"].pop()'
wait_until 'len(d["outputs"]) == 1' 5
snap s4
tile_colour "$TEST_TMPDIR/s4.png" 0 2 0xD02020

# -- feeds and privacy
change "feed URL changed" 'L["feeds"]["a"]["url"] = L["feeds"]["d"]["url"]'
sleep 1.5
wait_until 'feed("a")["state"] == "live"' 10
snap s5
tile_colour "$TEST_TMPDIR/s5.png" 0 2 0xE0D020
change "masks added" 'L["feeds"]["a"]["masks"] = [{"polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}]'
sleep 0.5
snap s6
tile_colour "$TEST_TMPDIR/s6.png" 0 2 0x29292E
change "masks removed" 'del L["feeds"]["a"]["masks"]'
sleep 0.5
snap s7
tile_colour "$TEST_TMPDIR/s7.png" 0 2 0xE0D020

# -- panels, basemaps, broken files
change "tile count changed: a map panel added" \
    'L["basemap"] = "mapA"' \
    'for v in L["layouts"].values(): v["outputs"][0]["grid"] = [3, 1]; v["outputs"][0]["tiles"].append(panel_map(2))'
wait_until 'len(d["outputs"][0]["tiles"]) == 3' 5
map_snap s8 2 3 0xC040C0
change "basemap changed" 'L["basemap"] = "mapB"'
map_snap s9 2 3 0x40C0C0
change "broken file" BROKEN
wait_until '"layout_error" in d and len(d["outputs"][0]["tiles"]) == 3' 5
change "broken file fixed" 'L["feeds"]["b"]["label"] = "B"'
wait_until '"layout_error" not in d' 5
map_snap s10 2 3 0x40C0C0
expect_ok '{"type":"select","output":"main","tile":2}'
wait_until 'd["outputs"][0]["selected"] == 2' 3
change "selected tile removed" \
    'for v in L["layouts"].values(): v["outputs"][0]["grid"] = [2, 1]; v["outputs"][0]["tiles"].pop()'
wait_until 'len(d["outputs"][0]["tiles"]) == 2 and d["outputs"][0]["selected"] == -1' 5

# -- operator state through reloads
expect_ok '{"type":"maximize","output":"main","tile":0}'
change "maximized tile kept" 'L["feeds"]["b"]["label"] = "B (renamed)"'
wait_until 'd["commands"] > 0 and d["outputs"][0]["maximized"] == 0' 3
snap s11
expect_tile_colour "maximized tile a kept" "$TEST_TMPDIR/s11.png" 0 0 800 450 0xE0D020 40
expect_ok '{"type":"maximize","output":"main"}'
expect_ok '{"type":"pin","output":"main","tile":1}'
change "pinned tile kept" 'L["feeds"]["c"]["label"] = "C (renamed)"'
wait_until 'd["outputs"][0]["pinned"] == [1]' 3
expect_ok '{"type":"unpin","output":"main","tile":1}'

# -- feeds and views come and go
change "feed removed" 'del L["feeds"]["c"]' \
    'L["layouts"]["day"]["outputs"][0]["tiles"][1]["tour"]["feeds"] = ["b", "d"]' \
    'L["layouts"]["night"]["outputs"][0]["tiles"][0]["feed"] = "d"'
wait_until 'all(f["id"] != "c" for f in d["feeds"])' 5
change "feed added" 'L["feeds"]["e"] = {"url": "rtsp://127.0.0.1:%s/c" % port}' \
    'L["layouts"]["night"]["outputs"][0]["tiles"][0]["feed"] = "e"'
expect_ok '{"type":"layout","name":"night"}'
wait_until 'd["outputs"][0]["tiles"][0] == "e" and feed("e")["state"] == "live"' 10
snap s12
tile_colour "$TEST_TMPDIR/s12.png" 0 2 0x2040D0
change "view shown renamed" 'L["layouts"]["late"] = L["layouts"].pop("night")'
wait_until 'd["layout"] == "day"' 5
change "output renamed" 'for v in L["layouts"].values(): v["outputs"][0]["name"] = "centre"'
wait_until 'd["outputs"][0]["name"] == "centre"' 5
expect_ok '{"type":"maximize","output":"centre","tile":0}'
expect_ok '{"type":"maximize","output":"centre"}'
before=$(count "has errors: keeping the layout")
rm "$layout"
for ((i = 0; i < 50; i++)); do
    (($(count "has errors: keeping the layout") > before)) && break
    sleep 0.1
done
alive "the layout file removed"
wait_until '"layout_error" in d' 5
change "file back" 'L["feeds"]["b"]["label"] = "B"'
wait_until '"layout_error" not in d and d["layout"] == "day"' 5
snap s13
tile_colour "$TEST_TMPDIR/s13.png" 0 2 0xE0D020
((n >= 20)) || fail "only $n kinds of change"
note "ok: $n kinds of change"
