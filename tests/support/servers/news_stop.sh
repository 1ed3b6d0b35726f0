#!/bin/bash
# news_stop.sh DIR: stops the server whose PID is in DIR/server.pid and every process below it
# (telnetd sessions, nnrpd readers), after DIR/pre-stop if there is one (INN): SIGTERM, then
# SIGKILL for what is left after 5 s. Exit 0 when nothing is left.
set -u
DIR=${1:?usage: news_stop.sh DIR}
ROOT=$(cat "$DIR/server.pid" 2>/dev/null) || exit 0
gone() { [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
descendants() {
  local -a todo=("$1"); local all="" p k
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}; todo=("${todo[@]:1}")
    for k in $(ps -o pid= --ppid "$p" 2>/dev/null); do all="$all $k"; todo+=("$k"); done
  done
  echo $all
}
KIDS=$(descendants "$ROOT")
[ -x "$DIR/pre-stop" ] && timeout 5 "$DIR/pre-stop" >/dev/null 2>&1
kill -TERM "$ROOT" 2>/dev/null
end=$(( $(date +%s) + 5 ))
while ! gone "$ROOT" && [ "$(date +%s)" -le "$end" ]; do sleep 0.05; done
for p in $KIDS; do gone "$p" || kill -TERM "$p" 2>/dev/null; done
for p in $ROOT $KIDS; do
  while ! gone "$p" && [ "$(date +%s)" -le "$end" ]; do sleep 0.05; done
  gone "$p" || kill -KILL "$p" 2>/dev/null
done
rc=0; for p in $ROOT $KIDS; do gone "$p" || rc=1; done
exit $rc
