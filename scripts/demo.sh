#!/usr/bin/env bash
# The main job: set up, build, and run the documents' client/server exchange and more.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dir=$(scripts/build.sh normal | tail -n 1)
ex=$dir/examples

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n ${work:-} ]] && rm -rf "$work"
}
trap cleanup EXIT

# Starts a server that prints "Listening on ('127.0.0.1', PORT)..." (on stdout or stderr,
# shown as well); waits at most 5 s for it and sets $port.
start() {
  local log
  log=$(mktemp)
  "$@" > >(tee -a "$log") 2> >(tee -a "$log" >&2) &
  pids+=($!)
  for _ in $(seq 100); do grep -q Listening "$log" && break; sleep 0.05; done
  port=$(sed -n "s/.*Listening on ('127.0.0.1', \([0-9]*\)).*/\1/p" "$log" | head -n 1)
  rm -f "$log"
  [[ -n $port ]] || { echo "demo: $1 did not start" >&2; exit 1; }
}
# Every client is bounded: a server that misbehaves cannot hang the demo.
run() { timeout 10 "$@"; }

echo "== server.py / client.py (the documents' first exchange) =="
start "$ex/server" 127.0.0.1 0
run "$ex/client" 127.0.0.1 "$port"
run "$ex/client" 127.0.0.1 "$port"
sleep 0.2

echo
echo "== serverku.py / clientku.py (both ways) =="
start "$ex/serverku" 127.0.0.1 0
run "$ex/clientku" 127.0.0.1 "$port"
sleep 0.2

echo
echo "== UDP sendto / recvfrom =="
start "$ex/udp_server" 127.0.0.1 0
run "$ex/udp_client" 127.0.0.1 "$port" "Halo, UDP"
sleep 0.2

echo
echo "== Unix-domain socket file =="
sock=$(mktemp -u /tmp/soket-demo-XXXXXX.sock)
"$ex/unix_server" "$sock" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
run "$ex/unix_client" "$sock"
sleep 0.2

echo
echo "== serverku2.py: one server, clients in turn =="
start "$ex/serverku2" 127.0.0.1 0
run "$ex/client" 127.0.0.1 "$port"
run "$ex/client" 127.0.0.1 "$port"
sleep 0.2

echo
echo "== serverku2.py on socketserver.ThreadingTCPServer =="
start "$ex/serverku2_threading" 127.0.0.1 0
run "$ex/client" 127.0.0.1 "$port"
run "$ex/client" 127.0.0.1 "$port"
sleep 0.2

echo
echo "== the event engine's echo server =="
start "$ex/event_echo_server" 127.0.0.1:0
echo "Halo, event engine" | run nc -N 127.0.0.1 "$port"
sleep 0.2

tool=$(cd "$dir" && pwd)/tools/soket  # absolute: the TLS step runs in a scratch folder
work=$(mktemp -d /tmp/soket-demo-XXXXXX)
if [[ -x $tool ]]; then
  echo
  echo "== TLS: a throw-away certificate, the event engine's echo over TLS, connect --tls =="
  (cd "$work" && "$tool" tls-cert --cn localhost)
  start "$tool" serve --engine event --tls --cert "$work/cert.pem" --key "$work/key.pem" --mode echo 0
  echo "Halo, TLS" | run "$tool" connect --tls -v --ca "$work/cert.pem" --sni localhost 127.0.0.1 "$port"
  sleep 0.2

  echo
  echo "== HTTP: soket http serve DIR, soket http get =="
  mkdir -p "$work/www" && echo "Halo, HTTP" > "$work/www/index.html"
  start "$tool" http serve "$work/www" -a 127.0.0.1:0
  run "$tool" http get -i "http://127.0.0.1:$port/"
  sleep 0.2
fi

if [[ -x $ex/detailsocket ]]; then
  echo
  echo "== detailsocket.py: getaddrinfo('localhost', 'http') =="
  "$ex/detailsocket" localhost http
fi
