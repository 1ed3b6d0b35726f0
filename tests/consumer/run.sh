#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds and runs tests/consumer against
# it twice: with find_package(soket) and with pkg-config. Usage: run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
out=$("$work/build/consumer")
echo "find_package: $out"
[[ $out == "Thank you for connecting (soket "* ]]
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
c++ -std=c++20 "$src/tests/consumer/main.cpp" -o "$work/pc-consumer" $(pkg-config --cflags --libs soket)
out=$("$work/pc-consumer")
echo "pkg-config: $out"
[[ $out == "Thank you for connecting (soket "* ]]
