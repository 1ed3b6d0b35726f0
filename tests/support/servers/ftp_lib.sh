# Shared by vsftpd.sh and pyftpdlib.sh (sourced): the FTP fixtures' helpers, from the
# verified recipes of the servers kit. PY is Debian's python3 (pyftpdlib is installed for it).
PY=/usr/bin/python3
die() { echo "$(basename "$0"): $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# free_port HOST: a TCP port the kernel says is free on HOST.
free_port() {
  "$PY" -c 'import socket,sys; h=sys.argv[1]; s=socket.socket(socket.AF_INET6 if ":" in h else socket.AF_INET); s.bind((h,0)); print(s.getsockname()[1])' "$1"
}
# wait_banner HOST PORT: until a connection's first line starts with "220 " (5 s at most).
wait_banner() {
  "$PY" - "$1" "$2" <<'PY'
import socket, sys, time
end = time.monotonic() + 5
while time.monotonic() < end:
    try:
        with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as s:
            if s.makefile("rb").readline().startswith(b"220 "):
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
PY
}
# make_cert DIR: a throw-away self-signed certificate for localhost, 127.0.0.1 and ::1.
make_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1 || die "openssl req failed"
  chmod 600 "$1/key.pem"
}
