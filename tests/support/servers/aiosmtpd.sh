#!/bin/bash
# aiosmtpd.sh DIR [--starttls] [--auth] [--smtps]
# The mail tests' SMTP peer: Python's aiosmtpd (python3-aiosmtpd) on 127.0.0.1, port chosen by
# the kernel. Every accepted message is saved byte for byte as DIR/mail/<n>.eml, after two
# envelope headers (X-Envelope-From, X-Envelope-To).
#  --starttls : advertise STARTTLS (throw-away certificate DIR/cert.pem, CN=localhost)
#  --auth     : AUTH PLAIN/LOGIN for tester/secret, required before MAIL (530 otherwise)
#  --smtps    : TLS from the first byte
# Prints: PORT=<n> PID=<pid>. Stop: kill -TERM <pid>. Nothing is written outside DIR.
# (From the reference servers-kit's start-aiosmtpd.sh.)
set -euo pipefail
PY=/usr/bin/python3
die() { echo "aiosmtpd.sh: $*" >&2; exit 1; }
DIR=${1:?usage: aiosmtpd.sh DIR [--starttls] [--auth] [--smtps]}; shift
STARTTLS=0 AUTH=0 SMTPS=0
for a in "$@"; do case $a in --starttls) STARTTLS=1;; --auth) AUTH=1;; --smtps) SMTPS=1;;
  *) die "unknown option $a";; esac; done
"$PY" -c 'import aiosmtpd' 2>/dev/null || die "python3-aiosmtpd is not installed"
mkdir -p "$DIR/mail"; DIR=$(cd "$DIR" && pwd)
if [ $STARTTLS = 1 ] || [ $SMTPS = 1 ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$DIR/key.pem" -out "$DIR/cert.pem" >/dev/null 2>&1 || die "openssl req failed"
fi
rm -f "$DIR/port"
cat > "$DIR/smtpd.py" <<'PY'
import asyncio, itertools, os, signal, ssl, sys
from aiosmtpd.smtp import SMTP, AuthResult
d, starttls, auth, smtps = sys.argv[1], *(a == "1" for a in sys.argv[2:5])
counter = itertools.count(1)

class SaveHandler:
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        path = os.path.join(d, "mail", "%04d.eml" % n)
        hdr = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n"
               % (envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode()
        with open(path + ".tmp", "wb") as f:
            f.write(hdr + envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK saved as %04d" % n

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = getattr(auth_data, "login", None) == b"tester" and auth_data.password == b"secret"
    return AuthResult(success=ok, handled=False)  # handled=True would leave a failure unanswered

def ctx():
    c = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    c.load_cert_chain(os.path.join(d, "cert.pem"), os.path.join(d, "key.pem"))
    return c

def factory():
    kw = dict(hostname="localhost", ident="aiosmtpd test server", decode_data=False)
    if starttls: kw["tls_context"] = ctx()
    if auth:
        kw.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    return SMTP(SaveHandler(), **kw)

async def main():
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(factory, "127.0.0.1", 0, ssl=ctx() if smtps else None)
    port = srv.sockets[0].getsockname()[1]
    with open(os.path.join(d, "port.tmp"), "w") as f: f.write(str(port))
    os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT): loop.add_signal_handler(s, stop.set)
    await stop.wait()
    srv.close()

asyncio.run(main())
PY
setsid "$PY" "$DIR/smtpd.py" "$DIR" $STARTTLS $AUTH $SMTPS </dev/null >"$DIR/smtpd.log" 2>&1 &
PID=$!
for _ in $(seq 250); do [ -s "$DIR/port" ] && break; [ -d /proc/$PID ] || break; sleep 0.02; done
PORT=$(cat "$DIR/port" 2>/dev/null) || { kill $PID 2>/dev/null; cat "$DIR/smtpd.log" >&2; die "aiosmtpd did not start"; }
echo "PORT=$PORT PID=$PID"
