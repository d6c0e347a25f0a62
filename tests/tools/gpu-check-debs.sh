#!/usr/bin/env bash
# tools.gpu_check_debs: tools/gpu-check builds the headless-only Tessera on
# a machine with no package manager from the .debs it carries (DEBS), so
# every pkg-config module that build asks for (CMakeLists.txt, the
# TESSERA_HEADLESS_ONLY branch; FFmpeg's own are built from source there)
# must come from a carried package, with its runtime library and the
# libraries that library loads.  Checked against this machine's dpkg
# database: the development packages are installed here for the normal
# build.  Exits 77 (skipped) without dpkg.
set -euo pipefail
src=${TESSERA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v dpkg >/dev/null || { echo "skipped: no dpkg"; exit 77; }

# DEBS as tools/gpu-check declares it
eval "$(sed -n '/^DEBS=(/,/)/p' "$src/tools/gpu-check")"
declare -A carried
for p in "${DEBS[@]}"; do carried[$p]=1; done

# the modules of the headless-only build
mods=$(awk '/^if\(TESSERA_HEADLESS_ONLY\)/ { on = 1 } on && /pkg_check_modules\(DEPS/ { take = 1 }
             take { print } take && /\)/ { exit }' "$src/CMakeLists.txt" |
    tr ' ' '\n' | tr -d ')' | grep -E '^[a-z][a-z0-9_.+-]*$' |
    grep -vE '^(pkg_check_modules|libav.*|libswscale)$' || true)
[[ -n $mods ]] || { echo "FAIL: found no modules in CMakeLists.txt's headless branch"; exit 1; }

fails=0
# the package that installed file $1 (under /lib or /usr/lib: merged /usr)
owner() {
    local f=$1
    [[ -n $f ]] || return 0
    { dpkg -S "$f" || dpkg -S "${f#/usr}" || dpkg -S "/usr$f"; } 2>/dev/null | head -n 1 | cut -d: -f1
}
need() { # PACKAGE WHY
    [[ -n $1 && -n ${carried[$1]:-} ]] && return 0
    echo "FAIL: ${1:-?} ($2) is not in tools/gpu-check's DEBS"
    fails=$((fails + 1))
}
base='^(libc|libm|libdl|libpthread|librt|libresolv|ld-linux-x86-64)\.so'
for m in $mods; do
    pc=$(pkg-config --variable=pcfiledir "$m")/$m.pc
    need "$(owner "$(readlink -f "$pc")")" "$m.pc"
    for l in $(pkg-config --libs-only-l "$m" | tr ' ' '\n' | sed -n 's/^-l//p'); do
        [[ lib$l.so =~ $base ]] && continue
        so=$(readlink -f "/usr/lib/x86_64-linux-gnu/lib$l.so" 2>/dev/null || true)
        [[ -f $so ]] || so=$(readlink -f "/lib/x86_64-linux-gnu/lib$l.so" 2>/dev/null || true)
        [[ -f $so ]] || { echo "FAIL: lib$l.so (of $m) not found here"; fails=$((fails + 1)); continue; }
        need "$(owner "$so")" "lib$l of $m"
        # what the library loads in turn (one level: those are leaves here)
        for n in $(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            [[ $n =~ $base ]] && continue
            dep=$(readlink -f "/usr/lib/x86_64-linux-gnu/$n" 2>/dev/null || true)
            [[ -f $dep ]] || dep=$(readlink -f "/lib/x86_64-linux-gnu/$n" 2>/dev/null || true)
            need "$(owner "$dep")" "$n, loaded by lib$l"
        done
    done
done
((fails == 0)) || exit 1
echo "ok: $(echo "$mods" | wc -w) modules of the headless-only build come from DEBS: $(echo $mods)"
