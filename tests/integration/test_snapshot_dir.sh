#!/usr/bin/env bash
# test_snapshot_dir.sh - integration.snapshot_dir: the control socket's
# "snapshot" writes only into --snapshot-dir (issue 12):
#   - the issue's exploit, {"type":"snapshot","path":"/elsewhere/victim.txt"},
#     is refused with a reason and the victim keeps its content;
#   - names with "/" or "..", or not ending .png, are refused;
#   - a symlink planted in the directory (to a file, or dangling) is refused
#     and nothing is written through it;
#   - a file the wall did not write is refused and kept; one it wrote itself
#     may be written again, unless it was swapped for something else;
#   - a bare name works ("name", and "path" as a bare name), one file per
#     output (NAME-OUTPUT.png), and no name gives a timestamped one;
#   - the directory is created with mode 0700.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/a.mp4" --color 0x2040D0 --size 320x180 --seconds 2
layout="$TEST_TMPDIR/snap.json"
cat >"$layout" <<JSON
{"feeds": {"a": {"url": "$TEST_TMPDIR/a.mp4", "loop": true, "label": "A"}},
 "outputs": [
   {"name": "left", "size": [320, 180], "grid": [1, 1], "tiles": [{"feed": "a", "cell": [0, 0]}]},
   {"name": "right", "size": [320, 180], "grid": [1, 1], "tiles": [{"feed": "a", "cell": [0, 0]}]}]}
JSON

snaps="$TEST_TMPDIR/snaps"
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
victim_dir="$TEST_TMPDIR/victim"
victim="$victim_dir/victim.txt"
mkdir -p "$victim_dir"
echo "precious text" >"$victim"

start_tessera wall 240 --headless --control "unix:$sock" --stats "$stats" \
    --snapshot-dir "$snaps" --duration 200 "$layout"
wall_pid=$TESSERA_PID
send() { control_send "$sock" "$1"; }
wait_stats "$stats" 'd["feeds"][0]["state"] == "live"' 20 "$wall_pid" wall

# wait_file F: waits up to 5 s for F to exist and be non-empty.
wait_file() {
    for _ in $(seq 50); do [[ -s $1 ]] && return 0; sleep 0.1; done
    return 1
}

# refused WHAT JSON WORD: the request must get an error reply naming WORD.
refused() {
    local reply
    reply=$(send "$2")
    [[ $reply == *'"ok":false'* ]] || fail "$1: not refused: $reply"
    [[ $reply == *"$3"* ]] || fail "$1: the reason does not say \"$3\": $reply"
    note "$1: refused: $reply"
}

# The issue's exploit: an absolute path anywhere the wall's user can write.
reply=$(send "{\"type\":\"snapshot\",\"path\":\"$victim\"}")
sleep 1.5 # a wall that accepted it has written by now
[[ $(cat "$victim" 2>/dev/null) == "precious text" ]] ||
    fail "the exploit replaced $victim (reply: $reply)"
# (with several outputs an old wall wrote victim.txt-left.png beside it)
[[ $(ls "$victim_dir") == victim.txt ]] ||
    fail "the exploit wrote outside the snapshot directory: $(ls "$victim_dir") (reply: $reply)"
[[ $reply == *'"ok":false'* && $reply == *'bare file name'* ]] ||
    fail "the exploit was not refused with a reason: $reply"
note "exploit refused: $reply"

refused "a name with a slash" '{"type":"snapshot","name":"sub/x.png"}' "bare file name"
refused "a name with .." '{"type":"snapshot","name":"..png"}' ".."
refused "a relative path" '{"type":"snapshot","path":"../victim/x.png"}' "bare file name"
refused "a name not ending .png" '{"type":"snapshot","name":"x.txt"}' ".png"
refused "a name that is not a string" '{"type":"snapshot","name":7}' "string"

# The directory is made (mode 0700) by the first snapshot, which works.
[[ ! -e $snaps ]] || fail "$snaps exists before any snapshot was taken"
reply=$(send '{"type":"snapshot","name":"first.png"}')
[[ $reply == *'"ok":true'* ]] || fail "the first snapshot: $reply"
[[ -d $snaps ]] || fail "--snapshot-dir was not created"
[[ $(stat -c %a "$snaps") == 700 ]] || fail "$snaps has mode $(stat -c %a "$snaps"), want 700"
wait_file "$snaps/first-left.png" || fail "no first-left.png"

