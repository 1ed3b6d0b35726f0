#!/usr/bin/env bash
# Configures and builds one flavour of soket. Usage: scripts/build.sh normal|asan|tsan
# Prints the build directory on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-normal}
case $flavour in
  normal) san="" ; type=RelWithDebInfo ;;
  asan)   san="address,undefined" ; type=Debug ;;
  tsan)   san="thread" ; type=Debug ;;
  *) echo "build.sh: unknown flavour '$flavour' (normal|asan|tsan)" >&2; exit 2 ;;
esac
dir=build/$flavour
# -g1 (line tables): stack traces and sanitizer reports keep function, file and line; full -g
# costs a third of the build's time. SOKET_CMAKE_ARGS comes last, so it can ask for -g again.
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=$type -DSOKET_WERROR=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_DEBUG="-g1" \
      -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_DEBUG="-g1" \
      -DSOKET_SANITIZE="$san" ${SOKET_CMAKE_ARGS:-} >/dev/null
cmake --build "$dir" -j "$(nproc)" >&2
echo "$dir"
