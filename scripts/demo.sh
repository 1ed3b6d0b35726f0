#!/usr/bin/env bash
# The main job: set up, build, and run the documents' client/server exchange and more.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dir=$(scripts/build.sh normal | tail -n 1)
ex=$dir/examples

pids=()
cleanup() { for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Starts a server whose first stderr line is "Listening on ('127.0.0.1', PORT)"; sets $port.
start() {
  local log
  log=$(mktemp)
  "$@" 2>"$log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q Listening "$log" && break; sleep 0.05; done
  port=$(sed -n "s/.*', \([0-9]*\))$/\1/p" "$log" | head -n 1)
  rm -f "$log"
}

echo "== server.py / client.py (the documents' first exchange) =="
start "$ex/server" 127.0.0.1 0
"$ex/client" 127.0.0.1 "$port"
"$ex/client" 127.0.0.1 "$port"
sleep 0.2

echo
echo "== serverku.py / clientku.py (both ways) =="
start "$ex/serverku" 127.0.0.1 0
"$ex/clientku" 127.0.0.1 "$port"
sleep 0.2

echo
echo "== UDP sendto / recvfrom =="
start "$ex/udp_server" 127.0.0.1 0
"$ex/udp_client" 127.0.0.1 "$port" "Halo, UDP"
sleep 0.2

echo
echo "== Unix-domain socket file =="
sock=$(mktemp -u /tmp/soket-demo-XXXXXX.sock)
"$ex/unix_server" "$sock" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
"$ex/unix_client" "$sock"
sleep 0.2

if [[ -x $ex/detailsocket ]]; then
  echo
  echo "== detailsocket.py: getaddrinfo('localhost', 'http') =="
  "$ex/detailsocket" localhost http
fi
