#!/usr/bin/env bash
# test_privacy.sh - integration.privacy: consent, masks and the audit log.
#   - a private feed whose consent expired is never connected (its own RTSP
#     server sees no client), its tile and the stats say why;
#   - an incident-only feed connects when a real socket client reports an
#     incident in its range and disconnects when the incident closes;
#   - a solid privacy mask covers the same part of the picture at 640x360 and
#     at 320x180; outside it the video shows;
#   - a supervisor lifts the mask with the secret (a wrong secret is refused);
#   - --audit records all of it and --verify-audit finds the chain intact.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3

gen_clip "$TEST_TMPDIR/big.h264" --color 0xE0C020 --size 640x360 --seconds 4
gen_clip "$TEST_TMPDIR/small.h264" --color 0xE0C020 --size 320x180 --seconds 4
gen_clip "$TEST_TMPDIR/shop.h264" --color 0x20C040 --seconds 4
p_cams="" p_expired="" p_shop=""
start_rtsp_server p_cams --mount "/big=$TEST_TMPDIR/big.h264" --mount "/small=$TEST_TMPDIR/small.h264"
start_rtsp_server p_expired --mount "/cam=$TEST_TMPDIR/shop.h264"
expired_log=$RTSP_SERVER_LOG
start_rtsp_server p_shop --mount "/cam=$TEST_TMPDIR/shop.h264"
shop_log=$RTSP_SERVER_LOG

# The mask: the left half of the picture's top half, in normalised coordinates.
mask='"masks": [{"polygon": [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]}]'
consent_ok='"owner": "private", "consent": {"ref": "W-1", "granted": "2020-01-01", "expires": "2099-12-31"'
layout="$TEST_TMPDIR/privacy.json"
cat >"$layout" <<JSON
{"feeds": {
  "big": {"url": "rtsp://127.0.0.1:$p_cams/big", "label": "Big", $consent_ok}, $mask},
  "small": {"url": "rtsp://127.0.0.1:$p_cams/small", "label": "Small", $consent_ok}, $mask},
  "expired": {"url": "rtsp://127.0.0.1:$p_expired/cam", "label": "Expired", "owner": "private",
              "consent": {"ref": "W-2020-0007", "granted": "2020-01-01", "expires": "2021-06-30"}},
  "shop": {"url": "rtsp://127.0.0.1:$p_shop/cam", "label": "Shop", "location": [52.3700, 4.8900],
           "range_m": 150, $consent_ok, "scope": "incident-only"}}},
 "outputs": [{"name": "main", "size": [1280, 720], "grid": [2, 2], "tiles": [
   {"feed": "big", "cell": [0, 0], "fit": "stretch"}, {"feed": "small", "cell": [1, 0], "fit": "stretch"},
   {"feed": "expired", "cell": [0, 1]}, {"feed": "shop", "cell": [1, 1], "fit": "stretch"}]}]}
JSON
"$TESSERA" --validate "$layout" >/dev/null 2>"$TEST_TMPDIR/validate.err" || {
    cat "$TEST_TMPDIR/validate.err" >&2; fail "the test layout does not validate"; }
grep -q 'warning: consent W-2020-0007 for feed "expired" expired' "$TEST_TMPDIR/validate.err" ||
    fail "--validate does not warn about the expired consent: $(cat "$TEST_TMPDIR/validate.err")"

secret_file="$TEST_TMPDIR/secret"
echo "s3cret-supervisor" >"$secret_file"
sock="$TEST_TMPDIR/control.sock"
stats="$TEST_TMPDIR/stats.json"
audit="$TEST_TMPDIR/audit.log"
start_tessera wall 200 --headless --control "unix:$sock" --snapshot-dir "$TEST_TMPDIR" --stats "$stats" --audit "$audit" \
    --supervisor-secret-file "$secret_file" --duration 180 "$layout" # TERMed at the end; slack for loaded machines
wall_pid=$TESSERA_PID

q() { stats_q "$stats" "$1"; }
send() { control_send "$sock" "$1"; }
wait_until() { wait_stats "$stats" "$1" "$2" "$wall_pid" wall; }
snapshot() {
    rm -f "$1"
    send "{\"type\":\"snapshot\",\"name\":\"$(basename "$1")\"}" >/dev/null
    for _ in $(seq 50); do [[ -s $1 ]] && break; sleep 0.1; done
    [[ -s $1 ]] || fail "no snapshot $1"
}
clients() { grep -c '^CLIENT connected ' "$1" || true; }

wait_until 'feed("big")["state"] == "live" and feed("small")["state"] == "live"' 20
[[ $(q 'feed("expired")["state"]') == refused ]] || fail "expired: state $(q 'feed("expired")["state"]')"
[[ $(q 'feed("expired")["detail"]') == "CONSENT EXPIRED 2021-06-30 · W-2020-0007" ]] ||
    fail "expired: detail $(q 'feed("expired")["detail"]')"
