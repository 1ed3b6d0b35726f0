#!/bin/bash
# telnetd.sh DIR: the Telnet tests' inetutils-telnetd on 127.0.0.1 (inetd-style behind
# systemd-socket-activate). It runs DIR/login.sh instead of /bin/login: "login: ",
# "Password: ", checks DIR/users (tester:secret), then /bin/sh -i as nobody in DIR/home with
# prompt "sh$ " (not "$ ", which the docs test would read as a command). No system user is
# added; the wtmp record telnetd writes goes to DIR/wtmp (private mount namespace).
# Prints "PORT=<n> PID=<pid>"; exit 77 (skip) when it cannot run.
set -euo pipefail
. "$(dirname "$0")/news_lib.sh"
DIR=${1:?usage: telnetd.sh DIR}
[ -x /usr/sbin/telnetd ] || skip "inetutils-telnetd not installed (scripts/setup.sh installs it)"
unshare --mount --propagation private true 2>/dev/null || skip "no mount namespaces here (telnetd's wtmp is kept private in one)"
mkdir -p "$DIR/home"; DIR=$(cd "$DIR" && pwd); chmod 755 "$DIR"; chown nobody:nogroup "$DIR/home"
need_traversable "$DIR"
echo "tester:secret" > "$DIR/users"; chmod 600 "$DIR/users"
cat > "$DIR/login.sh" <<LOGIN
#!/bin/bash
# stands in for /bin/login, run by telnetd on the session's pty (as root)
for try in 1 2 3; do
  printf 'login: '; IFS= read -r user || exit 1; user=\${user%\$'\r'}
  printf 'Password: '; stty -echo; IFS= read -r pass || exit 1; stty echo; printf '\n'
  pass=\${pass%\$'\r'}
  if [ -n "\$user" ] && grep -Fxq -- "\$user:\$pass" "$DIR/users"; then
    echo "Welcome, \$user."
    cd "$DIR/home"
    exec setpriv --reuid=nobody --regid=nogroup --clear-groups \\
      env -i HOME="$DIR/home" USER="\$user" LOGNAME="\$user" PATH=/usr/bin:/bin \\
      TERM="\${TERM:-dumb}" PS1='sh\$ ' /bin/sh -i
  fi
  echo; echo "Login incorrect"
done
exit 1
LOGIN
chmod 700 "$DIR/login.sh"
PORT=${SOKET_SERVER_PORT:-$(free_port)}  # the docs test asks for its documents' port
: > "$DIR/wtmp"; : > "$DIR/utmp"
setsid unshare --mount --propagation private sh -c '
  [ -f /var/log/wtmp ] && mount --bind "$1/wtmp" /var/log/wtmp
  [ -f /run/utmp ] && mount --bind "$1/utmp" /run/utmp
  exec systemd-socket-activate --accept --inetd -l "127.0.0.1:$2" \
    /usr/sbin/telnetd -h -E "$1/login.sh"' sh "$DIR" "$PORT" </dev/null >"$DIR/listener.log" 2>&1 &
PID=$!; echo $PID > "$DIR/server.pid"
wait_listen "$PORT" || { kill $PID 2>/dev/null; cat "$DIR/listener.log" >&2; die "listener not ready"; }
echo "PORT=$PORT PID=$PID"
