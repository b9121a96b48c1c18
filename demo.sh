#!/usr/bin/env bash
# The demo: builds what it needs, starts the example server (full chain) on a free port of
# 127.0.0.1, runs the Java client against it, then shows the server's log lines (each line of a
# call with its trace id) and stops the server. Progress shows within a second.
# ./demo.sh --zipkin instead shows one trace across Node.js, Java and Go in a real Zipkin
# (examples/demo-zipkin.sh; needs Debian's Go packages, see docs/tracing.md).
set -euo pipefail
cd "$(dirname "$0")"
zipkin=false
case "${1:-}" in
  --zipkin) zipkin=true ;;
  "") ;;
  *) echo "usage: ./demo.sh [--zipkin]" >&2; exit 2 ;;
esac
build_log=$(mktemp)
log=$(mktemp)
server=""
ticker=""
progress=""
cleanup() {
  if [ -n "$ticker" ]; then
    kill "$ticker" 2>/dev/null || true
  fi
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -f "$log" "$build_log" "$progress"
}
trap cleanup EXIT

echo "== Building the example server: ./mvnw -B -pl examples -am package -DskipTests"
echo "   (about 15 s once Maven and the dependencies are in ~/.m2; a Maven that has not run for a"
echo "   while may first spend half a minute resolving plugins and dependencies, and the very first"
echo "   build downloads them and takes about 2-3 minutes, more on a slow network)"
start=$SECONDS
# Error Prone, Javadoc and sources jars are for the real build; the demo needs only the jar.
# Progress: one line per module, a count of downloads every 100 files, and while Maven prints
# nothing of that (starting, resolving), a line every 5 s so the demo never looks stuck.
progress=$(mktemp)
(
  while sleep 1; do
    if [ $(($(date +%s) - $(stat -c %Y "$progress" 2>/dev/null || date +%s))) -ge 5 ]; then
      echo "   ... still building ($((SECONDS - start)) s)"
      touch "$progress"
    fi
  done
) &
ticker=$!
if ! ./mvnw -B -pl examples -am package -DskipTests -P '!errorprone' \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true 2>&1 | tee "$build_log" | awk -v progress="$progress" '
      function shown() { fflush(); system("touch " progress) }
      /^\[INFO\] Building grpc-middleware/ { sub(/^\[INFO\] /, ""); print "   " $0; shown() }
      /Downloaded from/ { if (++n % 100 == 0) { print "   ... " n " files downloaded"; shown() } }
      /^\[ERROR\]/ { print; shown() }'; then
  kill "$ticker" 2>/dev/null || true
  echo "The build failed; its last lines:" >&2
  tail -n 40 "$build_log" >&2
  exit 1
fi
kill "$ticker" 2>/dev/null || true
wait "$ticker" 2>/dev/null || true
ticker=""
echo "   built in $((SECONDS - start)) s"
echo
if [ "$zipkin" = true ]; then
  examples/demo-zipkin.sh
  exit 0
fi

jar=examples/target/example-server.jar
java -jar "$jar" --port 0 >"$log" 2>&1 &
server=$!
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
echo "== Server log (every line of a call carries its trace id, the service's own lines also the"
echo "   caller's locale; one access line per call; stack traces stay on the server)"
grep -v -E '^\s+at |^\s+\.\.\. [0-9]+ more' "$log"