# Symlinks planted in the directory: to the victim, and dangling.
ln -s "$victim" "$snaps/link-left.png"
refused "a symlink in the directory" '{"type":"snapshot","name":"link.png"}' "not written by the wall"
ln -s "$victim_dir/new.txt" "$snaps/dangle.png"
ln -s "$victim_dir/new2.txt" "$snaps/dangle2-right.png"
refused "a dangling symlink" '{"type":"snapshot","name":"dangle2.png"}' "not written by the wall"
# one output's name free, the other's a symlink: nothing is written at all
sleep 1
[[ ! -e $victim_dir/new.txt && ! -e $victim_dir/new2.txt ]] ||
    fail "a snapshot was written through a dangling symlink"
[[ ! -e $snaps/dangle2-left.png ]] || fail "a refused snapshot wrote one of its files"
[[ $(cat "$victim") == "precious text" ]] || fail "the victim was replaced through a symlink"

# A file someone else put there.
echo "not the wall's" >"$snaps/other-right.png"
refused "a file the wall did not write" '{"type":"snapshot","name":"other.png"}' "not written by the wall"
[[ $(cat "$snaps/other-right.png") == "not the wall's" ]] || fail "other-right.png was replaced"

# A bare name works: one file per output, real PNGs of the output's size.
reply=$(send '{"type":"snapshot","name":"ok.png"}')
[[ $reply == *'"ok":true'* && $reply == *'"ok-left.png"'* && $reply == *'"ok-right.png"'* ]] ||
    fail "a bare name: $reply"
wait_file "$snaps/ok-left.png" || fail "no ok-left.png"
wait_file "$snaps/ok-right.png" || fail "no ok-right.png"
[[ $(png_size "$snaps/ok-left.png") == "320 180" ]] || fail "ok-left.png: $(png_size "$snaps/ok-left.png")"
expect_tile_colour "the snapshot shows the feed" "$snaps/ok-right.png" 0 0 320 180 0x2040D0 30
if compgen -G "$snaps/.*.tmp" >/dev/null; then
    fail "a temporary file stayed behind: $(ls -A "$snaps")"
fi

# The wall may write its own file again ...
ino=$(stat -c %i "$snaps/ok-left.png")
reply=$(send '{"type":"snapshot","name":"ok.png"}')
[[ $reply == *'"ok":true'* ]] || fail "writing its own file again: $reply"
for _ in $(seq 50); do [[ $(stat -c %i "$snaps/ok-left.png") != "$ino" ]] && break; sleep 0.1; done
[[ $(stat -c %i "$snaps/ok-left.png") != "$ino" ]] || fail "ok-left.png was not rewritten"
# ... but not once it was swapped for a symlink or another file.
rm "$snaps/ok-left.png"
ln -s "$victim" "$snaps/ok-left.png"
refused "its own name swapped for a symlink" '{"type":"snapshot","name":"ok.png"}' "not written by the wall"
rm "$snaps/ok-right.png"
echo "swapped" >"$snaps/ok-right.png"
rm "$snaps/ok-left.png"
refused "its own name swapped for another file" '{"type":"snapshot","name":"ok.png"}' "not written by the wall"
[[ $(cat "$snaps/ok-right.png") == swapped && $(cat "$victim") == "precious text" ]] ||
    fail "a swapped file was replaced"

# "path" as a bare name, for older clients.
reply=$(send '{"type":"snapshot","path":"compat.png"}')
[[ $reply == *'"ok":true'* ]] || fail "\"path\" as a bare name: $reply"
wait_file "$snaps/compat-left.png" || fail "no compat-left.png"

# No name: a timestamped one, given in the reply.
reply=$(send '{"type":"snapshot"}')
name=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["name"])' "$reply") ||
    fail "no name in the reply: $reply"
[[ $name =~ ^snapshot-[0-9]{8}-[0-9]{6}-[0-9]{3}\.png$ ]] || fail "timestamped name: $name"
wait_file "$snaps/${name%.png}-right.png" || fail "no ${name%.png}-right.png"
note "timestamped: $name"

kill -0 "$wall_pid" 2>/dev/null || { show_tessera_output wall; fail "tessera died"; }
[[ $(send '{"type":"ping"}') == *'"ok":true'* ]] || fail "the connection is not usable"
note "snapshot directory: every check passed"
