#!/bin/bash
# pyftpdlib.sh DIR [--tls] [--ipv6]: the FTP tests' second server (python3-pyftpdlib), under DIR.
#  - anonymous: read-only, root DIR/anon (pub/hello.txt); tester/secret: full rights in DIR/home
#  - --tls: explicit FTPS (AUTH TLS, PROT P; needs python3-openssl), TLS optional for clients
#  - --ipv6: listens on ::1
# Prints "PORT=<n> PID=<pid>" once the banner answers; exit 77 (skip) when pyftpdlib is missing.
set -euo pipefail
. "$(dirname "$0")/ftp_lib.sh"
DIR=${1:?usage: pyftpdlib.sh DIR [--tls] [--ipv6]}; shift
TLS=0; HOST=127.0.0.1
for a in "$@"; do case $a in --tls) TLS=1;; --ipv6) HOST=::1;; *) die "unknown option $a";; esac; done
"$PY" -c 'import pyftpdlib' 2>/dev/null || skip "python3-pyftpdlib not installed"
[ $TLS = 0 ] || "$PY" -c 'import OpenSSL' 2>/dev/null || skip "python3-openssl not installed"
DIR=$(cd "$DIR" && pwd)
mkdir -p "$DIR/anon/pub" "$DIR/home"
echo "hello from pyftpdlib" > "$DIR/anon/pub/hello.txt"
echo "hello, tester" > "$DIR/home/readme.txt"
[ $TLS = 1 ] && make_cert "$DIR"
cat > "$DIR/ftpd.py" <<'PY'
import logging, os, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.servers import FTPServer
d, tls, host = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
logging.basicConfig(filename=os.path.join(d, "ftpd.log"), level=logging.INFO)
auth = DummyAuthorizer()
auth.add_user("tester", "secret", os.path.join(d, "home"), perm="elradfmwMT")
auth.add_anonymous(os.path.join(d, "anon"), perm="elr")
if tls:
    from pyftpdlib.handlers import TLS_FTPHandler as H
    H.certfile = os.path.join(d, "cert.pem"); H.keyfile = os.path.join(d, "key.pem")
    H.tls_control_required = False; H.tls_data_required = False
else:
    from pyftpdlib.handlers import FTPHandler as H
H.authorizer = auth
H.banner = "pyftpdlib test server ready"
srv = FTPServer((host, 0), H)                 # the kernel picks the port: no race
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write(str(srv.socket.getsockname()[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
srv.serve_forever(handle_exit=True)           # SIGTERM -> close everything and exit
PY
rm -f "$DIR/port"
setsid "$PY" "$DIR/ftpd.py" "$DIR" "$TLS" "$HOST" </dev/null >"$DIR/stdout.log" 2>&1 &
PID=$!; echo $PID > "$DIR/server.pid"
for _ in $(seq 300); do [ -s "$DIR/port" ] && break; kill -0 $PID 2>/dev/null || break; sleep 0.03; done
PORT=$(cat "$DIR/port" 2>/dev/null) || { kill $PID 2>/dev/null; cat "$DIR/stdout.log" >&2; die "pyftpdlib did not start"; }
wait_banner "$HOST" "$PORT" || { kill $PID; cat "$DIR/stdout.log" >&2; die "pyftpdlib not ready"; }
echo "PORT=$PORT PID=$PID"
