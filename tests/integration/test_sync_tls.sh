#!/usr/bin/env bash
# test_sync_tls.sh - integration.sync_tls: the nodes of a wall reach a real
# Mosquitto broker over TLS that requires client certificates
# (docs/multi-node.md).  A CA, the broker's certificate (for 127.0.0.1) and
# a client certificate are made with openssl.  Three nodes:
#  - pc1 names the CA in "ca_file", with its certificate and key: connects;
#  - pc2 gives only its certificate and key and trusts the system's CAs
#    (here the test CA, through OpenSSL's SSL_CERT_FILE): connects, its
#    certificate sent all the same;
#  - pc3 names the CA but has no certificate: the broker refuses it, and
#    it says SYNC LOST.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tessera
need_cmd python3 mosquitto openssl

T=$TEST_TMPDIR
# make_cert NAME SUBJECT [EXT]: NAME.key and NAME.crt signed by the test CA
make_cert() {
    openssl req -newkey rsa:2048 -nodes -keyout "$T/$1.key" -out "$T/$1.csr" \
        -subj "$2" 2>/dev/null || fail "openssl: no request for $1"
    openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
        -days 2 -out "$T/$1.crt" ${3:+-extfile "$3"} 2>/dev/null || fail "openssl: no certificate for $1"
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -days 2 \
    -subj "/CN=Tessera test CA" 2>/dev/null || fail "openssl: no CA"
printf 'subjectAltName = IP:127.0.0.1\n' >"$T/server.ext"
make_cert server "/CN=127.0.0.1" "$T/server.ext"
make_cert client "/CN=pc"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# the broker keeps this user: run as root it would drop to "mosquitto",
# which cannot read the keys in this private directory
cat >"$T/mosquitto.conf" <<CONF
listener $port 127.0.0.1
cafile $T/ca.crt
certfile $T/server.crt
keyfile $T/server.key
require_certificate true
allow_anonymous true
persistence false
user $(id -un)
CONF
mosquitto -c "$T/mosquitto.conf" >>"$T/mosquitto.log" 2>&1 &
broker_pid=$!
_lib_pids+=("$broker_pid")
for _ in $(seq 100); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' \
        "$port" 2>/dev/null && break
    kill -0 "$broker_pid" 2>/dev/null || { cat "$T/mosquitto.log" >&2; fail "mosquitto exited"; }
    sleep 0.05
done

# node NAME TLS: starts node NAME of a wall whose "sync" has "tls": TLS.
node() {
    cat >"$T/$1.json" <<JSON
{"sync": {"broker": "mqtts://127.0.0.1:$port", "wall": "tls", "keepalive_s": 1, "tls": $2},
 "feeds": {"a": {"url": "rtsp://127.0.0.1:1/a"}},
 "outputs": [{"name": "main", "size": [320, 180], "grid": [1, 1],
              "tiles": [{"feed": "a", "cell": [0, 0]}]}]}
JSON
    start_tessera "$1" 200 --headless --node "$1" --control "unix:$T/$1.sock" \
        --duration 180 "$T/$1.json"
}
node pc1 "{\"ca_file\": \"$T/ca.crt\", \"cert_file\": \"$T/client.crt\", \"key_file\": \"$T/client.key\"}"
SSL_CERT_FILE="$T/ca.crt" node pc2 "{\"cert_file\": \"$T/client.crt\", \"key_file\": \"$T/client.key\"}"
node pc3 "{\"ca_file\": \"$T/ca.crt\"}"

for n in pc1 pc2; do
    node_until "$n" 'd["sync"]["connected"] and sorted(x["node"] for x in d["sync"]["nodes"] if x["state"] == "online") == ["pc1", "pc2"]' 20 \
        "$n connected over TLS with its certificate and sees the other"
done
note "pc1 (ca_file) and pc2 (the system's CAs) connect with their certificates"
# pc3 has had as long as the others: the broker refuses a node without one
for _ in $(seq 20); do
    [[ $(node_q pc3 'd["sync"]["marker"]') == "SYNC LOST" ]] && break
    sleep 0.1
done
[[ $(node_q pc3 'd["sync"]["connected"], d["sync"]["marker"]') == "(False, 'SYNC LOST')" ]] ||
    fail "pc3 without a certificate: $(node_q pc3 'd["sync"]["connected"], d["sync"]["marker"]')"
[[ $(node_q pc1 '"pc3" in [x["node"] for x in d["sync"]["nodes"]]') == False ]] ||
    fail "pc3 reached the wall without a certificate"
note "pc3 without a certificate is refused and says SYNC LOST"
note "ok"
