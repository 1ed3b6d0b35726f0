#!/bin/bash
# dovecot.sh DIR [--apop]
# The mail tests' IMAP4 and POP3 peer: Dovecot 2.3 (dovecot-imapd, dovecot-pop3d) on
# 127.0.0.1, four ports found free (IMAP, POP3, and IMAPS, POP3S: TLS from the first byte),
# everything (config, pid, sockets, logs, mail) under DIR.
#  - user tester / secret (passwd-file DIR/users), plaintext login allowed
#  - --apop: the APOP mechanism too (the POP3 greeting then carries a <timestamp>)
#  - STARTTLS (IMAP) and STLS (POP3) with a throw-away certificate DIR/cert.pem (CN=localhost)
#  - maildir DIR/home/tester/Maildir owned by nobody (Dovecot refuses uid 0 for mail): INBOX
#    holds one message ("Subject: first message"), folders Sent and Archive exist
# Needs root (the master starts as root; login as dovenull, auth as dovecot, mail as nobody).
# Prints: IMAP_PORT=<n> POP3_PORT=<n> IMAPS_PORT=<n> POP3S_PORT=<n> PID=<master pid>. Stop: kill -TERM <pid>.
# (From the reference servers-kit's start-dovecot.sh.)
set -euo pipefail
PY=/usr/bin/python3
die() { echo "dovecot.sh: $*" >&2; exit 1; }
DIR=${1:?usage: dovecot.sh DIR [--apop]}; shift
MECHS="plain login"
for a in "$@"; do case $a in --apop) MECHS="plain login apop";; *) die "unknown option $a";; esac; done
command -v dovecot >/dev/null || die "dovecot-imapd/dovecot-pop3d are not installed"
[ "$(id -u)" = 0 ] || die "needs root"
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd); chmod 755 "$DIR"
d=$(dirname "$DIR")
while [ "$d" != / ]; do
  [ "$(( 0$(stat -c %a "$d") & 1 ))" = 1 ] || die "$d is not o+x: Dovecot's users cannot reach $DIR"
  d=$(dirname "$d")
done
# Four distinct free ports (all bound at once, so none repeats).
read -r IMAP_PORT POP3_PORT IMAPS_PORT POP3S_PORT < <("$PY" -c 'import socket
ss = [socket.socket() for _ in range(4)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$DIR/key.pem" -out "$DIR/cert.pem" >/dev/null 2>&1 || die "openssl req failed"
chmod 600 "$DIR/key.pem"; chmod 644 "$DIR/cert.pem"
mkdir -p "$DIR/run" "$DIR/state"
echo "tester:{PLAIN}secret::::::" > "$DIR/users"; chmod 644 "$DIR/users"
M=$DIR/home/tester/Maildir
mkdir -p "$M"/{cur,new,tmp} "$M"/.Sent/{cur,new,tmp} "$M"/.Archive/{cur,new,tmp}
printf '%s\n' Sent Archive > "$M/subscriptions"
printf 'From: alice@example.org\r\nTo: tester@example.org\r\nSubject: first message\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <first@example.org>\r\n\r\nHello tester,\r\n.this line starts with a dot.\r\n' \
  > "$M/new/1700000000.M1P1.localhost"
chown -R nobody:nogroup "$DIR/home"
cat > "$DIR/dovecot.conf" <<CONF
base_dir = $DIR/run
state_dir = $DIR/state
instance_name = soket-test-$IMAP_PORT
protocols = imap pop3
listen = 127.0.0.1
log_path = $DIR/dovecot.log
info_log_path = $DIR/dovecot.log
debug_log_path = $DIR/dovecot.log
login_greeting = Dovecot test server ready.
disable_plaintext_auth = no
auth_mechanisms = $MECHS
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DIR/home/%u
}
first_valid_uid = 1
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
  }
}
ssl = yes
ssl_cert = <$DIR/cert.pem
ssl_key = <$DIR/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
    ssl = yes
  }
}
# no login penalty after a failed login (it would delay later logins by seconds)
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
pop3_uidl_format = %08Xu%08Xv
CONF
setsid dovecot -c "$DIR/dovecot.conf" -F </dev/null >"$DIR/stdout.log" 2>&1 &
PID=$!
banner() {  # PORT REGEX: true once the port answers with a matching first line
  local end=$(( $(date +%s) + 10 )) line
  while [ "$(date +%s)" -lt "$end" ]; do
    if { exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
      line=$(timeout 2 head -n1 <&9 | tr -d '\r'); exec 9>&- 9<&-
      printf '%s\n' "$line" | grep -Eq "$2" && return 0
    fi
    [ -d /proc/$PID ] || return 1
    sleep 0.05
  done
  return 1
}
banner "$IMAP_PORT" '^\* OK' && banner "$POP3_PORT" '^\+OK' || {
  kill $PID 2>/dev/null; cat "$DIR/stdout.log" "$DIR/dovecot.log" >&2 2>/dev/null; die "dovecot did not start"; }
echo "IMAP_PORT=$IMAP_PORT POP3_PORT=$POP3_PORT IMAPS_PORT=$IMAPS_PORT POP3S_PORT=$POP3S_PORT PID=$PID"
