#!/bin/bash
# aiosmtpd.sh DIR [--starttls] [--auth] [--smtps]
# The mail tests' SMTP peer: Python's aiosmtpd (python3-aiosmtpd) on 127.0.0.1, port chosen by
# the kernel. Every accepted message is saved byte for byte as DIR/mail/<n>.eml, after two
# envelope headers (X-Envelope-From, X-Envelope-To); MAIL FROM's parameters go to DIR/mail/<n>.options.
#  --starttls : advertise STARTTLS (throw-away certificate DIR/cert.pem, CN=localhost)
#  --auth     : AUTH CRAM-MD5/PLAIN/LOGIN for tester/secret, required before MAIL (530
#               otherwise); each attempt is logged as "MECHANISM user ok|failed" in DIR/auth.log
#  --utf8     : advertise SMTPUTF8 (aiosmtpd then takes UTF-8 addresses)
#  --smtps    : TLS from the first byte
# Prints: PORT=<n> PID=<pid>. Stop: kill -TERM <pid>. Nothing is written outside DIR.
# (From the reference servers-kit's start-aiosmtpd.sh.)
set -euo pipefail
PY=/usr/bin/python3
die() { echo "aiosmtpd.sh: $*" >&2; exit 1; }
DIR=${1:?usage: aiosmtpd.sh DIR [--starttls] [--auth] [--smtps] [--utf8]}; shift
STARTTLS=0 AUTH=0 SMTPS=0 UTF8=0
for a in "$@"; do case $a in --starttls) STARTTLS=1;; --auth) AUTH=1;; --smtps) SMTPS=1;; --utf8) UTF8=1;;
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
import asyncio, hmac, itertools, os, signal, ssl, sys
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, MISSING
d, starttls, auth, smtps, utf8 = sys.argv[1], *(a == "1" for a in sys.argv[2:6])
counter = itertools.count(1)
challenges = itertools.count(1)

def log_auth(mechanism, user, ok):
    with open(os.path.join(d, "auth.log"), "a") as f:
        f.write("%s %s %s\n" % (mechanism, user, "ok" if ok else "failed"))

class SaveHandler:
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        path = os.path.join(d, "mail", "%04d.eml" % n)
        hdr = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n"
               % (envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode()
        with open(path + ".tmp", "wb") as f:
            f.write(hdr + envelope.original_content)
        with open(path[:-4] + ".options", "w") as f:  # MAIL FROM's parameters, one a line
            f.write("".join(o + "\n" for o in envelope.mail_options))
        os.rename(path + ".tmp", path)
        return "250 OK saved as %04d" % n

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    # RFC 2195: aiosmtpd has no CRAM-MD5 of its own; "__" in the name stands for "-".
    async def auth_CRAM__MD5(self, server, args):
        challenge = b"<%d.%d@localhost>" % (os.getpid(), next(challenges))
        answer = await server.challenge_auth(challenge)
        if answer is MISSING:
            return AuthResult(success=False, handled=True)
        user, _, digest = answer.partition(b" ")
        expect = hmac.new(b"secret", challenge, "md5").hexdigest().encode()
        ok = user == b"tester" and hmac.compare_digest(digest, expect)
        log_auth("CRAM-MD5", user.decode(errors="replace"), ok)
        return AuthResult(success=ok, handled=False, auth_data=LoginPassword(user, b""))

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = getattr(auth_data, "login", None) == b"tester" and auth_data.password == b"secret"
    log_auth(mechanism, getattr(auth_data, "login", b"").decode(errors="replace"), ok)
    return AuthResult(success=ok, handled=False)  # handled=True would leave a failure unanswered

def ctx():
    c = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    c.load_cert_chain(os.path.join(d, "cert.pem"), os.path.join(d, "key.pem"))
    return c

def factory():
    kw = dict(hostname="localhost", ident="aiosmtpd test server", decode_data=False,
              enable_SMTPUTF8=utf8)
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
setsid "$PY" "$DIR/smtpd.py" "$DIR" $STARTTLS $AUTH $SMTPS $UTF8 </dev/null >"$DIR/smtpd.log" 2>&1 &
PID=$!
for _ in $(seq 250); do [ -s "$DIR/port" ] && break; [ -d /proc/$PID ] || break; sleep 0.02; done
PORT=$(cat "$DIR/port" 2>/dev/null) || { kill $PID 2>/dev/null; cat "$DIR/smtpd.log" >&2; die "aiosmtpd did not start"; }
echo "PORT=$PORT PID=$PID"
