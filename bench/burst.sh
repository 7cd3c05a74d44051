#!/usr/bin/env bash
# Must-show benchmark of batching: the end-of-day burst (200 factories × an inventory and an orders file, 300 rows
# each: 400 files, 120,000 rows) on the embedded defaults, with batching as shipped and with
# snowhook.loads.batch.max-files=1 side by side, rounds A B A B on the same blobs. Per round, on a fresh ledger and
# warehouse: the jar runs intake only while all 400 events are posted, stops, starts with workers and drains; then
# 200 + 50 small files go one at a time (event → LOADED latency of the last 50); after it stops, every blob's rows
# are checked in the DuckDB file against the generator; each round also measures its floor (the downloads alone,
# DuckDB alone). Writes drain time, files/s, statements and single-file p50/p99 into docs/benchmarks.md, its own
# section between <!-- bench:burst:… --> markers. Not part of ./mvnw verify.
#
#   bench/burst.sh
#   ROUNDS=2 FACTORIES=50 bench/burst.sh
#   CHANGES='…' bench/burst.sh    names uncommitted changes in the figures' build label
#
# Starts its own Azurite (and the jar, twice per round) on free loopback ports, everything under
# ./data/bench-burst (emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DATA="$ROOT/data/bench-burst"
trap 'stop_children' EXIT

bench_setup "$DATA"
AZURITE_PORT=$(loopback_port 0)
say "Starting Azurite on 127.0.0.1:$AZURITE_PORT"
start_azurite "$DATA" "$AZURITE_PORT"

say "The burst, ${ROUNDS:-4} rounds (batches, one file per statement, …)"
(cd "$ROOT" && ./mvnw -B -q -Dskip.npm exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.snowhook.demo.BurstBenchmark \
  -Dexec.args="--jar $SNOWHOOK_JAR --azurite-endpoint $AZURITE_ENDPOINT --connection-string $AZURITE_CONNECTION_STRING --data $DATA --doc docs/benchmarks.md --rounds ${ROUNDS:-4} --factories ${FACTORIES:-200} --rows ${ROWS:-300} --singles ${SINGLES:-50} --warmup ${WARMUP:-200} --uptime-before '$UPTIME_BEFORE' --label '$LABEL'")

say "Figures written to docs/benchmarks.md"
