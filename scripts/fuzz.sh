#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time.
# Exits non-zero if any target crashes, leaks or fails a check; the input that did it is
# saved under <build>/fuzz/artifacts/<target>/ (replay: <build>/fuzz/<target>_fuzz <file>).
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_BUILD_DIR build directory (default build-fuzz)
#   FUZZ_TARGETS   targets to run (default: all of them)
#   FUZZ_PARALLEL  targets fuzzed at once (default: the number of CPUs; each is one process)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=${FUZZ_TARGETS:-address_parse readline buffer http_parse http_static packet_decode transfer_header certificate icmp_parse port_list framing url_parse mail_parse ftp_reply news_parse}

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSOKET_BUILD_FUZZ=ON -DSOKET_BUILD_TESTS=OFF -DSOKET_BUILD_EXAMPLES=OFF \
  -DSOKET_BUILD_TOOLS=OFF -DSOKET_WERROR=ON >/dev/null
for target in $targets; do
  ninja -C "$build" -j "${FUZZ_JOBS:-2}" "${target}_fuzz"
done

status=0
failed=()
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# fuzz_one <target>: one bounded libFuzzer run, its output in $logs/<target>.
fuzz_one() {
  local target=$1 corpus="$build/fuzz/corpus/$1" artifacts="$build/fuzz/artifacts/$1/"
  mkdir -p "$corpus" "$artifacts"  # the corpus grows as the fuzzer finds new paths
  local dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  "$build/fuzz/${target}_fuzz" "$corpus" "fuzz/corpus/$target" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" >"$logs/$target" 2>&1
}
# Each libFuzzer process uses one CPU: run FUZZ_PARALLEL of them at once, then show each log
# whole (not interleaved) in the order of the list.
parallel=${FUZZ_PARALLEL:-$(nproc)}
declare -A pids=()
running=0
for target in $targets; do
  if ((running >= parallel)); then wait -n || true; running=$((running - 1)); fi
  echo "== fuzzing $target for ${seconds}s =="
  fuzz_one "$target" &
  pids[$target]=$!
  running=$((running + 1))
done
for target in $targets; do
  result=0
  wait "${pids[$target]}" || result=$?  # bash keeps a status `wait -n` already collected
  echo "== $target =="
  cat "$logs/$target"
  if ((result != 0)); then
    echo "fuzz: $target FAILED; reproducer(s) in $build/fuzz/artifacts/$target/" >&2
    failed+=("$target")
    status=1
  fi
done
# CI shows the end of the log: say there what failed, how, and with which input.
for target in "${failed[@]}"; do
  echo "== fuzz: $target FAILED =="
  grep -v -E '^#[0-9]+|^(INFO|MS|Recommended|stat::)|# Uses:' "$logs/$target" | tail -n 40 || true
  for f in "$build/fuzz/artifacts/$target/"*; do
    [[ -f $f ]] || continue
    echo "-- $f ($(stat -c %s "$f") bytes), first 256 as hex:"
    head -c 256 "$f" | od -An -tx1 | head -n 16
  done
done
((status == 0)) && echo "fuzz: all ${seconds}s runs clean: $targets"
exit $status
