#!/usr/bin/env bash
# test_man.sh - package.man: the manual pages the build made from
# docs/man/*.scd agree with the program.  Every option `tessera --help` lists
# has an entry under OPTIONS in tessera(1), and every entry there is an option
# --help lists (each difference is printed, naming the option and the side
# it is missing from); tessera(1) has the sections a manual page needs;
# tessera-layout(5) describes every key of layouts/schema.json; both pages
# render through man(1) without warnings.
# Environment: TESSERA (the binary), TESSERA_MAN_DIR (the built troff pages),
# TESSERA_SOURCE_DIR.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
_need_exe TESSERA
need_cmd python3
man1=${TESSERA_MAN_DIR:-}/tessera.1
man5=${TESSERA_MAN_DIR:-}/tessera-layout.5
[[ -f $man1 && -f $man5 ]] ||
    fail "no manual pages in '${TESSERA_MAN_DIR:-}': is scdoc installed (./tools/deps) and the build done?"

# help_options: the options --help lists, one a line ("-h", "--help", ...):
# those that begin an option line (two spaces, then the option).
help_options() {
    "$TESSERA" --help | sed -nE 's/^  ((-[A-Za-z]), )?(--[a-z0-9-]+).*/\2 \3/p' |
        tr ' ' '\n' | sed '/^$/d' | sort -u
}

# man_options PAGE: the options that head an entry (a term line followed by
# an indented paragraph, ".RS") in the OPTIONS section of troff PAGE.
man_options() {
    awk '/^\.SH /{ sect = $0; next }
         sect ~ /OPTIONS/ && /^\.RS/ { print prev }
         { prev = $0 }' "$1" |
        grep -oE '\\fB-{1,2}[A-Za-z0-9-]+\\fR' | sed -E 's/^\\fB//; s/\\fR$//' | sort -u
}

help=$(help_options)
man=$(man_options "$man1")
[[ $(wc -l <<<"$help") -ge 10 ]] || fail "could not read the options of --help: $help"
[[ $(wc -l <<<"$man") -ge 10 ]] || fail "could not read the OPTIONS of tessera(1): $man"
missing_in_man=$(comm -23 <(echo "$help") <(echo "$man"))
missing_in_help=$(comm -13 <(echo "$help") <(echo "$man"))
bad=0
if [[ -n $missing_in_man ]]; then
    echo "options in 'tessera --help' but not under OPTIONS in man tessera (docs/man/tessera.1.scd):" >&2
    mapfile -t list <<<"$missing_in_man"
    printf '  %s\n' "${list[@]}" >&2
    bad=1
fi
if [[ -n $missing_in_help ]]; then
    echo "options under OPTIONS in man tessera (docs/man/tessera.1.scd) but not in 'tessera --help':" >&2
    mapfile -t list <<<"$missing_in_help"
    printf '  %s\n' "${list[@]}" >&2
    bad=1
fi
((bad == 0)) || fail "tessera(1) and tessera --help disagree"
note "tessera(1) documents the $(wc -l <<<"$help") options of --help"

for sect in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
    grep -qE "^\.SH \"?$sect\"?\$" "$man1" || fail "tessera(1) has no $sect section"
done
# The exit statuses --help names are the ones the page lists.
for code in $("$TESSERA" --help | sed -n '/^Exit status/,$p' | grep -oE '\b[0-9]\b' | sort -u); do
    awk '/^\.SH /{ sect = $0; next } sect ~ /EXIT STATUS/' "$man1" | grep -qx "\\\\fB$code\\\\fR" ||
        fail "exit status $code of --help is not under EXIT STATUS in tessera(1)"
done

# Every key of the layout schema is named (in bold) in tessera-layout(5).
keys=$(python3 - "$TESSERA_SOURCE_DIR/layouts/schema.json" <<'PY'
import json, sys
keys = set()
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "properties" and isinstance(v, dict):
                keys.update(v)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(open(sys.argv[1])))
print("\n".join(sorted(keys)))
PY
) || fail "cannot read layouts/schema.json"
[[ $(wc -l <<<"$keys") -ge 20 ]] || fail "too few keys read from the schema: $keys"
absent=()
while IFS= read -r k; do
    grep -qF "\\fB$k\\fR" "$man5" || absent+=("$k")
done <<<"$keys"
((${#absent[@]} == 0)) ||
    fail "layout keys of layouts/schema.json not in man tessera-layout (docs/man/tessera-layout.5.scd): ${absent[*]}"
note "tessera-layout(5) names the $(wc -l <<<"$keys") keys of the schema"

if command -v man >/dev/null 2>&1; then
    for page in "$man1" "$man5"; do
        w=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || fail "man cannot render $page"
        [[ -z $w ]] || fail "man warns about $page: $w"
    done
else
    note "man is not installed: rendering not checked"
fi
note "package.man passed"
