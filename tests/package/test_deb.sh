#!/usr/bin/env bash
# test_deb.sh [windowed|headless] - package.deb (package.deb_headless with
# "headless": the -DTESSERA_HEADLESS_ONLY=ON build, packaged as
# tessera-headless, whose tiles carry no text): builds the Debian package the way a packager
# would (a Release build of its own, no sanitizers, no tests, prefix /usr,
# `cpack -G DEB`), checks its name, contents and computed Depends, installs it
# with `apt-get install ./tessera_VERSION_ARCH.deb` (apt must find every
# dependency in Debian by itself), then, from a directory outside the source
# tree and with nothing of the source tree in reach: `tessera --version`,
# `tessera --validate` on an installed example layout, a headless snapshot of
# that layout and one of a file feed (a clip generated here) to show that the
# installed program finds its shaders and decodes; finally removes and purges
# the package and checks nothing of it stays.  The package is built from a
# copy of the source tree that is deleted before the installed program runs,
# so the source-tree paths compiled in as last resorts lead nowhere.
#
# Needs root and apt (skips with 77 otherwise), and refuses (skips) to touch a
# tessera package someone already installed.  Environment: TESSERA_SOURCE_DIR,
# TESSERA_PNG_PROBE and TESSERA_GEN_CLIP as for the integration tests.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

variant=${1:-windowed}
case $variant in
windowed) pkg=tessera headless_only=OFF front=windowed ;;
headless) pkg=tessera-headless headless_only=ON front=headless-only ;;
*) fail "unknown variant '$variant' (windowed or headless)" ;;
esac
((EUID == 0)) || skip "installing a package needs root"
need_cmd apt-get dpkg dpkg-deb dpkg-shlibdeps cmake cpack ffmpeg
_need_exe TESSERA_PNG_PROBE
if dpkg-query -W -f='${Status}\n' tessera tessera-headless 2>/dev/null | grep -q 'ok installed'; then
    skip "a tessera package is installed already; remove it to run this test"
fi

src=$TEST_TMPDIR/src
build=$TEST_TMPDIR/build
out=$TEST_TMPDIR/deb
mkdir -p "$out"
mkdir -p "$src"
tar -C "$TESSERA_SOURCE_DIR" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf - ||
    fail "cannot copy the source tree"
version=$(sed -n 's/^project(tessera VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ -n $version ]] || fail "cannot read the version from CMakeLists.txt"
arch=$(dpkg --print-architecture)
deb=$out/${pkg}_${version}_${arch}.deb

# apt_get ARGS...: apt-get that waits for a lock another apt holds.
apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 "$@"
}

# On any exit, leave no package behind.
installed=0
purge_on_exit() {
    local status=$?
    set +e
    if ((installed)); then
        apt_get purge "$pkg" >/dev/null 2>&1 || dpkg --purge "$pkg" >/dev/null 2>&1
    fi
    (exit "$status")
    cleanup # lib.sh's: keeps the exit status
}
trap purge_on_exit EXIT

note "building a Release tree in $build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DTESSERA_TESTS=OFF -DTESSERA_SANITIZE=OFF -DTESSERA_FUZZ=OFF \
    -DTESSERA_HEADLESS_ONLY=$headless_only >"$TEST_TMPDIR/configure.log" 2>&1 ||
    { cat "$TEST_TMPDIR/configure.log" >&2; fail "cmake configure failed"; }
cmake --build "$build" -j 2 >"$TEST_TMPDIR/build.log" 2>&1 ||
    { tail -40 "$TEST_TMPDIR/build.log" >&2; fail "build failed"; }
(cd "$build" && cpack -G DEB -B "$out") >"$TEST_TMPDIR/cpack.log" 2>&1 ||
    { cat "$TEST_TMPDIR/cpack.log" >&2; fail "cpack -G DEB failed"; }
[[ -f $deb ]] || fail "cpack made no $(basename "$deb"): $(ls "$out")"

note "checking $(basename "$deb")"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in /usr/bin/tessera /usr/share/tessera/shaders/quad.vert \
    /usr/share/tessera/shaders/video.frag /usr/share/tessera/layouts/schema.json \
    /usr/share/tessera/layouts/demo-2x2.json /usr/share/tessera/systemd/tessera.service \
    /usr/lib/systemd/user/tessera.service /usr/share/man/man1/tessera.1.gz \
    /usr/share/man/man5/tessera-layout.5.gz /usr/share/bash-completion/completions/tessera \
    /usr/share/zsh/vendor-completions/_tessera; do
    grep -qxF "$f" <<<"$contents" || fail "the package lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
