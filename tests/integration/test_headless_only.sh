#!/usr/bin/env bash
# test_headless_only.sh - integration.headless_only: the configuration that
# tools/gpu-check builds on bare GPU machines (-DTESSERA_HEADLESS_ONLY=ON: no
# SDL2, SDL2_ttf, fontconfig or GLEW; raw EGL) still builds from this tree
# and draws a correct wall on Mesa's surfaceless EGL (llvmpipe): two looping
# files, one through `--hwdec nvdec` (software fallback here, or NVDEC where
# it works), with their colours in the snapshot and no SDL in the binary.
# Skipped (77) when cmake or Mesa's EGL is missing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_test_tools
need_cmd cmake
compgen -G '/usr/share/glvnd/egl_vendor.d/*mesa*.json' >/dev/null ||
    skip "no Mesa EGL vendor library (libegl-mesa0)"

build="$TEST_TMPDIR/build"
note "configuring and building -DTESSERA_HEADLESS_ONLY=ON in $build"
if ! { cmake -S "$TESSERA_SOURCE_DIR" -B "$build" -DTESSERA_HEADLESS_ONLY=ON \
    -DTESSERA_TESTS=OFF -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$build" -j "$(nproc)"; } >"$TEST_TMPDIR/build.log" 2>&1; then
    grep -E 'error|Error' "$TEST_TMPDIR/build.log" | head -n 30 >&2
    fail "the headless-only configuration does not build (log above)"
fi
needed=$(readelf -d "$build/tessera" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[[ $needed =~ libSDL2|libGLEW|libfontconfig ]] &&
    fail "the headless-only tessera links SDL2, GLEW or fontconfig: $needed"
[[ $needed == *libEGL* && $needed == *libOpenGL* ]] ||
    fail "the headless-only tessera does not link libEGL and libOpenGL: $needed"

colors=(0x2040D0 0xE0C020)
for i in 0 1; do
    gen_clip "$TEST_TMPDIR/clip$i.mp4" --color "${colors[i]}" --seconds 2
done
layout="$TEST_TMPDIR/headless.json"
cat >"$layout" <<JSON
{
  "feeds": {
    "a": {"url": "$TEST_TMPDIR/clip0.mp4", "loop": true},
    "b": {"url": "$TEST_TMPDIR/clip1.mp4", "loop": true, "hwdec": "nvdec"}
  },
  "outputs": [
    {"name": "main", "size": [1280, 360], "grid": [2, 1],
     "tiles": [{"feed": "a", "cell": [0, 0]}, {"feed": "b", "cell": [1, 0]}]}
  ]
}
JSON

TESSERA="$build/tessera"
export TESSERA_SHADERS="$TESSERA_SOURCE_DIR/shaders"
png="$TEST_TMPDIR/headless.png"
run_tessera_snapshot "$layout" "$png" --no-control
grep -q 'EGL surfaceless platform\|EGL device platform\|EGL software device' \
    "$TEST_TMPDIR/snapshot.headless.err" ||
    { show_tessera_output snapshot.headless; fail "no raw-EGL context reported"; }
for i in 0 1; do
    expect_tile_colour "headless-only tile $i" "$png" $((i * 640)) 0 640 360 "${colors[i]}" 30
done

run_tessera windowed --duration 1 "$layout"
if ((TESSERA_RC != 1)) || ! grep -q 'headless-only build' "$TEST_TMPDIR/windowed.err"; then
    show_tessera_output windowed
    fail "without --headless the headless-only build must refuse (exit 1)"
fi
note "pass"
