#!/usr/bin/env bash
# The demo: builds what it needs, starts the example server (full chain) on a free port of
# 127.0.0.1, runs the Java client against it, then shows the server's log lines (each with the
# call's trace id and locale) and stops the server.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q -pl examples -am package -DskipTests
jar=examples/target/example-server.jar
log=$(mktemp)
java -jar "$jar" --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | cut -d: -f2 || true)
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "example server did not start" >&2; exit 1; }
  sleep 0.2
done
[ -n "$port" ] || { cat "$log"; echo "example server did not report its port" >&2; exit 1; }
echo "example server on 127.0.0.1:$port (java -jar $jar --port $port)"
java -cp "$jar" io.github.grpcmiddleware.examples.ExampleClient --target "127.0.0.1:$port"
sleep 0.5
echo
echo "== Server log (trace id and locale on every line; stack traces stay on the server)"
grep -v -E '^\s+at |^\s+\.\.\. [0-9]+ more' "$log"
