#!/usr/bin/env bash
# Builds the examples and runs the trace id demo: a server and a client on 127.0.0.1 whose log
# lines all carry the call's trace id.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B -q -pl examples -am package -DskipTests
exec java -cp examples/target/example-server.jar io.github.grpcmiddleware.examples.TraceDemo
