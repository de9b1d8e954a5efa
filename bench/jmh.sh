#!/usr/bin/env bash
# JMH micro-benchmarks (bench/src/main/java): builds the bench module, then runs JMH.
#   bench/jmh.sh                      every benchmark
#   bench/jmh.sh TokenCache -prof gc  a pattern and any JMH options (java -jar jmh.jar -h)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
JAVA_HOME=$("$root/scripts/java-home.sh")
export JAVA_HOME
cd "$root"
mvn -B -q -pl bench -am package -DskipTests >/dev/null
exec "$JAVA_HOME/bin/java" -cp "$root/bench/target/classes:$(cat "$root/bench/target/bench.classpath")" \
  org.openjdk.jmh.Main "$@"