note "Depends: $depends"
# Computed by dpkg-shlibdeps: library packages with version constraints.
libs=(libavcodec libavformat libswscale libuv1 libcjson1 libmosquitto1 libc6)
[[ $variant == windowed ]] && libs+=(libsdl2)
for lib in "${libs[@]}"; do
    [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[[ $depends =~ \(\>=\ [0-9] ]] || fail "Depends carries no shlibs versions: $depends"
[[ $(dpkg-deb -f "$deb" Suggests) == *mosquitto* ]] ||
    fail "Suggests lacks the mosquitto broker (several PCs): $(dpkg-deb -f "$deb" Suggests)"
[[ $(dpkg-deb -f "$deb" Package) == "$pkg" ]] || fail "package name is not $pkg"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "package version is not $version"

note "apt-get install ./$(basename "$deb")"
installed=1
(cd "$out" && apt_get install "./$(basename "$deb")") >"$TEST_TMPDIR/install.log" 2>&1 ||
    { tail -30 "$TEST_TMPDIR/install.log" >&2; fail "apt-get install failed"; }
[[ $(dpkg-query -W -f='${Status}' "$pkg") == "install ok installed" ]] ||
    fail "$pkg is not installed after apt-get install"

# Run the installed program from a directory outside the source tree, with
# the copy it was built from gone and no TESSERA_SHADERS.
rm -rf "$src" "$build"
run=$TEST_TMPDIR/run
mkdir -p "$run"
cd "$run"
unset TESSERA_SHADERS
export SDL_VIDEODRIVER=offscreen
[[ $(command -v tessera) == /usr/bin/tessera ]] || fail "tessera is not /usr/bin/tessera"
v=$(tessera --version) || fail "tessera --version failed"
[[ $v == "tessera $version ($front; hwdec: "*")" ]] || fail "unexpected --version: $v"
note "$v"
layout=/usr/share/tessera/layouts/demo-2x2.json
tessera --validate "$layout" >"$run/validate.out" 2>&1 ||
    { cat "$run/validate.out" >&2; fail "tessera --validate $layout failed"; }

# snapshot NAME LAYOUT: a headless snapshot of LAYOUT into $run/NAME.png.
snapshot() {
    tessera --headless --no-control --snapshot "$run/$1.png" --snapshot-after 1 \
        --log-level debug "$2" >"$run/$1.log" 2>&1 ||
        { tail -30 "$run/$1.log" >&2; fail "headless snapshot of $2 failed"; }
    [[ -s $run/$1.png ]] || fail "no snapshot $run/$1.png"
}

# The installed example: cameras on 127.0.0.1:8554 that are not there, so
# every tile is black with its label and status text: text over black
# (headless-only builds draw no text).
snapshot example "$layout"
[[ $(png_size "$run/example.png") == "1280 720" ]] || fail "example snapshot is not 1280x720"
if [[ $variant == windowed ]]; then
    d=$(png_diff "$run/example.png" 0 0 1280 720)
    frac_gt "$d" 0.001 || fail "the example snapshot is blank (diff $d): no labels drawn"
fi

# A file feed: proves the installed libraries decode and the shaders draw.
gen_clip "$run/red.mp4" --color 0xC02020 --seconds 2
cat >"$run/file.json" <<JSON
{ "feeds": { "red": { "url": "file:$run/red.mp4", "loop": true } },
  "outputs": [ { "size": [640, 360], "grid": [1, 1],
                 "tiles": [ { "feed": "red", "cell": [0, 0] } ] } ] }
JSON
snapshot file "$run/file.json"
expect_tile_colour "file feed through the installed tessera" "$run/file.png" \
    0 0 640 360 0xC02020 24

note "apt-get remove, then purge"
cd /
apt_get remove "$pkg" >"$TEST_TMPDIR/remove.log" 2>&1 ||
    { cat "$TEST_TMPDIR/remove.log" >&2; fail "apt-get remove failed"; }
[[ ! -e /usr/bin/tessera ]] || fail "/usr/bin/tessera is still there after remove"
# A package without conffiles leaves nothing for purge (apt then no longer
# knows it); purge whatever remove left.
status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
if [[ $status == *config-files* ]]; then
    apt_get purge "$pkg" >"$TEST_TMPDIR/purge.log" 2>&1 ||
        { cat "$TEST_TMPDIR/purge.log" >&2; fail "apt-get purge failed"; }
fi
installed=0
status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
[[ -z $status || $status == *not-installed* ]] || fail "dpkg still knows $pkg: $status"
for f in /usr/share/tessera /usr/share/man/man1/tessera.1.gz \
    /usr/lib/systemd/user/tessera.service /usr/share/bash-completion/completions/tessera; do
    [[ ! -e $f ]] || fail "$f is still there after purge"
done
note "package.deb ($variant) passed"
