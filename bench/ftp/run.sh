#!/bin/bash
# bench/ftp/run.sh [SOKET] [SIZE_MIB] [ROUNDS]: downloads one file from vsftpd over loopback with
# `soket ftp get`, `curl ftp://` and Python's ftplib (retrbinary), interleaved, ROUNDS times
# (default 3), and prints each client's median rate and CPU (user+sys) per MiB, with ratios to
# curl. SOKET defaults to build/normal/tools/soket; SIZE_MIB to 1024 (1 GiB). Needs root
# (vsftpd's fixture: tests/support/servers/vsftpd.sh). Every command is bounded by `timeout`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
soket=${1:-$root/build/normal/tools/soket}
mib=${2:-1024}
rounds=${3:-3}
[ -x "$soket" ] || { echo "bench/ftp: no soket at $soket (build soket_tool first)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench/ftp: curl missing" >&2; exit 1; }

dir=$(mktemp -d /tmp/soket-ftp-bench-XXXXXX)
cleanup() {
  if [ -s "$dir/server.pid" ]; then
    pid=$(cat "$dir/server.pid")
    # the listener and its sessions (children)
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
line=$(timeout 60 "$root/tests/support/servers/vsftpd.sh" "$dir")
port=$(sed -n 's/.*PORT=\([0-9]*\).*/\1/p' <<<"$line")
# Random bytes (not a sparse file): the server reads real pages, the client writes /dev/null.
head -c $((mib * 1048576)) /dev/urandom > "$dir/home/big.bin"
chown ftp:ftp "$dir/home/big.bin"
url="ftp://127.0.0.1:$port/big.bin"

# measure NAME CMD...: appends "seconds cpu_seconds" for one run to $dir/NAME.
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$dir/time.txt" timeout 300 "$@" >/dev/null
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$dir/time.txt" >> "$dir/$name"
}
py='import ftplib,sys
f=ftplib.FTP(); f.connect("127.0.0.1", int(sys.argv[1])); f.login("tester","secret")
f.retrbinary("RETR big.bin", lambda b: None, 65536); f.quit()'

for ((r = 0; r < rounds; r++)); do
  SOKET_FTP_PASSWORD=secret measure soket "$soket" ftp get -q -o /dev/null "ftp://tester@127.0.0.1:$port/big.bin"
  measure curl curl -s -S -o /dev/null --user tester:secret "$url"
  measure python /usr/bin/python3 -c "$py" "$port"
done

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
declare -A rate cpu
for c in soket curl python; do
  rate[$c]=$(awk -v m="$mib" '{ print m / $1 }' "$dir/$c" | median)
  cpu[$c]=$(awk -v m="$mib" '{ print $2 * 1e6 / m }' "$dir/$c" | median)
done
printf '%s MiB from vsftpd over loopback, %s rounds, medians (load: %s)\n' "$mib" "$rounds" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %10s %8s %16s %8s\n' client "MiB/s" "x curl" "client us/MiB" "x curl"
for c in soket curl python; do
  printf '%-8s %10.0f %8.2f %16.0f %8.2f\n' "$c" "${rate[$c]}" \
    "$(awk -v a="${rate[$c]}" -v b="${rate[curl]}" 'BEGIN { print a / b }')" "${cpu[$c]}" \
    "$(awk -v a="${cpu[$c]}" -v b="${cpu[curl]}" 'BEGIN { print a / b }')"
done
