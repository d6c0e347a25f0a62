#!/usr/bin/env bash
# test_output_size.sh - integration.output_size: an output that names its
# "display" may leave out "size" (it takes the monitor's size); headless, such
# an output is 1920x1080 and the wall says so.  An output with neither "size"
# nor "display" is refused with the file, line and column.  --validate and
# the schema accept the short form.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/cam.h264" --color 0x2040D0 --seconds 4
port=""
start_rtsp_server port --mount "/cam=$TEST_TMPDIR/cam.h264"

layout="$TEST_TMPDIR/nosize.json"
cat >"$layout" <<JSON
{"feeds": {"cam": {"url": "rtsp://127.0.0.1:$port/cam"}},
 "outputs": [{"name": "main", "display": 0, "grid": [2, 1], "tiles": [
  {"feed": "cam", "cell": [1, 0]}]}]}
JSON
out=$("$TESSERA" --validate "$layout" 2>&1) || fail "--validate refused an output with a display and no size: $out"
[[ $out == *": ok: 1 feed, 1 output, 1 tile"* ]] || fail "--validate said: $out"
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - "$TESSERA_SOURCE_DIR/layouts/schema.json" "$layout" <<'PY' || fail "the schema refuses an output with a display and no size"
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
fi

png="$TEST_TMPDIR/nosize.png"
run_tessera_snapshot "$layout" "$png"
[[ $(png_size "$png") == "1920 1080" ]] || fail "headless output without size: $(png_size "$png"), want 1920 1080"
grep -q 'output main: no "size" and headless: 1920x1080' "$TEST_TMPDIR/snapshot.nosize.err" ||
    { show_tessera_output snapshot.nosize; fail "the wall did not say which size it chose"; }
expect_tile_colour "camera in the right half" "$png" 960 0 960 1080 0x2040D0 30
png_expect "left half black" "$png" 100 100 700 800 0 0 0 8

# Neither size nor display: refused where the output starts.
sed 's/"display": 0, //' "$layout" >"$TEST_TMPDIR/bad.json"
rc=0
out=$("$TESSERA" --validate "$TEST_TMPDIR/bad.json" 2>&1) || rc=$?
((rc != 0)) || fail "--validate accepted an output with neither size nor display"
[[ $out == *'bad.json:2:14: error: missing key "size" in output "main"'* ]] || fail "--validate said: $out"
note "ok"
