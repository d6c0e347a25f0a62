# tessera.bash - bash completion for tessera(1): its options (read from
# `tessera --help`, so new options complete without editing this file), the
# values of --hwdec, --log-level, --yuv-upload and --latency, layout files (*.json), and
# for `tessera ctl` its options and request names.
# Installed as /usr/share/bash-completion/completions/tessera (loaded on
# demand by bash-completion); `source` it to try it from the source tree.
# Needs nothing from bash-completion itself.

# _tessera_options CMD: prints CMD's options, one a line, as "--name" or
# "--name ARG" (ARG when it takes a value), parsed from `CMD --help`.
_tessera_options() {
    local line re='^  (-[A-Za-z], )?(--[a-z0-9-]+)( [A-Z][A-Za-z.]*)?'
    while IFS= read -r line; do
        [[ $line =~ $re ]] || continue
        if [[ -n ${BASH_REMATCH[3]} ]]; then
            printf '%s ARG\n' "${BASH_REMATCH[2]}"
        else
            printf '%s\n' "${BASH_REMATCH[2]}"
        fi
    done < <("$1" --help 2>/dev/null)
}

# _tessera_words WORDS: adds the words of WORDS that start with $cur.
_tessera_words() {
    local w
    while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -W "$1" -- "$cur")
}

# _tessera_files GLOB: fills COMPREPLY with directories and files matching
# GLOB (e.g. '*.json') that start with $cur.
_tessera_files() {
    local f
    while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -d -- "$cur")
    while IFS= read -r f; do
        [[ -d $f ]] || COMPREPLY+=("$f")
    done < <(compgen -f -X "!$1" -- "$cur")
    compopt -o filenames 2>/dev/null || true
}

# _tessera_value OPT: completes the value of option OPT; returns 1 when OPT
# takes no value.
_tessera_value() {
    case $1 in
    --hwdec) _tessera_words 'auto nvdec vaapi sw' ;;
    --log-level) _tessera_words 'error warn info debug trace' ;;
    --yuv-upload) _tessera_words 'auto planar packed' ;;
    --latency) _tessera_words 'smooth low' ;;
    --control | --socket)
        _tessera_words 'unix: tcp:127.0.0.1:'
        compopt -o nospace 2>/dev/null || true ;;
    --snapshot) _tessera_files '*.png' ;;
    --shaders | --snapshot-dir | --eido-dir) _tessera_files '*/' ;;
    --cot)
        _tessera_words 'udp:239.2.3.1:6969 udp:0.0.0.0:4242 tcp: tcp-listen:127.0.0.1:'
        compopt -o nospace 2>/dev/null || true ;;
    --cot-allow) ;; # a network: nothing to offer
    --snapshot-after | --duration | --max-fps | --control-idle | --tile | --lat | --lon | \
        --priority | --id | --output | --feed | --minutes | --node) ;; # a number or a name: nothing to offer
    --*) _tessera_files '*' ;;
    *) return 1 ;;
    esac
    return 0
}

# The requests `tessera ctl` sends (docs/protocol.md).
_tessera_ctl_requests='ping state stats layout maximize select move hud help reload snapshot
unmask restart pin unpin incident unit callup release raw'

# _tessera_ctl: completes the words after `tessera ctl`.
_tessera_ctl() {
    local i request=
    for ((i = 2; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --socket | --token-file) ((i++)) ;;
        -*) ;;
        *) request=${COMP_WORDS[i]}; break ;;
        esac
    done
    if _tessera_value "$prev"; then
        return 0
    fi
    if [[ -z $request ]]; then
        if [[ $cur == -* ]]; then
            _tessera_words '--socket --token-file --help'
        else
            _tessera_words "$_tessera_ctl_requests"
        fi
        return 0
    fi
    case $request:$((COMP_CWORD - i)) in
    incident:1 | unit:1) _tessera_words 'upsert close' ;;
    move:1) _tessera_words 'left right up down' ;;
    hud:1 | help:1) _tessera_words 'on off' ;;
    *) [[ $cur == -* ]] &&
        _tessera_words '--output --tile --feed --id --lat --lon --priority' ;;
    esac
    return 0
}

# _tessera: the completion function for tessera.
_tessera() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --opt=value: bash splits it into "--opt" "=" "value".
    if [[ $cur == = ]]; then
        cur='' prev=${COMP_WORDS[COMP_CWORD - 1]}
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    COMPREPLY=()
    if ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[1]} == ctl ]]; then
        _tessera_ctl
        return 0
    fi
    local opts opt
    opts=$(_tessera_options "${COMP_WORDS[0]}")
    [[ -n $opts ]] || opts=$(_tessera_options tessera)
    # Without a tessera to ask, every option is taken to have a value.
    if [[ $prev == -* ]] && { [[ -z $opts ]] || grep -qxF -- "$prev ARG" <<<"$opts"; }; then
        _tessera_value "$prev" || _tessera_files '*'
        return 0
    fi
    if [[ $cur == -* ]]; then
        local names=()
        while IFS= read -r opt; do names+=("${opt% ARG}"); done <<<"$opts"
        _tessera_words "${names[*]}"
        return 0
    fi
    ((COMP_CWORD == 1)) && _tessera_words ctl
    _tessera_files '*.json'
    return 0
}

complete -F _tessera tessera
