#!/usr/bin/env bash
# Runs `make demo` and fails when what it prints differs from the transcript in docs/demo.md
# (between the demo-output markers), or when the README's excerpt (between the demo-excerpt
# markers) is not a part of it: its lines must appear in the output in the same order ("..."
# lines stand for what the excerpt leaves out).
set -euo pipefail
cd "$(dirname "$0")/.."
actual=$(mktemp)
expected=$(mktemp)
excerpt=$(mktemp)
trap 'rm -f "$actual" "$expected" "$excerpt"' EXIT
make --no-print-directory demo > "$actual"
block() { sed -n "/<!-- $1:start -->/,/<!-- $1:end -->/p" "$2" | sed '1,2d;$d' | sed '$d'; }
block demo-output docs/demo.md > "$expected"
if ! diff -u "$expected" "$actual"; then
  echo "make demo no longer prints what docs/demo.md shows: update the transcript there." >&2
  exit 1
fi
block demo-excerpt README.md | grep -vx '\.\.\.' > "$excerpt"
if [ ! -s "$excerpt" ]; then
  echo "README.md has no demo excerpt between the demo-excerpt markers." >&2
  exit 1
fi
# Each excerpt line must match a later output line than the previous one did.
if ! awk 'NR == FNR { want[++n] = $0; next } i < n && $0 == want[i + 1] { i++ } END { exit i == n ? 0 : 1 }' \
    "$excerpt" "$actual"; then
  echo "README.md's demo excerpt is no longer a part of what make demo prints: update it." >&2
  exit 1
fi
echo "make demo output matches docs/demo.md, and README.md's excerpt is a part of it"
