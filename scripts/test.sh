#!/usr/bin/env bash
# The whole test suite: set up, then build and test each flavour — normal, AddressSanitizer +
# UBSan, ThreadSanitizer. SOKET_FLAVOURS="normal" runs fewer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
status=0
for flavour in ${SOKET_FLAVOURS:-normal asan tsan}; do
  echo "== $flavour build =="
  dir=$(scripts/build.sh "$flavour" | tail -n 1)
  echo "== $flavour tests =="
  ctest --test-dir "$dir" -j "$(nproc)" --output-on-failure --timeout 300 || status=1
done
exit $status
