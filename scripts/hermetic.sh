#!/usr/bin/env bash
# Runs a build's whole test suite inside a private network namespace (unshare -n): only a
# loopback, brought up here, so a test that sends anything off the machine (a DNS query to the
# configured resolver, a connection outside) fails instead of passing by luck.
# Usage: scripts/hermetic.sh <build dir> [ctest arguments...]   (root: unshare -n needs it)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/hermetic.sh <build dir> [ctest arguments...]}
shift
if ! unshare -n true 2>/dev/null; then
  echo "hermetic: unshare -n is not permitted here (run as root)" >&2
  exit 1
fi
exec unshare -n bash -c 'ip link set lo up && exec "$@"' hermetic \
  ctest --test-dir "$dir" -j "$(nproc)" --output-on-failure --timeout 300 "$@"
