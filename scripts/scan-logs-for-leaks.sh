#!/usr/bin/env bash
# Netty buffer leaks: the tests run with io.netty.leakDetection.level=paranoid (parent pom), so every
# buffer garbage-collected without release() is logged as "LEAK:" with where it was made. Any such
# line in the Surefire/Failsafe output files fails the run; the file and the first frames are shown.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
outputs=("$root"/*/target/surefire-reports/*-output.txt "$root"/*/target/failsafe-reports/*-output.txt)
[ ${#outputs[@]} -gt 0 ] || exit 0
if hits=$(grep -l -- "LEAK: " "${outputs[@]}"); then
  for f in $hits; do
    echo "leak scan: buffer leak in ${f#"$root"/}:"
    grep -A30 -- "LEAK: " "$f" | grep -E 'io\.secretless' | head -n 5 | sed 's/^/  /'
  done
  exit 1
fi
echo "leak scan: ${#outputs[@]} log files, no Netty buffer leaks"
