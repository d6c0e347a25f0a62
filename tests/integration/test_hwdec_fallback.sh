#!/usr/bin/env bash
# test_hwdec_fallback.sh - integration.hwdec_fallback: hardware decoding
# asked for where it cannot work never costs a tile.
#   1. --list-hwdec prints one truthful line per backend and exits 0; on a
#      machine without libcuda.so.1 / a DRM render node it says exactly that.
#   2. --hwdec nvdec (global), with per-feed "hwdec" of vaapi, sw and auto on
#      three other feeds (two RTSP cameras, two looping files): every tile
#      shows its colour; --stats reports each feed's backend and, where
#      hardware was passed over, the reason (a per-feed setting beats the
#      global one); each reason is logged once per feed.
#   3. --hwdec vaapi (global) likewise.
# On a machine where a backend works, the test expects that backend (or its
# copy mode) instead of software: it checks the truth, not a fixed answer.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

# ---- 1. --list-hwdec ----
run_tessera list --list-hwdec
list="$TEST_TMPDIR/list.out"
((TESSERA_RC == 0)) || { show_tessera_output list; fail "--list-hwdec exited $TESSERA_RC, want 0"; }
names=$(cut -d: -f1 "$list" | tr '\n' ' ')
[[ $names == "nvdec vaapi sw " ]] || { show_tessera_output list; fail "--list-hwdec listed '$names', want 'nvdec vaapi sw '"; }
grep -Evq '^(nvdec|vaapi|sw): (ok|unavailable): .+$' "$list" &&
    fail "--list-hwdec printed a line that is not 'NAME: ok|unavailable: WHY': $(cat "$list")"
grep -q '^sw: ok: ' "$list" || fail "--list-hwdec says software decoding does not work"
nv_ok=0 va_ok=0
grep -q '^nvdec: ok: ' "$list" && nv_ok=1
grep -q '^vaapi: ok: ' "$list" && va_ok=1
if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
    grep -qx 'nvdec: unavailable: libcuda.so.1 not found (no NVIDIA driver)' "$list" ||
        fail "no libcuda.so.1 here, but --list-hwdec says: $(grep '^nvdec' "$list")"
fi
if ! compgen -G '/dev/dri/renderD*' >/dev/null; then
    # run_tessera unsets DISPLAY, so the X server cannot stand in either
    grep -qx 'vaapi: unavailable: no DRM render node (/dev/dri/renderD128)' "$list" ||
        fail "no render node here, but --list-hwdec says: $(grep '^vaapi' "$list")"
fi
note "--list-hwdec: $(tr '\n' '|' <"$list")"
nv_why=$(sed -n 's/^nvdec: unavailable: //p' "$list")
va_why=$(sed -n 's/^vaapi: unavailable: //p' "$list")

# ---- clips, cameras, layout ----
colors=(0xD02020 0x20C040 0x2040D0 0xE0C020)
gen_clip "$TEST_TMPDIR/cam0.h264" --color "${colors[0]}" --seconds 4
gen_clip "$TEST_TMPDIR/cam1.h264" --color "${colors[1]}" --seconds 4
gen_clip "$TEST_TMPDIR/file2.mp4" --color "${colors[2]}" --seconds 2
gen_clip "$TEST_TMPDIR/file3.mp4" --color "${colors[3]}" --seconds 2
port=""
start_rtsp_server port --mount "/cam0=$TEST_TMPDIR/cam0.h264" \
    --mount "/cam1=$TEST_TMPDIR/cam1.h264"

layout="$TEST_TMPDIR/hwdec.json"
cat >"$layout" <<JSON
{
  "feeds": {
    "va":  {"url": "rtsp://127.0.0.1:$port/cam0", "hwdec": "vaapi"},
    "sw":  {"url": "rtsp://127.0.0.1:$port/cam1", "hwdec": "sw"},
    "glb": {"url": "$TEST_TMPDIR/file2.mp4", "loop": true},
    "aut": {"url": "$TEST_TMPDIR/file3.mp4", "loop": true, "hwdec": "auto"}
  },
  "outputs": [
    {"name": "main", "size": [1280, 720], "grid": [2, 2],
     "tiles": [
       {"feed": "va", "cell": [0, 0]},
       {"feed": "sw", "cell": [1, 0]},
       {"feed": "glb", "cell": [0, 1]},
       {"feed": "aut", "cell": [1, 1]}
     ]}
  ]
}
JSON

