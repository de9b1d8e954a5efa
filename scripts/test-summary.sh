#!/usr/bin/env bash
# Adds up the Surefire and Failsafe XML reports of every module into one closing line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
tests=0; failures=0; errors=0; skipped=0
for f in "$root"/*/target/surefire-reports/TEST-*.xml "$root"/*/target/failsafe-reports/TEST-*.xml; do
  line=$(grep -m1 -o '<testsuite [^>]*>' "$f" || true)
  for k in tests failures errors skipped; do
    v=$(sed -n "s/.* $k=\"\([0-9]*\)\".*/\1/p" <<<"$line"); v=${v:-0}
    eval "$k=\$(( $k + v ))"
  done
done
failed=$((failures + errors))
echo "tests: $((tests - failed - skipped)) passed, $failed failed, $skipped skipped"
