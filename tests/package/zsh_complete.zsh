#!/usr/bin/env zsh
# zsh_complete.zsh COMPDIR LINE... - drives zsh's real completion for the
# package.completion test: starts an interactive zsh in a pseudo-terminal
# (zpty) with COMPDIR first in fpath and compinit loaded, then for each LINE
# types LINE, one TAB, X and Enter, and prints what the shell ran as
# "LINE => ARGS" (tessera is a function there that prints its arguments).
# zle reads the typed keys in order, so X lands after the completion is done.
# Exit status 1 when the shell does not answer within 10 s.
zmodload zsh/zpty zsh/datetime || exit 1
compdir=$1
shift

# await PATTERN: reads the terminal until what came since the last call
# matches PATTERN (a glob); leaves it in REPLY; fails after 10 s.
await() {
    local buf= line
    local -F end=$((EPOCHREALTIME + 10))
    while ((EPOCHREALTIME < end)); do
        if zpty -r -t z line; then
            buf+=$line
            if [[ $buf == ${~1} ]]; then
                REPLY=$buf
                return 0
            fi
        else
            sleep 0.05
        fi
    done
    print -u2 -r -- "zsh_complete: no answer matching $1; got: ${(q)buf}"
    return 1
}

zpty z zsh -f -i || exit 1
# The typed text never holds RAN< or READY (split with ""), only the output.
zpty -w z "PS1='> '; fpath=(${(q)compdir} \$fpath); autoload -U compinit; compinit -u -D;" \
    "tessera() { print -r -- \"RA\"\"N<\$*>\"; }; print RE\"\"ADY"
await '*READY*' || exit 1
for cmd in "$@"; do
    zpty -w -n z "$cmd"$'\tX\n'
    await '*RAN<*>*' || exit 1
    [[ $REPLY =~ 'RAN<([^>]*)>' ]]
    print -r -- "$cmd => $match[1]"
done
zpty -d z
