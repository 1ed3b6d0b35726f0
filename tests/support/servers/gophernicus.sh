#!/bin/bash
# gophernicus.sh DIR: the Gopher tests' gophernicus serving DIR/gopher on 127.0.0.1 (inetd-style
# behind systemd-socket-activate, one gophernicus per connection, as user nobody). DIR/gopher
# holds what the test wrote there; a gophermap is added if there is none. Flags: -nm no SysV
# shared memory (it would outlive the server), -ns no syslog, -nv/-nu/-nx no vhosts, ~user
# spaces or executable maps. Prints "PORT=<n> PID=<pid>"; exit 77 (skip) when it is missing.
set -euo pipefail
. "$(dirname "$0")/news_lib.sh"
DIR=${1:?usage: gophernicus.sh DIR}
[ -x /usr/sbin/gophernicus ] || skip "gophernicus not installed (scripts/setup.sh installs it)"
mkdir -p "$DIR/gopher"; DIR=$(cd "$DIR" && pwd); chmod 755 "$DIR"
need_traversable "$DIR"
PORT=${SOKET_SERVER_PORT:-$(free_port)}  # the docs test asks for its documents' port
chmod -R a+rX "$DIR/gopher"
: > "$DIR/gopher.log"; chown nobody:nogroup "$DIR/gopher.log"
setsid systemd-socket-activate --accept --inetd -l "127.0.0.1:$PORT" \
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
  /usr/sbin/gophernicus -h 127.0.0.1 -p "$PORT" -r "$DIR/gopher" -l "$DIR/gopher.log" \
    -nm -ns -nv -nu -nx </dev/null >"$DIR/listener.log" 2>&1 &
PID=$!; echo $PID > "$DIR/server.pid"
wait_listen "$PORT" || { kill $PID 2>/dev/null; cat "$DIR/listener.log" >&2; die "listener not ready"; }
echo "PORT=$PORT PID=$PID"