[[ $(q 'feed("shop")["state"]') == standby ]] || fail "shop: state $(q 'feed("shop")["state"]')"
sleep 1
(($(clients "$expired_log") == 0)) || fail "the expired feed's server saw a client"
(($(clients "$shop_log") == 0)) || fail "the incident-only feed connected without an incident"
note "expired consent: never connected; incident-only: standby"

# Masks at two resolutions: tile (0,0) shows 640x360, tile (1,0) 320x180, both
# stretched over 640x360 tiles: the mask is the tile's top-left quarter.
snapshot "$TEST_TMPDIR/masked.png"
for tx in 0 640; do
    png_expect "mask on the tile at x=$tx" "$TEST_TMPDIR/masked.png" $((tx + 20)) 20 280 140 41 41 46 12
    png_expect "video beside the mask at x=$tx" "$TEST_TMPDIR/masked.png" $((tx + 340)) 20 280 140 224 192 32 30
    png_expect "video below the mask at x=$tx" "$TEST_TMPDIR/masked.png" $((tx + 20)) 200 280 100 224 192 32 30
done
note "solid mask in place at 640x360 and 320x180"

# The expired tile says why, in a banner on the dark background.
d=$(png_diff "$TEST_TMPDIR/masked.png" 20 520 600 40)
frac_gt "$d" 0.03 || fail "the expired tile shows no banner (diff $d)"

# A supervisor lifts the mask; a wrong secret is refused.
reply=$(send '{"type":"unmask","feed":"big","secret":"guess","minutes":1,"reason":"test"}')
[[ $reply == *'"ok":false'*'not the supervisor secret'* ]] || fail "wrong secret: $reply"
# (fields the wall does not read never reach the audit log, checked below)
reply=$(send '{"type":"unmask","feed":"big","secret":"s3cret-supervisor","minutes":1,"reason":"incident 24-7 review","caller":"Jane Roe","pass":"hunter2"}')
[[ $reply == *'"ok":true'* ]] || fail "unmask: $reply"
wait_until 'feed("big")["masked"] == False' 3
snapshot "$TEST_TMPDIR/unmasked.png"
png_expect "lifted mask shows video" "$TEST_TMPDIR/unmasked.png" 20 20 280 140 224 192 32 30
png_expect "the other feed stays masked" "$TEST_TMPDIR/unmasked.png" 660 20 280 140 41 41 46 12

# Incident-only: an incident 50 m away connects the shop camera...
reply=$(send '{"type":"incident","id":"24-9","kind":"THEFT","priority":2,"lat":52.3704,"lon":4.8900}')
[[ $reply == *'"ok":true'* ]] || fail "incident: $reply"
wait_until 'feed("shop")["state"] == "live"' 15
(($(clients "$shop_log") == 1)) || fail "shop: $(clients "$shop_log") clients, want 1"
# ...and closing it disconnects the camera again.
send '{"type":"incident","op":"close","id":"24-9"}' >/dev/null
wait_until 'feed("shop")["state"] == "standby"' 5
for _ in $(seq 30); do grep -q '^CLIENT closed' "$shop_log" && break; sleep 0.1; done
grep -q '^CLIENT closed' "$shop_log" || fail "the shop camera's connection was not closed"
note "incident-only feed connected for the incident and disconnected after it"

send '{"type":"layout","name":"default"}' >/dev/null
kill -TERM "$wall_pid"
wait "$wall_pid" || true
for ev in program_start layout consent_refused mask_lifted command visible program_stop; do
    grep -q "\"event\":\"$ev\"" "$audit" || fail "no \"$ev\" record in the audit log"
done
grep -q 's3cret' "$audit" && fail "the supervisor secret reached the audit log"
grep -q 'incident 24-7 review' "$audit" || fail "the unmask's reason is not in the audit log"
grep -Eq 'Jane Roe|hunter2' "$audit" && fail "fields the wall does not read reached the audit log"
# the record says who lifted the mask: the Unix-socket client's uid and pid
grep '"event":"mask_lifted"' "$audit" | grep -q "\"by\":\"uid $(id -u), pid [0-9]*\"" ||
    fail "mask_lifted does not name the client: $(grep '"event":"mask_lifted"' "$audit")"
grep -q 'rtsp://' "$audit" && fail "a URL reached the audit log"
"$TESSERA" --verify-audit "$audit" >"$TEST_TMPDIR/verify.out" 2>&1 ||
    { cat "$TEST_TMPDIR/verify.out" >&2; fail "--verify-audit: the chain is broken"; }
note "audit: $(head -1 "$TEST_TMPDIR/verify.out")"
note "ok"