# field STATS FEED KEY: prints the feed's KEY ("null" for JSON null).
field() {
    python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
feed = next(f for f in doc["feeds"] if f["id"] == sys.argv[2])
v = feed.get(sys.argv[3], "<missing>")
print("null" if v is None else v)
PY
}

# expect_backend WHAT STATS FEED MODE: the feed decodes with MODE (or its
# copy mode) when --list-hwdec said MODE works; else with sw, and the
# fallback starts with "MODE: " and the reason --list-hwdec gave.
expect_backend() {
    local what=$1 stats=$2 feed=$3 mode=$4 ok why hw fb
    hw=$(field "$stats" "$feed" hwdec) fb=$(field "$stats" "$feed" hwdec_fallback)
    ok=$([[ $mode == nvdec ]] && echo $nv_ok || echo $va_ok)
    why=$([[ $mode == nvdec ]] && echo "$nv_why" || echo "$va_why")
    if ((ok)); then
        [[ $hw == "$mode" || $hw == "$mode-copy" ]] ||
            fail "$what: hwdec is '$hw' although $mode works here"
        return 0
    fi
    [[ $hw == sw ]] || fail "$what: hwdec is '$hw', want 'sw' ($mode cannot work here)"
    [[ $fb == "$mode: $why" ]] || fail "$what: hwdec_fallback is '$fb', want '$mode: $why'"
}

# run_case GLOBAL: one headless run with --hwdec GLOBAL; checks picture,
# stats and log.
run_case() {
    local global=$1 png="$TEST_TMPDIR/hwdec-$1.png" stats="$TEST_TMPDIR/stats-$1.json"
    local name="snapshot.hwdec-$1"
    run_tessera_snapshot "$layout" "$png" --snapshot-after 3.5 --hwdec "$global" \
        --stats "$stats" --no-control
    for i in 0 1 2 3; do
        expect_tile_colour "--hwdec $global: tile $i" "$png" $((i % 2 * 640)) \
            $(((i / 2) * 360)) 640 360 "${colors[i]}" 30
    done
    [[ -s $stats ]] || fail "--hwdec $global: no stats written"
    expect_backend "--hwdec $global: feed va (\"hwdec\": \"vaapi\")" "$stats" va vaapi
    expect_backend "--hwdec $global: feed glb (no \"hwdec\")" "$stats" glb "$global"
    [[ $(field "$stats" sw hwdec) == sw ]] || fail "--hwdec $global: feed sw decodes with $(field "$stats" sw hwdec)"
    [[ $(field "$stats" sw hwdec_fallback) == null ]] ||
        fail "--hwdec $global: feed sw (asked for) has a fallback: $(field "$stats" sw hwdec_fallback)"
    local aut
    aut=$(field "$stats" aut hwdec)
    if ((!nv_ok && !va_ok)); then
        [[ $aut == sw ]] || fail "--hwdec $global: feed aut decodes with '$aut', want sw"
        [[ $(field "$stats" aut hwdec_fallback) == "nvdec: $nv_why; vaapi: $va_why" ]] ||
            fail "--hwdec $global: feed aut fallback '$(field "$stats" aut hwdec_fallback)'"
    fi
    for f in va sw glb aut; do
        [[ $(field "$stats" "$f" state) == live ]] || fail "--hwdec $global: feed $f is $(field "$stats" "$f" state)"
    done
    # each fallback reason is logged once per feed, naming the feed
    local n
    n=$(grep -c "feed/va: decoding with sw (vaapi: " "$TEST_TMPDIR/$name.err" || true)
    ((va_ok || n == 1)) || { show_tessera_output "$name"; fail "--hwdec $global: feed va's fallback logged $n times, want 1"; }
}

run_case nvdec
run_case vaapi
note "pass"
