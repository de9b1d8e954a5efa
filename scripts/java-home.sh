#!/usr/bin/env bash
# Prints the path of a JDK >= 21: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
# Exits 1 with an explanation on stderr when there is none.
set -euo pipefail

major_of() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  echo "${v%%.*}"
}

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(major_of "$JAVA_HOME")" -ge 21 ]; then
  echo "$JAVA_HOME"; exit 0
fi
best=""; best_major=0
for d in /usr/lib/jvm/*/; do
  d=${d%/}
  [ -x "$d/bin/javac" ] || continue
  m=$(major_of "$d" 2>/dev/null || echo 0)
  if [ "${m:-0}" -gt "$best_major" ]; then best=$d; best_major=$m; fi
done
if [ "$best_major" -ge 21 ]; then echo "$best"; exit 0; fi
echo "secretless: no JDK >= 21 found (JAVA_HOME=${JAVA_HOME:-unset}, searched /usr/lib/jvm)." >&2
echo "secretless: install one, e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+, or set JAVA_HOME." >&2
exit 1
