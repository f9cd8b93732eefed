#!/usr/bin/env bash
# Runs `make demo` and fails when what it prints differs from the output pasted in README.md's
# quick start (between the demo-output markers).
set -euo pipefail
cd "$(dirname "$0")/.."
actual=$(mktemp)
expected=$(mktemp)
trap 'rm -f "$actual" "$expected"' EXIT
make --no-print-directory demo > "$actual"
sed -n '/<!-- demo-output:start -->/,/<!-- demo-output:end -->/p' README.md | sed '1,2d;$d' | sed '$d' > "$expected"
if ! diff -u "$expected" "$actual"; then
  echo "make demo no longer prints what README.md shows: update the quick start." >&2
  exit 1
fi
echo "make demo output matches README.md"
