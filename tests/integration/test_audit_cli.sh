#!/usr/bin/env bash
# test_audit_cli.sh - integration.audit_cli: `tessera --verify-audit PATH` on
# audit logs written here by an independent writer (bash and sha256sum,
# following docs/audit.md, so the format itself is checked too): exit 0,
# "chain intact" and the last hash for an intact log; exit 1 naming the
# record for a line edited, removed, inserted, swapped or cut mid-way; exit 2
# for a missing file; no layout argument needed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -n ${TESSERA:-} ]] || skip "TESSERA is not set (run through ctest or set it by hand)"
[[ -x $TESSERA ]] || skip "TESSERA=$TESSERA is not built"
need_cmd sha256sum

ZEROS=0000000000000000000000000000000000000000000000000000000000000000
LAST_HASH=""

# make_log FILE N: writes an intact log of N "visible" records to FILE and
# sets LAST_HASH to the SHA-256 of its last line.
make_log() {
    local file=$1 n=$2 i line prev=$ZEROS
    : >"$file"
    for ((i = 1; i <= n; i++)); do
        printf -v line '{"seq":%d,"time":"2024-05-01T12:%02d:00.000Z","event":"visible","feed":"cam-%d","output":"main","tile":%d,"from":"2024-05-01T12:%02d:00.000Z","to":"2024-05-01T12:%02d:30.000Z","prev":"%s"}' \
            "$i" "$i" "$i" $((i % 4)) "$i" "$i" "$prev"
        printf '%s\n' "$line" >>"$file"
        prev=$(printf '%s' "$line" | sha256sum)
        prev=${prev%% *}
    done
    LAST_HASH=$prev
}

# verify NAME FILE WANT_RC WANT_FIRST_LINE_PREFIX: runs --verify-audit FILE
# and fails unless it exits WANT_RC with a first line starting as given.
verify() {
    local name=$1 file=$2 want_rc=$3 want=$4 first
    run_tessera "$name" --verify-audit "$file"
    if ((TESSERA_RC != want_rc)); then
        show_tessera_output "$name"
        fail "$name: exit status $TESSERA_RC, want $want_rc"
    fi
    first=$(head -n 1 "$TEST_TMPDIR/$name.out")
    if [[ $first != "$want"* ]]; then
        show_tessera_output "$name"
        fail "$name: first line '$first', want '$want...'"
    fi
    note "$name: $first"
}

log="$TEST_TMPDIR/audit.log"
make_log "$log" 12

run_tessera help --help
grep -q -- '--verify-audit' "$TEST_TMPDIR/help.out" || fail "--help does not mention --verify-audit"

verify intact "$log" 0 "audit: 12 records, chain intact"
grep -qx "audit: last record: line 12, seq 12, hash $LAST_HASH" "$TEST_TMPDIR/intact.out" ||
    fail "intact: the last hash is not sha256sum's $LAST_HASH: $(cat "$TEST_TMPDIR/intact.out")"

sed '5s/"cam-5"/"cam-6"/' "$log" >"$TEST_TMPDIR/edited.log"
verify edited "$TEST_TMPDIR/edited.log" 1 "audit: record 5 (line 5, seq 5) was altered:"

sed '7d' "$log" >"$TEST_TMPDIR/removed.log"
verify removed "$TEST_TMPDIR/removed.log" 1 "audit: record 7 (line 7, seq 7) was removed:"

awk 'NR == 2 { copy = $0 } { print } NR == 9 { print copy }' "$log" >"$TEST_TMPDIR/inserted.log"
verify inserted "$TEST_TMPDIR/inserted.log" 1 "audit: record 10 (line 10, seq 2) was inserted:"

awk 'NR == 3 { held = $0; next } { print } NR == 4 { print held }' "$log" >"$TEST_TMPDIR/swapped.log"
verify swapped "$TEST_TMPDIR/swapped.log" 1 "audit: record 3 (line 3, seq 4) was moved:"

head -c -40 "$log" >"$TEST_TMPDIR/cut.log"
verify cut "$TEST_TMPDIR/cut.log" 1 "audit: record 12 (line 12, seq 12) is incomplete:"

run_tessera missing --verify-audit "$TEST_TMPDIR/no-such.log"
((TESSERA_RC == 2)) || fail "a missing log: exit status $TESSERA_RC, want 2"
grep -q 'cannot read' "$TEST_TMPDIR/missing.err" || fail "a missing log: no 'cannot read' on stderr"

note "all verdicts as expected"
