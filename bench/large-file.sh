#!/usr/bin/env bash
# Must-show benchmark: loads one CSV larger than snowhook's JVM heap through the running service and
# writes throughput, wall time and peak memory into docs/benchmarks.md, next to the time DuckDB itself
# takes to read the same local file (the floor). Not part of ./mvnw verify.
#
#   bench/large-file.sh                   1 GiB CSV, snowhook at -Xmx256m
#   SIZE=256MiB XMX=128m bench/large-file.sh
#   INSERT_ALONE=true bench/large-file.sh  also times the service's INSERT alone on the local file
#
# Starts its own Azurite and snowhook on free loopback ports, everything under ./data/bench (emptied
# first; the generated file is removed at the end). Needs ~3x SIZE of free disk.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SIZE=${SIZE:-1GiB}
XMX=${XMX:-256m}
DATA="$ROOT/data/bench"
trap 'stop_children' EXIT

require_tools
npm_install
build_jar

rm -rf "$DATA"
mkdir -p "$DATA/logs"
AZURITE_PORT=$(loopback_port 0)
SNOWHOOK_PORT=$(loopback_port 0)
MANAGEMENT_PORT=$(loopback_port 0)
say "Starting Azurite on 127.0.0.1:$AZURITE_PORT"
start_azurite "$DATA" "$AZURITE_PORT"
say "Starting snowhook on 127.0.0.1:$SNOWHOOK_PORT with -Xmx$XMX"
# JAVA_OPTS: extra JVM options for diagnosis only (e.g. -XX:NativeMemoryTracking=summary); the figures are
# meant with none, the service's defaults.
# shellcheck disable=SC2086
start_snowhook "$DATA" "$SNOWHOOK_PORT" "-Xmx$XMX" ${JAVA_OPTS:-}

say "Loading a $SIZE CSV through snowhook"
(cd "$ROOT" && ./mvnw -B -q -Dskip.npm exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.snowhook.demo.LargeFileBenchmark \
  -Dexec.args="--size $SIZE --xmx $XMX --snowhook $SNOWHOOK_URL --management $SNOWHOOK_MANAGEMENT_URL --pid $SNOWHOOK_PID --connection-string $AZURITE_CONNECTION_STRING --out $DATA/generated --doc docs/benchmarks.md --insert-alone ${INSERT_ALONE:-false}")

rm -rf "$DATA/generated"
say "Figures written to docs/benchmarks.md"
