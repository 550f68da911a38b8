#!/usr/bin/env bash
# Installs the built ddb into a temporary prefix, then configures, builds and
# runs tests/consumer against it with find_package(ddb CONFIG REQUIRED).
#   run.sh BUILD_DIR "CXX_FLAGS" "LINKER_FLAGS"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$1 cxxflags=${2:-} ldflags=${3:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
