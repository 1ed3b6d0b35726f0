#!/usr/bin/env bash
# The whole test suite (README's test command; CI runs it through .ci/run). Sets up, then:
#   tests  each flavour (normal, ASan+UBSan, TSan) builds and runs its tests. The normal
#          build's run is hermetic — inside a private network namespace (scripts/hermetic.sh)
#          when that is permitted (root) — and is the one that runs the fault tests (label
#          "faults": private namespaces, loss, resets, 10,000 connections) and the tests big
#          by nature (label "heavy": 1 GiB transfers, hundreds of clients, full port scans);
#          the sanitizer flavours skip both, and cover the same code with smaller variants.
#          The suites against real protocol servers (label "servers": vsftpd, Dovecot, INN,
#          aiosmtpd, telnetd, gophernicus, nginx) also run once, in the normal build. A
#          sanitizer build does not compile what only those labels run (tests/CMakeLists.txt).
#   fuzz   each libFuzzer target for FUZZ_SECONDS (default 20) under ASan+UBSan (clang), one
#          target per CPU at a time.
#   tidy   clang-tidy's curated checks (.clang-tidy) over the library, tool and examples (the
#          static analyzer's checks on the library only: scripts/tidy.sh).
# SOKET_FLAVOURS="normal" runs fewer flavours; SOKET_STEPS="tests fuzz tidy" picks steps.
# Prints each step's wall time at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
status=0
times=()
# step <name> <command...>: runs it, records its time and whether it failed.
step() {
  local name=$1 start=$SECONDS
  shift
  echo "== $name =="
  if "$@"; then times+=("$name: $((SECONDS - start)) s"); else
    times+=("$name: $((SECONDS - start)) s FAILED"); status=1
  fi
}
ctest_normal() {
  if unshare -n true 2>/dev/null; then
    scripts/hermetic.sh "$1"
  else
    echo "(unshare -n not permitted: the tests run on the host's network, not hermetically)"
    ctest --test-dir "$1" -j "$(nproc)" --output-on-failure --timeout 300
  fi
}
ctest_sanitized() {
  ctest --test-dir "$1" -j "$(nproc)" --output-on-failure --timeout 300 -LE 'faults|heavy|servers'
}

steps=${SOKET_STEPS:-tests fuzz tidy}
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}  # 15 targets: CI stays well inside its time
normal_dir=""
if [[ " $steps " == *" tests "* ]]; then
  for flavour in ${SOKET_FLAVOURS:-normal asan tsan}; do
    dir=build/$flavour
    step "$flavour build" scripts/build.sh "$flavour"
    if [[ $flavour == normal ]]; then
      normal_dir=$dir
      step "normal tests (hermetic, with fault tests)" ctest_normal "$dir"
    else
      step "$flavour tests" ctest_sanitized "$dir"
    fi
  done
fi
[[ " $steps " == *" fuzz "* ]] && step "fuzz ($FUZZ_SECONDS s per target)" scripts/fuzz.sh
if [[ " $steps " == *" tidy "* ]]; then
  [[ -n $normal_dir ]] || step "normal configure" scripts/build.sh normal
  step "clang-tidy" scripts/tidy.sh build/normal
fi

echo "== step times (total $SECONDS s, set-up included) =="
printf '  %s\n' "${times[@]}"
exit $status
