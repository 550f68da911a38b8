#!/usr/bin/env bash
# Users of <ddb/client/client.hpp> (and of the table view) do not get Beast:
# the header tree that including them pulls in holds no boost/beast header.
# Usage: tests/header_deps.sh <source dir> <c++ compiler>
set -euo pipefail
src="$1"
cxx="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in ddb/client/client.hpp ddb/ops/table.hpp; do
  printf '#include <%s>\n' "$h" > "$tmp/use.cpp"
  "$cxx" -std=c++20 -I"$src/include" -H -fsyntax-only "$tmp/use.cpp" 2> "$tmp/tree" || {
    cat "$tmp/tree" >&2
    exit 1
  }
  if grep -q 'boost/beast' "$tmp/tree"; then
    echo "<$h> pulls in Beast through:" >&2
    grep -B3 -m1 'boost/beast' "$tmp/tree" >&2
    exit 1
  fi
  echo "<$h>: $(grep -c '^\.' "$tmp/tree") headers, none of Beast"
done
