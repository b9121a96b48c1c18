#!/usr/bin/env bash
# The Zipkin part of ./demo.sh --zipkin (run that: it builds the example server first). Starts on
# 127.0.0.1: Zipkin (port $ZIPKIN_PORT, default 9411), the Go guestbook (examples/go-server), the
# example server with --zipkin and --downstream; then the Node.js client makes one call inside an
# OpenTelemetry span exported to Zipkin (Node.js -> Java -> Go), and one the Go guestbook refuses,
# and the Go client checks the contract. Prints the URL of each trace, and keeps everything running
# until Enter is pressed (when run from a terminal).
set -euo pipefail
cd "$(dirname "$0")"
zipkin_port=${ZIPKIN_PORT:-9411}
zipkin_url=http://127.0.0.1:$zipkin_port
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Waits until file $1 has a line matching $2 (process $3 still alive); prints the first match.
await_line() {
  for _ in $(seq 1 300); do
    if grep -o -m1 -E "$2" "$1"; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || { cat "$1"; echo "process $3 ended" >&2; return 1; }
    sleep 0.2
  done
  cat "$1"
  echo "timed out waiting for '$2'" >&2
  return 1
}

echo "== Building the Go client and server: examples/go-build.sh"
./go-build.sh
if [ ! -d node-client/node_modules ]; then
  echo "== npm ci in examples/node-client"
  npm ci --prefix node-client --no-audit --no-fund >/dev/null
fi

echo "== Zipkin on $zipkin_url (java -jar examples/target/zipkin/zipkin-server.jar)"
java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar target/zipkin/zipkin-server.jar \
  "--armeria.ports[0].port=$zipkin_port" "--armeria.ports[0].ip=127.0.0.1" \
  "--armeria.ports[0].protocols[0]=http" --logging.level.root=WARN >"$tmp/zipkin.log" 2>&1 &
pids+=($!)
await_line "$tmp/zipkin.log" "Serving HTTP at /127.0.0.1:$zipkin_port" "${pids[-1]}" >/dev/null

target/go/bin/go-server --port 0 >"$tmp/go-server.log" 2>&1 &
pids+=($!)
go_port=$(await_line "$tmp/go-server.log" 'listening on 127\.0\.0\.1:[0-9]+' "${pids[-1]}" | cut -d: -f2)
echo "== Go guestbook on 127.0.0.1:$go_port (examples/target/go/bin/go-server --port 0)"

java -jar target/example-server.jar --port 0 --zipkin "$zipkin_url" \
  --downstream "127.0.0.1:$go_port" >"$tmp/server.log" 2>&1 &
pids+=($!)
port=$(await_line "$tmp/server.log" 'listening on 127\.0\.0\.1:[0-9]+' "${pids[-1]}" | cut -d: -f2)
echo "== Example server on 127.0.0.1:$port (java -jar examples/target/example-server.jar"
echo "   --zipkin $zipkin_url --downstream 127.0.0.1:$go_port)"
echo

echo "== node client.js --otel --zipkin $zipkin_url --name Node"
(cd node-client && node client.js --otel --zipkin "$zipkin_url" --name Node --target "127.0.0.1:$port") |
  tee "$tmp/node.log"
echo
echo "== node client.js --otel --zipkin $zipkin_url --name mallory (the Go guestbook refuses mallory)"
(cd node-client && node client.js --otel --zipkin "$zipkin_url" --name mallory --target "127.0.0.1:$port") |
  tee "$tmp/node-refused.log"
echo
echo "== examples/target/go/bin/go-client --target 127.0.0.1:$port (accept-language zh-CN)"
target/go/bin/go-client --target "127.0.0.1:$port"
sleep 1
echo
echo "== Go guestbook log (the trace id and the Java CLIENT span it received as parent)"
cat "$tmp/go-server.log"
echo
echo "== Example server log (the guestbook's refusal decoded by ErrorReport, then translated)"
grep -E 'guestbook|SayHello' "$tmp/server.log" | grep -v -E '^\s+at ' || true

trace=$(grep -o -m1 -E 'traceId=[0-9a-f]{32}' "$tmp/node.log" | cut -d= -f2)
refused=$(grep -o -m1 -E 'traceId=[0-9a-f]{32}' "$tmp/node-refused.log" | cut -d= -f2)
echo
echo "== The traces in Zipkin (Node.js CLIENT -> Java SERVER -> Java CLIENT to Go):"
echo "   $zipkin_url/zipkin/traces/$trace"
echo "   $zipkin_url/zipkin/traces/$refused   (the refused call: every span carries the error)"
echo "   JSON: $zipkin_url/api/v2/trace/$trace"
if [ -t 0 ]; then
  read -r -p "Press Enter to stop Zipkin and the servers. "
fi
