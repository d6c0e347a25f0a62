#!/usr/bin/env bash
# smoke-probe.sh - ctest tools.png_probe_smoke: checks tessera-png-probe on
# PNGs made by the ffmpeg CLI (RGB, RGBA, grey, 16-bit) with known colours and
# drawn strokes, and checks that gen-clip's clips decode to the colour asked
# for with the moving square confined to the top-left corner.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

_need_exe TESSERA_PNG_PROBE
need_cmd ffmpeg awk

probe() {
    "$TESSERA_PNG_PROBE" "$@"
}

# want_eq WHAT GOT WANT: fails unless GOT equals WANT.
want_eq() {
    [[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
}

# A 320x200 picture: left half 0x204080, right half 0xC0C0C0, and in the
# left half five white vertical strokes (like text) at x 20..60, y 150..180.
strokes=""
for x in 20 30 40 50 60; do
    strokes+=",drawbox=x=$x:y=150:w=4:h=30:color=white:t=fill"
done
graph="color=c=0x204080:s=320x200,format=rgb24,drawbox=x=160:y=0:w=160:h=200:color=0xC0C0C0:t=fill$strokes"
for fmt in rgb24 rgba gray rgb48be; do
    ffmpeg -nostdin -v error -y -f lavfi -i "$graph" -frames:v 1 -pix_fmt "$fmt" \
        "$TEST_TMPDIR/$fmt.png" || fail "ffmpeg could not write a $fmt PNG"
done
img="$TEST_TMPDIR/rgb24.png"

want_eq "size" "$(probe "$img" size)" "320 200"
want_eq "avg left" "$(probe "$img" avg 0 0 150 140)" "32 64 128"
want_eq "avg right" "$(probe "$img" avg 170 10 140 180)" "192 192 192"
want_eq "avg rgba" "$(probe "$TEST_TMPDIR/rgba.png" avg 0 0 150 140)" "32 64 128"
want_eq "avg rgb48" "$(probe "$TEST_TMPDIR/rgb48be.png" avg 170 10 140 180)" "192 192 192"
read -r gr gg gb <<<"$(probe "$TEST_TMPDIR/gray.png" avg 0 0 150 140)"
[[ $gr == "$gg" && $gg == "$gb" ]] || fail "grey PNG did not convert to grey RGB"
# Half and half: the mean of a rect straddling the edge.
want_eq "avg straddle" "$(probe "$img" avg 150 0 20 100)" "112 128 160"

probe "$img" expect 0 0 150 140 40 60 120 10 || fail "expect within tolerance failed"
rc=0
msg=$(probe "$img" expect 0 0 150 140 200 60 120 10) || rc=$?
want_eq "expect mismatch status" "$rc" 1
[[ $msg =~ ^rect\ \(0,0,150,140\):\ mean\ \(32,64,128\),\ want\ \(200,60,120\) ]] ||
    fail "expect mismatch message: $msg"

want_eq "diff plain" "$(probe "$img" diff 0 0 150 140)" "0.0000"
d=$(probe "$img" diff 10 145 70 40)
frac_gt "$d" 0.15 || fail "diff over the strokes is $d, want > 0.15"

# Usage errors exit 2, unreadable files 1, rects outside the image 2.
for args in "" "$img" "$img bogus" "$img avg 1 2 3" "$img expect 0 0 1 1 0 0 0 x" \
    "$img avg 300 0 40 10" "$img avg 0 0 0 10"; do
    rc=0
    # shellcheck disable=SC2086 # split on purpose
    probe $args >/dev/null 2>&1 || rc=$?
    want_eq "status of 'tessera-png-probe $args'" "$rc" 2
done
rc=0
probe "$TEST_TMPDIR/missing.png" size 2>/dev/null || rc=$?
want_eq "status for a missing file" "$rc" 1

# gen-clip: the colour asked for, and the square only in the top-left corner.
gen_clip "$TEST_TMPDIR/clip.h264" --color 0xD02020 --seconds 1
ffmpeg -nostdin -v error -y -i "$TEST_TMPDIR/clip.h264" -vf select='eq(n\,10)' \
    -frames:v 1 "$TEST_TMPDIR/frame.png" || fail "could not decode the clip"
want_eq "clip size" "$(probe "$TEST_TMPDIR/frame.png" size)" "640 360"
probe "$TEST_TMPDIR/frame.png" expect 96 54 544 306 208 32 32 6 ||
    fail "clip colour outside the top-left corner"
d=$(probe "$TEST_TMPDIR/frame.png" diff 0 0 96 54)
frac_gt "$d" 0.02 || fail "no moving square in the top-left corner (diff $d)"
want_eq "clip outside the corner is plain" \
    "$(probe "$TEST_TMPDIR/frame.png" diff 100 0 540 360)" "0.0000"
note "pass"
