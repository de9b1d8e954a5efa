#!/usr/bin/env bash
# Scans everything the test suite logged (Surefire/Failsafe output files) for the secret values the
# tests used: the passwords of the test servers (SECRETLESS_IT_*PASSWORD*, *SECRET*) and every
# canary string written as Canary-... in the test sources. Exit 1 and name the file on any hit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
outputs=("$root"/*/target/surefire-reports/*-output.txt "$root"/*/target/failsafe-reports/*-output.txt)
[ ${#outputs[@]} -gt 0 ] || { echo "secret scan: no test output to scan"; exit 0; }

canaries=()
while IFS='=' read -r name value; do
  case "$name" in SECRETLESS_IT_*PASSWORD*|SECRETLESS_IT_*SECRET*) [ -n "$value" ] && canaries+=("$value") ;; esac
done < <(env)
while read -r c; do canaries+=("$c"); done < <(
  grep -rhoE '[A-Za-z0-9]*-?Canary-[A-Za-z0-9-]{4,}' "$root"/*/src/test 2>/dev/null | sort -u)

found=0
for c in "${canaries[@]}"; do
  if hits=$(grep -lF -- "$c" "${outputs[@]}"); then
    echo "secret scan: the secret '${c:0:6}...' appears in:"; echo "$hits" | sed 's/^/  /'
    found=1
  fi
done
echo "secret scan: ${#canaries[@]} canary values, ${#outputs[@]} log files, $([ $found = 0 ] && echo clean || echo LEAKS FOUND)"
exit $found
