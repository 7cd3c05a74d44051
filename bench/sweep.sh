#!/usr/bin/env bash
# Must-show benchmark: sweeps a container of 20,000 routed blobs in Azurite, first with every version
# missing from the ledger, then with nothing missing, and writes the sweep times and the JDBC statements
# the sweeper issued into docs/benchmarks.md (its own section; the others are kept). Not part of
# ./mvnw verify.
#
#   bench/sweep.sh                                   20,000 blobs, H2 file ledger
#   BLOBS=5000 PAGE_SIZE=500 bench/sweep.sh
#   POSTGRES=jdbc:postgresql://127.0.0.1:5432/test bench/sweep.sh   the PostgreSQL ledger (own schema)
#
# Azurite (the repository's pinned npm package) and snowhook run on free loopback ports, files under a
# temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

BLOBS=${BLOBS:-20000}
PAGE_SIZE=${PAGE_SIZE:-1000}
ARGS="--blobs $BLOBS --page-size $PAGE_SIZE --doc docs/benchmarks.md"
if [[ -n "${POSTGRES:-}" ]]; then
  ARGS="$ARGS --postgres $POSTGRES"
fi

./mvnw -B -q test-compile
./mvnw -B -q -Dskip.npm exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.snowhook.demo.SweepBenchmark -Dexec.args="$ARGS"
