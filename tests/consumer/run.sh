#!/usr/bin/env bash
# Installs the built ddb into a temporary prefix, then configures, builds and
# runs tests/consumer against it with find_package(ddb CONFIG REQUIRED).
#   run.sh BUILD_DIR "CXX_FLAGS" "LINKER_FLAGS"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$1 cxxflags=${2:-} ldflags=${3:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/ddb-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
log="$work/log"
quiet() { "$@" >>"$log" 2>&1 || { cat "$log"; echo "consumer: failed: $*" >&2; exit 1; }; }
quiet cmake --install "$build" --prefix "$work/prefix"
launcher=$(command -v ccache || true)
quiet cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher" \
  -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags"
quiet cmake --build "$work/build"
"$work/build/consumer"
