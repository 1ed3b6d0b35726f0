#!/bin/bash
# vsftpd.sh DIR [--tls] [--ipv6]: the FTP tests' vsftpd, everything under DIR (which must exist
# and whose parents must be o+x: vsftpd's unprivileged users reach into it).
#  - anonymous: read-only, root DIR/anon (pub/hello.txt)
#  - virtual user tester/secret (pam_userdb, DIR/pam.d bind-mounted over /etc/pam.d in a private
#    mount namespace: /etc is never touched): read-write, chrooted to DIR/home
#  - --tls: explicit FTPS with require_ssl_reuse=YES (vsftpd's own default: every TLS data
#    connection must resume the control connection's session)
#  - --ipv6: listens on ::1 instead of 127.0.0.1
# Prints "PORT=<n> PID=<pid>" once the banner answers; exit 77 (skip) when vsftpd is missing.
# The server's PID is also in DIR/server.pid; its sessions are its descendants.
set -euo pipefail
. "$(dirname "$0")/ftp_lib.sh"
DIR=${1:?usage: vsftpd.sh DIR [--tls] [--ipv6]}; shift
TLS=NO; HOST=127.0.0.1
for a in "$@"; do case $a in --tls) TLS=YES;; --ipv6) HOST=::1;; *) die "unknown option $a";; esac; done
command -v vsftpd >/dev/null || skip "vsftpd not installed (scripts/setup.sh installs it)"
"$PY" -c 'import dbm.ndbm' 2>/dev/null || skip "python3 dbm.ndbm missing (pam_userdb's database)"
[ -e /lib/x86_64-linux-gnu/security/pam_userdb.so ] || [ -n "$(find /lib /usr/lib -name pam_userdb.so 2>/dev/null | head -1)" ] \
  || skip "pam_userdb.so missing (libpam-modules)"
unshare --mount --propagation private true 2>/dev/null || skip "no mount namespace (needs root)"
DIR=$(cd "$DIR" && pwd)
chmod 755 "$DIR"
PORT=$(free_port "$HOST")
install -d -m 755 "$DIR/empty" "$DIR/anon" "$DIR/anon/pub"
echo "hello from vsftpd" > "$DIR/anon/pub/hello.txt"
install -d -m 755 -o ftp -g ftp "$DIR/home"
echo "hello, tester" > "$DIR/home/readme.txt"; chown ftp:ftp "$DIR/home/readme.txt"
"$PY" -c 'import dbm.ndbm,sys; d=dbm.ndbm.open(sys.argv[1],"n",0o600); d[b"tester"]=b"secret"; d.close()' "$DIR/users"
mkdir -p "$DIR/pam.d"
printf 'auth    required pam_userdb.so db=%s/users\naccount required pam_permit.so\n' "$DIR" > "$DIR/pam.d/vsftpd"
[ $TLS = YES ] && make_cert "$DIR"
if [ "$HOST" = ::1 ]; then
  LISTEN="listen=NO
listen_ipv6=YES
listen_address6=::1"
else
  LISTEN="listen=YES
listen_ipv6=NO
listen_address=127.0.0.1"
fi
# No trailing blanks, no unknown keys, comments on their own lines: vsftpd refuses the rest.
cat > "$DIR/vsftpd.conf" <<CONF
$LISTEN
listen_port=$PORT
background=NO
vsftpd_log_file=$DIR/vsftpd.log
xferlog_enable=YES
xferlog_file=$DIR/xferlog
dual_log_enable=YES
log_ftp_protocol=YES
secure_chroot_dir=$DIR/empty
nopriv_user=nobody
ftpd_banner=vsftpd test server ready
anonymous_enable=YES
ftp_username=ftp
anon_root=$DIR/anon
anon_upload_enable=NO
anon_mkdir_write_enable=NO
anon_umask=022
local_enable=YES
write_enable=YES
local_umask=022
guest_enable=YES
guest_username=ftp
virtual_use_local_privs=YES
local_root=$DIR/home
chroot_local_user=YES
allow_writeable_chroot=YES
pam_service_name=vsftpd
pasv_enable=YES
pasv_address=127.0.0.1
port_enable=YES
connect_from_port_20=NO
ssl_enable=$TLS
rsa_cert_file=$DIR/cert.pem
rsa_private_key_file=$DIR/key.pem
allow_anon_ssl=YES
force_local_logins_ssl=NO
force_local_data_ssl=NO
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
require_ssl_reuse=YES
CONF
# Start-up errors ("500 OOPS: ...") go to fd 0, so fd 0 is a log file.
setsid unshare --mount --propagation private \
  sh -c 'mount --bind "$1/pam.d" /etc/pam.d && exec vsftpd "$1/vsftpd.conf"' sh "$DIR" \
  0>"$DIR/oops.log" >"$DIR/stdout.log" 2>&1 &
PID=$!
echo $PID > "$DIR/server.pid"
if ! wait_banner "$HOST" "$PORT"; then
  kill "$PID" 2>/dev/null; cat "$DIR/oops.log" "$DIR/stdout.log" >&2; die "vsftpd did not become ready"
fi
echo "PORT=$PORT PID=$PID"
