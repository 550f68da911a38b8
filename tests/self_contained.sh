#!/usr/bin/env bash
# The repository carries everything its build, tests and scripts read: no
# tracked file outside the docs may refer to a folder beside the checkout
# (a user's clone has no such folder; CI's has one, which would hide it).
# Usage: tests/self_contained.sh <source dir>
set -euo pipefail
cd "$1"
# The pattern is split so that this script does not match itself.
beside='\.\./'"shared"
if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files -co --exclude-standard)
else
  files=$(find . -type f -not -path './build/*' -not -path './node_modules/*' -not -path './.git/*' | sed 's|^\./||')
fi
hits=$(printf '%s\n' "$files" | grep -vE '^(docs/|README\.md$|tests/data/|node_modules/|build/)' |
       while IFS= read -r f; do [ -f "$f" ] && grep -HnE "$beside" "$f" || true; done)
if [ -n "$hits" ]; then
  echo "files that read outside the repository:" >&2
  echo "$hits" >&2
  exit 1
fi
# And the data the tests need is here.
n=$(find tests/data/sigv4 -name '*.authz' | wc -l)
if [ "$n" -ne 34 ]; then
  echo "tests/data/sigv4 holds $n SigV4 cases, expected 34" >&2
  exit 1
fi
echo "self-contained: no reference outside the repository; 34 SigV4 cases present"
