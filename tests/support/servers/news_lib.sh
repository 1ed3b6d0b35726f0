# Shared by inn2.sh, telnetd.sh and gophernicus.sh (sourced): the news lane's fixture helpers,
# from the verified recipes of the servers kit. PY is Debian's python3.
PY=/usr/bin/python3
die() { echo "$(basename "$0"): $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# free_port: a TCP port the kernel says is free on 127.0.0.1.
free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# wait_listen PORT: until 127.0.0.1:PORT listens (10 s at most; no connection is made).
wait_listen() {
  local end=$(( $(date +%s) + 10 ))
  while [ "$(date +%s)" -le "$end" ]; do
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
    sleep 0.05
  done
  return 1
}
# wait_banner PORT REGEX: until a connection's first line matches REGEX (10 s at most).
wait_banner() {
  "$PY" - "$1" "$2" <<'PY'
import re, socket, sys, time
end = time.monotonic() + 10
while time.monotonic() < end:
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) as s:
            if re.match(sys.argv[2], s.makefile("rb").readline().decode("latin-1")):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
PY
}
# need_traversable DIR: the servers drop to users (news, nobody) that must reach DIR.
need_traversable() {
  local d; d=$(dirname "$1")
  while [ "$d" != / ]; do
    [ "$(( 0$(stat -c %a "$d") & 1 ))" = 1 ] || skip "$d is not o+x: the server's user cannot reach $1"
    d=$(dirname "$d")
  done
}
# make_cert DIR: a throw-away self-signed certificate for localhost and 127.0.0.1.
make_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1 || die "openssl req failed"
  chmod 600 "$1/key.pem"
}
[ "$(id -u)" = 0 ] || skip "needs root (the servers switch to news/nobody)"
command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate missing (package systemd)"
