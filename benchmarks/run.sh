#!/usr/bin/env bash
# Builds the benchmarks jar, runs JMH with the GC profiler and writes
# benchmarks/results/jmh.json, then docs/benchmarks.md's tables and docs/benchmarks.svg.
#
#   benchmarks/run.sh                      # everything, at the settings of docs/benchmarks.md
#   FORKS=1 WI=1 I=1 W=1s R=1s benchmarks/run.sh UnaryBenchmark   # a quick look at one class
#
# Environment (defaults: 3 forks, 5 x 3 s warm-up, 5 x 3 s measurement, as this 2-core machine
# needs): FORKS, WI (warm-up iterations), W (warm-up time), I (iterations), R (iteration time),
# OUT (JSON file), SKIP_BUILD=1 (reuse the jar), NO_REPORT=1 (JSON only).
# Arguments are passed to JMH: benchmark regexps, -p stack=bare,chain, -prof jfr, ...
set -euo pipefail
cd "$(dirname "$0")/.."

FORKS=${FORKS:-3}
WI=${WI:-5}
W=${W:-3s}
I=${I:-5}
R=${R:-3s}
OUT=${OUT:-benchmarks/results/jmh.json}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
mkdir -p "$(dirname "$OUT")"
java -jar benchmarks/target/benchmarks.jar \
  -f "$FORKS" -wi "$WI" -w "$W" -i "$I" -r "$R" \
  -prof gc -rf json -rff "$OUT" "$@"
if [[ "${NO_REPORT:-0}" != 1 ]]; then
  python3 benchmarks/report.py "$OUT" docs/benchmarks.md docs/benchmarks.svg
fi
