#!/usr/bin/env bash
# test_cli.sh - integration.cli: tessera's command-line contract: --help,
# --version, usage errors (exit 2, a bad --node NAME and bad numbers among
# them), --validate on good and bad layouts (diagnostics as FILE:LINE:COL:
# error: ...), bad layouts without --validate (exit 1, same diagnostics), a
# missing layout file (exit 1), and headless runs with --duration whose
# cameras are unreachable (exit 0); --node on a file whose outputs name no
# nodes is accepted; a windowed wall without a display server fails.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera

# want_rc WHAT NAME WANT: fails unless the last run_tessera exited with WANT.
want_rc() {
    if ((TESSERA_RC != $3)); then
        show_tessera_output "$2"
        fail "$1: exit status $TESSERA_RC, want $3"
    fi
}

# error_lines NAME FILE: prints the "FILE:LINE:COL: error: ..." lines of run
# NAME (stdout and stderr), without the "FILE:" prefix.
error_lines() {
    local f
    for f in "$TEST_TMPDIR/$1.out" "$TEST_TMPDIR/$1.err"; do
        while IFS= read -r line; do
            [[ $line == "$2:"* ]] || continue
            line=${line#"$2:"}
            [[ $line =~ ^[0-9]+:[0-9]+:\ error:\ .+ ]] && echo "$line"
        done <"$f"
    done
    return 0
}

run_tessera help --help
want_rc "--help" help 0
grep -q -- '--headless' "$TEST_TMPDIR/help.out" || fail "--help does not mention --headless"

run_tessera version --version
want_rc "--version" version 0
grep -q '[0-9]' "$TEST_TMPDIR/version.out" || fail "--version prints no version number"
grep -Eq '; sync: format [1-9][0-9]*\)$' "$TEST_TMPDIR/version.out" ||
    fail "--version does not name the wall's message format: $(cat "$TEST_TMPDIR/version.out")"

run_tessera unknown --frobnicate layout.json
want_rc "an unknown option" unknown 2
run_tessera nolayout --headless
want_rc "no layout argument" nolayout 2
run_tessera loglevel --log-level loud --validate layout.json
want_rc "--log-level loud" loglevel 2
run_tessera badnode --node 'pc/2' --validate layout.json
want_rc "--node pc/2" badnode 2
grep -q -- "--node takes a name" "$TEST_TMPDIR/badnode.err" ||
    { show_tessera_output badnode; fail "--node pc/2: no message naming --node"; }
# a bad number says which option wanted what
for opt in max-fps duration snapshot-after; do
    run_tessera "bad_$opt" "--$opt" "-1" --validate layout.json
    want_rc "--$opt -1" "bad_$opt" 2
    grep -q -- "--$opt takes .*: -1\$" "$TEST_TMPDIR/bad_$opt.err" ||
        { show_tessera_output "bad_$opt"; fail "--$opt -1: no message naming --$opt"; }
done
run_tessera fps0 --max-fps 0 --validate layout.json
want_rc "--max-fps 0" fps0 2

good="$TEST_TMPDIR/good.json"
cat >"$good" <<'JSON'
{
  "feeds": {
    "north": {"url": "rtsp://127.0.0.1:1/north", "label": "North Gate", "loop": false},
    "south": {"url": "rtsp://127.0.0.1:1/south"}
  },
  "outputs": [
    {"name": "main", "size": [1280, 720], "grid": [2, 2],
     "tiles": [
       {"feed": "north", "cell": [0, 0], "span": [1, 1], "fit": "contain"},
       {"feed": "south", "cell": [1, 0], "span": [1, 2], "fit": "cover"}
     ]}
  ]
}
JSON
run_tessera validate_good --validate "$good"
want_rc "--validate on a good layout" validate_good 0
n=$(grep -c '' "$TEST_TMPDIR/validate_good.out" || true)
((n == 1)) || { show_tessera_output validate_good; fail "--validate on a good layout printed $n lines on stdout, want 1 summary line"; }
[[ -z $(error_lines validate_good "$good") ]] || fail "--validate on a good layout printed errors"
# --node on a file whose outputs name no nodes: every PC runs every output
run_tessera validate_node --validate --node pc1 "$good"
want_rc "--validate --node pc1 on a file whose outputs name no nodes" validate_node 0

# Two errors, on lines 8 and 9: an unknown feed and an unknown fit mode.
bad="$TEST_TMPDIR/bad.json"
cat >"$bad" <<'JSON'
{
  "feeds": {
    "a": {"url": "rtsp://127.0.0.1:1/a"}
  },
  "outputs": [
    {"name": "main", "size": [1280, 720], "grid": [2, 2],
     "tiles": [
       {"feed": "nosuch", "cell": [0, 0]},
       {"feed": "a", "cell": [1, 0], "fit": "zoom"}
     ]}
  ]
}
JSON
run_tessera validate_bad --validate "$bad"
want_rc "--validate on a layout with two errors" validate_bad 1
errors=$(error_lines validate_bad "$bad")
n=$(grep -c '' <<<"$errors" || true)
[[ -n $errors ]] || n=0
if ((n != 2)); then
    show_tessera_output validate_bad
    fail "--validate printed $n '$bad:LINE:COL: error: ...' lines, want 2"
fi
lines=$(cut -d: -f1 <<<"$errors" | sort -n | tr '\n' ' ')
[[ $lines == "8 9 " ]] || fail "errors reported on lines ${lines}want lines 8 and 9: $errors"

run_tessera run_bad --headless --duration 5 "$bad"
want_rc "running a layout with two errors" run_bad 1
[[ $(error_lines run_bad "$bad") == "$errors" ]] ||
    fail "running a bad layout printed other diagnostics than --validate: $(error_lines run_bad "$bad")"

# A JSON syntax error on line 3 is one error at line 3.
syntax="$TEST_TMPDIR/syntax.json"
printf '{\n  "feeds": {\n    "a": {"url": "rtsp://x/a",,}\n  },\n  "outputs": []\n}\n' >"$syntax"
run_tessera validate_syntax --validate "$syntax"
want_rc "--validate on broken JSON" validate_syntax 1
errors=$(error_lines validate_syntax "$syntax")
[[ $errors =~ ^3:[0-9]+:\ error: ]] || { show_tessera_output validate_syntax; fail "broken JSON on line 3 reported as: ${errors:-nothing}"; }

missing="$TEST_TMPDIR/no-such-layout.json"
run_tessera missing --validate "$missing"
want_rc "--validate on a missing file" missing 1
grep -qF "$missing" "$TEST_TMPDIR/missing.err" "$TEST_TMPDIR/missing.out" ||
    fail "the error for a missing layout does not name the file"
run_tessera missing_run --headless --duration 5 "$missing"
want_rc "running a missing layout file" missing_run 1

# Cameras that refuse connections are a status on the wall, not a failure.
start=$SECONDS
run_tessera duration --headless --duration 2 "$good"
want_rc "--headless --duration 2 with unreachable cameras" duration 0
((SECONDS - start <= 20)) || fail "--duration 2 took $((SECONDS - start)) s"
run_tessera duration_node --headless --duration 1 --node pc1 "$good"
want_rc "--node pc1 on a file whose outputs name no nodes" duration_node 0

# A windowed wall with no display server (a unit started before the
# graphical session) fails and says so, rather than running unseen on SDL's
# invisible driver; --list-displays likewise.  (Where SDL finds a real
# display without X or Wayland, KMS/DRM, it may run: then never unseen.)
for what in run list; do
    args=(--duration 2 --log-level debug "$good")
    [[ $what == list ]] && args=(--list-displays --log-level debug)
    rc=0
    env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER timeout -k 5 60 "$TESSERA" "${args[@]}" \
        >"$TEST_TMPDIR/nodisplay_$what.out" 2>"$TEST_TMPDIR/nodisplay_$what.err" || rc=$?
    if ((rc != 0)); then
        grep -q "no display server to show the wall on" "$TEST_TMPDIR/nodisplay_$what.err" ||
            { show_tessera_output "nodisplay_$what"; fail "no display ($what): exit $rc without saying why"; }
    elif grep -Eq 'SDL driver (offscreen|dummy)|SDL video driver (offscreen|dummy)' \
        "$TEST_TMPDIR/nodisplay_$what.err"; then
        show_tessera_output "nodisplay_$what"
        fail "no display ($what): ran on an invisible SDL driver"
    fi
done
note "pass"
