#!/usr/bin/env bash
# Builds the benchmark jar and runs this product side by side with QuestDB embedded and RocksDB
# (one key per sample) on the standard dataset; writes compare.md and compare.json.
#
#   historian-bench/compare.sh                                  # 10M samples into target/compare
#   historian-bench/compare.sh --samples 100000000 --out target/compare-100m
#   SKIP_BUILD=1 historian-bench/compare.sh --samples 1000000   # reuse the built jar
#
# Every option is passed to io.historian.bench.Compare (see its Javadoc): --samples, --tags,
# --batch, --engines, --out, --work, --warmup, --warm-reads, --reads. JAVA_OPTS overrides the heap.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${SKIP_BUILD:-}" ]]; then
  mvn -q -o -pl historian-bench -am package -DskipTests
fi

# Chronicle Queue (the journal) needs these on JDK 17; the historian refuses to open without them.
FLAGS=(--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
       --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
       --add-opens=java.base/java.lang=ALL-UNNAMED
       --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
       --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
       -Dchronicle.analytics.disable=true)

args=("$@")
[[ " $* " == *" --out "* ]] || args+=(--out target/compare)

# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--Xms4g -Xmx4g} "${FLAGS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp historian-bench/target/benchmarks.jar io.historian.bench.Compare "${args[@]}"
