#!/usr/bin/env bash
# Builds the benchmarks jar, runs JMH with the GC profiler, then writes docs/benchmarks.md's
# tables and docs/benchmarks.svg from the JSON results.
#
#   benchmarks/run.sh              # everything, at the settings below
#   FORKS=1 WI=1 W=1s I=1 R=1s benchmarks/run.sh UnaryBenchmark -p stack=bare,chain   # a quick look
#
# Without arguments, three JMH runs: the in-process calls (unary, error path, streaming) into
# benchmarks/results/jmh.json and Netty into benchmarks/results/jmh-netty.json, both with
# FORKS x (WI x W warm-up, I x R measurement), defaults 3 x (5 x 3 s, 5 x 3 s) as this 2-core
# machine needs; and Accept-Language resolution, which warms up
# in a second, with FORKS x (AL_WI x AL_W, AL_I x AL_R), defaults 5 x 1 s each, into
# benchmarks/results/jmh-accept-language.json. With arguments (benchmark regexps, -p, -prof ...),
# one run with those arguments into OUT (default benchmarks/results/jmh.json).
# SKIP_BUILD=1 reuses the jar; NO_REPORT=1 writes the JSON only.
set -euo pipefail
cd "$(dirname "$0")/.."

FORKS=${FORKS:-3}
WI=${WI:-5}
W=${W:-3s}
I=${I:-5}
R=${R:-3s}
AL_WI=${AL_WI:-5}
AL_W=${AL_W:-1s}
AL_I=${AL_I:-5}
AL_R=${AL_R:-1s}
RESULTS=benchmarks/results
OUT=${OUT:-$RESULTS/jmh.json}
AL_OUT=$RESULTS/jmh-accept-language.json
NETTY_OUT=$RESULTS/jmh-netty.json

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
mkdir -p "$(dirname "$OUT")"
jmh() {
  java -jar benchmarks/target/benchmarks.jar -prof gc -rf json "$@"
}
if [[ $# -gt 0 ]]; then
  jmh -rff "$OUT" -f "$FORKS" -wi "$WI" -w "$W" -i "$I" -r "$R" "$@"
  inputs=("$OUT")
else
  jmh -rff "$OUT" -f "$FORKS" -wi "$WI" -w "$W" -i "$I" -r "$R" 'Unary|ErrorPath|Streaming'
  jmh -rff "$NETTY_OUT" -f "$FORKS" -wi "$WI" -w "$W" -i "$I" -r "$R" Netty
  jmh -rff "$AL_OUT" -f "$FORKS" -wi "$AL_WI" -w "$AL_W" -i "$AL_I" -r "$AL_R" AcceptLanguage
  inputs=("$OUT" "$NETTY_OUT" "$AL_OUT")
fi
if [[ "${NO_REPORT:-0}" != 1 ]]; then
  python3 benchmarks/report.py "${inputs[@]}" docs/benchmarks.md docs/benchmarks.svg
fi
