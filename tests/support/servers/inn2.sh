#!/bin/bash
# inn2.sh DIR: the NNTP tests' INN 2.7 run entirely from DIR (INNCONF=DIR/etc/inn.conf leads
# every path into DIR); innd listens on 127.0.0.1 and hands readers to nnrpd.
#  - groups: local.test (empty), local.general (one article <seed-1@inn-test.localdomain>),
#    control*, junk
#  - anonymous clients may read; AUTHINFO USER tester / PASS secret may also post
#  - STARTTLS offered (throw-away cert DIR/cert.pem)
#  - innd runs as user news; DIR is chowned to news
# Prints "PORT=<n> PID=<innd pid>"; exit 77 (skip) when inn2 is missing. DIR/pre-stop shuts
# innd down (a plain SIGTERM is only seen at its next socket event).
set -euo pipefail
. "$(dirname "$0")/news_lib.sh"
DIR=${1:?usage: start-inn2.sh DIR}
B=/usr/lib/news/bin
[ -x $B/innd ] || skip "inn2 not installed (scripts/setup.sh installs it with scripts/install-inn2.sh)"
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd); chmod 755 "$DIR"
need_traversable "$DIR"
PORT=${SOKET_SERVER_PORT:-$(free_port)}  # the docs test asks for its documents' port
mkdir -p "$DIR"/{etc,db,run,log,http,filter,tmp} "$DIR"/spool/{articles,overview,incoming/bad,outgoing,archive}
E=$DIR/etc
make_cert "$DIR"
cat > "$E/inn.conf" <<CONF
# every name below is set so that INN never needs DNS (this machine's resolver is not local)
domain:             localdomain
fromhost:           localdomain
pathhost:           inn-test.localdomain
server:             127.0.0.1
organization:       "INN test server"
bindaddress:        127.0.0.1
port:               $PORT
runasuser:          news
runasgroup:         news
mta:                "/bin/true %s"
mailcmd:            /bin/true
ovmethod:           tradindexed
hismethod:          hisv6
enableoverview:     true
wireformat:         true
doinnwatch:         false
docnfsstat:         false
pgpverify:          false
readerswhenstopped: false
noreader:           false
nnrpdcheckart:      true
maxconnections:     50
# nnrpd refuses readers ("400 load at N, try later") above a load average of 16 by
# default, which a busy CI machine reaches: no limit here
nnrpdloadlimit:     0
# article cutoff of 10 days would reject back-dated test articles
artcutoff:          0
# STARTTLS for readers (nnrpd), throw-away cert; the key must belong to news
tlscertfile:        $DIR/cert.pem
tlskeyfile:         $DIR/key.pem
pathnews:           /usr/lib/news
pathbin:            /usr/lib/news/bin
pathcontrol:        /usr/lib/news/bin/control
pathfilter:         $DIR/filter
pathetc:            $DIR/etc
pathdb:             $DIR/db
pathrun:            $DIR/run
pathlog:            $DIR/log
pathhttp:           $DIR/http
pathtmp:            $DIR/tmp
pathspool:          $DIR/spool
patharticles:       $DIR/spool/articles
pathoverview:       $DIR/spool/overview
pathincoming:       $DIR/spool/incoming
pathoutgoing:       $DIR/spool/outgoing
patharchive:        $DIR/spool/archive
CONF
# no feeding peers: every TCP client is a reader and goes to nnrpd
cat > "$E/incoming.conf" <<'CONF'
streaming: true
max-connections: 8
CONF
cat > "$E/newsfeeds" <<'CONF'
ME:*::
CONF
cat > "$E/storage.conf" <<'CONF'
method tradspool {
    newsgroups: *
    class: 0
}
CONF
cat > "$E/expire.ctl" <<'CONF'
/remember/:11
*:A:1:90:never
CONF
openssl passwd -6 secret | sed 's/^/tester:/' > "$E/nntp.passwd"
cat > "$E/readers.conf" <<CONF
auth "local" {
    hosts: "127.0.0.1, ::1, localhost, stdin"
    auth: "ckpasswd -f $E/nntp.passwd"
    default: "<anonymous>"
}
access "anonymous" {
    users: "<anonymous>"
    newsgroups: "*"
    access: "R"
}
access "tester" {
    users: "tester"
    newsgroups: "*"
    access: "RPA"
    # used for Message-IDs; without it nnrpd builds them from gethostname()+domain (a lookup)
    domain: "inn-test.localdomain"
}
CONF
for f in control.ctl control.ctl.local distributions moderators subscriptions nnrpd.track \
         buffindexed.conf cycbuff.conf ovdb.conf ovsqlite.conf innwatch.ctl localgroups; do
  [ -f /etc/news/$f ] && cp /etc/news/$f "$E/"
done
cat > "$DIR/db/active" <<'CONF'
control 0000000000 0000000001 n
control.cancel 0000000000 0000000001 n
control.checkgroups 0000000000 0000000001 n
control.newgroup 0000000000 0000000001 n
control.rmgroup 0000000000 0000000001 n
junk 0000000000 0000000001 n
local.general 0000000000 0000000001 y
local.test 0000000000 0000000001 y
CONF
printf 'local.general\tLocal general discussion.\nlocal.test\tLocal test postings.\n' > "$DIR/db/newsgroups"
# credentials INN's own clients (inews) use when talking to this server
echo "127.0.0.1:tester:secret" > "$E/passwd.nntp"
: > "$DIR/db/active.times"; : > "$DIR/db/history"
chown -R news:news "$DIR"; chmod 640 "$E/nntp.passwd" "$E/passwd.nntp"
export INNCONF=$E/inn.conf
( cd "$DIR/db" && runuser -u news -- $B/makedbz -i -o ) >/dev/null || die "makedbz failed"
setsid $B/innd -f </dev/null >"$DIR/log/innd.stdout" 2>&1 &
PID=$!
echo $PID > "$DIR/server.pid"
wait_banner "$PORT" '^20[01] ' || { kill $PID 2>/dev/null; cat "$DIR/log/innd.stdout" >&2; die "innd not ready"; }
cat > "$DIR/pre-stop" <<STOP
#!/bin/sh
INNCONF=$E/inn.conf exec $B/ctlinnd -t 5 shutdown "test finished"
STOP
chmod 755 "$DIR/pre-stop"
# seed one article in local.general with INN's own inews (AUTHINFO from passwd.nntp)
printf 'From: Seed <seed@example.org>\nNewsgroups: local.general\nSubject: welcome\nMessage-ID: <seed-1@inn-test.localdomain>\n\nThis article was there before the test started.\n' \
  | timeout 10 $B/inews -h -p "$PORT" || { kill $PID; die "seeding article failed"; }
echo "PORT=$PORT PID=$PID"
