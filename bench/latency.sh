#!/usr/bin/env bash
# Must-show benchmark: single-file latency. Small JavaSips files, one at a time, through the jar on the
# embedded defaults (H2 ledger, DuckDB, Azurite): each uploaded, its event posted as the Argo Sensor posts it,
# the next only after the previous is LOADED. Writes event → LOADED p50/p99 (the server's receivedAt →
# finishedAt) and where the milliseconds go (the snowhook.load.phase timers) into docs/benchmarks.md, its own
# section between <!-- bench:latency:… --> markers. Not part of ./mvnw verify.
#
#   bench/latency.sh                       100 files of 100 rows after 200 warm-up files (a running service is warm)
#   FILES=200 ROWS=1000 bench/latency.sh
#   SNOWHOOK_ARGS='--snowhook.loads.poll-interval=5s' bench/latency.sh   any extra snowhook option
#   CHANGES='per-phase timers' bench/latency.sh   names uncommitted changes in the figures' build label
#
# Starts its own Azurite and snowhook on free loopback ports, everything under ./data/bench-latency (emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

FILES=${FILES:-100}
WARMUP=${WARMUP:-200}
ROWS=${ROWS:-100}
DATA="$ROOT/data/bench-latency"
trap 'stop_children' EXIT

bench_setup "$DATA"
AZURITE_PORT=$(loopback_port 0)
SNOWHOOK_PORT=$(loopback_port 0)
MANAGEMENT_PORT=$(loopback_port 0)
say "Starting Azurite on 127.0.0.1:$AZURITE_PORT"
start_azurite "$DATA" "$AZURITE_PORT"
say "Starting snowhook on 127.0.0.1:$SNOWHOOK_PORT"
start_snowhook "$DATA" "$SNOWHOOK_PORT" ${JAVA_OPTS:-}

[ -n "${SNOWHOOK_ARGS:-}" ] && LABEL="$LABEL, options \`${SNOWHOOK_ARGS}\`"

say "Loading $FILES small files one at a time"
(cd "$ROOT" && ./mvnw -B -q -Dskip.npm exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.snowhook.demo.LatencyBenchmark \
  -Dexec.args="--files $FILES --warmup $WARMUP --rows $ROWS --snowhook $SNOWHOOK_URL --management $SNOWHOOK_MANAGEMENT_URL --connection-string $AZURITE_CONNECTION_STRING --out $DATA/generated --doc docs/benchmarks.md --uptime-before '$UPTIME_BEFORE' --label '$LABEL'")

say "Figures written to docs/benchmarks.md"
