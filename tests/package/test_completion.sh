#!/usr/bin/env bash
# test_completion.sh - package.completion: sources the bash completion
# (contrib/completion/tessera.bash) and asks it, through COMP_WORDS and
# COMP_CWORD as bash does, for options, option values, layout files and
# `tessera ctl` requests; checks that the zsh completion
# (contrib/completion/_tessera) has every option of `tessera --help` and no
# other, that zsh reads it (zsh -n) and that zsh's completion system, driven
# in a pseudo-terminal (zsh_complete.zsh), completes a few lines as expected
# (the zsh part is skipped without zsh).
# Environment: TESSERA (the binary), TESSERA_SOURCE_DIR.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
_need_exe TESSERA
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash_comp=$TESSERA_SOURCE_DIR/contrib/completion/tessera.bash
zsh_comp=$TESSERA_SOURCE_DIR/contrib/completion/_tessera
# The completion asks `tessera --help` for the options: put ours first.
bindir=$TEST_TMPDIR/bin
mkdir -p "$bindir"
ln -s "$TESSERA" "$bindir/tessera"
export PATH=$bindir:$PATH

# shellcheck source=../../contrib/completion/tessera.bash
source "$bash_comp"
complete -p tessera | grep -q -- '-F _tessera' || fail "the bash completion registers no _tessera"

# A scratch directory of files to complete.
mkdir -p "$TEST_TMPDIR/files"
cd "$TEST_TMPDIR/files"
mkdir -p walls
touch lobby.json night.json notes.txt shot.png walls/a.json

# expect WANT WORD...: completes the command line WORD... (the cursor on the
# last word) and fails unless the candidates, sorted, are WANT.
expect() {
    local want=$1 got
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _tessera tessera "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    got=${got% }
    [[ $got == "$want" ]] || fail "completing '$*': got '$got', want '$want'"
    note "'$*' -> $got"
}

expect "--hwdec" tessera --hw
expect "--snapshot --snapshot-after --snapshot-dir" tessera --headless --snaps
expect "--latency --list-displays --list-hwdec --log-level" tessera --l
expect "auto nvdec sw vaapi" tessera --hwdec ""
expect "vaapi" tessera --hwdec v
expect "auto nvdec sw vaapi" tessera --hwdec =
expect "debug error info trace warn" tessera --log-level ""
expect "auto packed planar" tessera --yuv-upload ""
expect "low smooth" tessera --latency ""
expect "lobby.json night.json walls" tessera --headless ""
expect "lobby.json" tessera --validate lo
expect "walls/a.json" tessera walls/
expect "shot.png walls" tessera --snapshot ""
expect "" tessera --duration ""
expect "ctl lobby.json night.json walls" tessera ""
expect "help hud" tessera ctl h
expect "incident" tessera ctl inc
expect "layout" tessera ctl --socket unix:/run/w.sock la
expect "close upsert" tessera ctl incident ""
expect "pin ping" tessera ctl pi

# Every option --help lists appears in the completion list bash offers.
help=$("$TESSERA" --help | sed -nE 's/^  (-[A-Za-z], )?(--[a-z0-9-]+).*/\2/p' | sort -u)
COMP_WORDS=(tessera --)
COMP_CWORD=1
COMPREPLY=()
_tessera
offered=$(printf '%s\n' "${COMPREPLY[@]}" | sort -u)
[[ $offered == "$help" ]] || fail "bash offers other options than --help lists:
$(diff <(echo "$help") <(echo "$offered"))"

# zsh: the same options, as the specs of _arguments in _tessera() name them
# (exclusion lists such as '(- *)' dropped; {-h,--help} names two).
zsh_opts=$(sed -n '/^_tessera() {/,/^}/p' "$zsh_comp" | sed -E 's/\([^)]*\)//g' |
    grep -oE -- '--[a-z0-9-]+[]=[,}]' | sed 's/.$//' | sort -u)
[[ -n $zsh_opts ]] || fail "no options found in $zsh_comp"
missing_in_zsh=$(comm -23 <(echo "$help") <(echo "$zsh_opts"))
missing_in_help=$(comm -13 <(echo "$help") <(echo "$zsh_opts"))
[[ -z $missing_in_zsh ]] ||
    fail "options of 'tessera --help' missing from contrib/completion/_tessera:" "${missing_in_zsh//$'\n'/ }"
[[ -z $missing_in_help ]] ||
    fail "options in contrib/completion/_tessera that 'tessera --help' lacks:" "${missing_in_help//$'\n'/ }"
if ! command -v zsh >/dev/null 2>&1; then
    note "zsh is not installed: the zsh completion is not tried"
    note "package.completion passed (bash only)"
    exit 0
fi
zsh -n "$zsh_comp" || fail "zsh cannot parse $zsh_comp"

# zsh's own completion system, typed into an interactive zsh: each case is
# "LINE => the arguments run after LINE, one TAB and X" (a space after a
# finished word is the completion's).
zsh_cases=(
    "tessera --hwdec n => --hwdec nvdec X"
    "tessera --log-level=d => --log-level=debug X"
    "tessera --yuv-upload pl => --yuv-upload planar X"
    "tessera --latency sm => --latency smooth X"
    "tessera --val => --validate X"
    "tessera --headless --snapshot-a => --headless --snapshot-after=X"
    "tessera lob => lobby.json X"
    "tessera walls/ => walls/a.json X"
    "tessera --control t => --control tcp:127.0.0.1:X"
    "tessera ctl inc => ctl incident X"
    "tessera ctl incident up => ctl incident upsert X"
    "tessera ctl --socket un => ctl --socket unix:X"
)
lines=()
for c in "${zsh_cases[@]}"; do lines+=("${c%% => *}"); done
got=$(zsh -f "$here/zsh_complete.zsh" "$(dirname "$zsh_comp")" "${lines[@]}") ||
    fail "could not drive zsh's completion"
want=$(printf '%s\n' "${zsh_cases[@]}")
[[ $got == "$want" ]] || fail "zsh completes differently:
$(diff <(echo "$want") <(echo "$got"))"
note "zsh: ${#zsh_cases[@]} completions as expected"
note "package.completion passed"
