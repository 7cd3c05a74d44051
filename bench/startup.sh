#!/usr/bin/env bash
# Must-show benchmark: the executable jar's size and its start-up to ready two ways, `java -jar` and the
# fast layout of scripts/cds.sh (extracted jar + CDS archive), alternated in the same run (jar, CDS, jar,
# CDS…), written into docs/benchmarks.md (its own section, between the bench:startup markers; the others
# are kept). Not part of ./mvnw verify. Other benchmarks share the machine: run it as
# `flock /work/.bench.lock bench/startup.sh` where they do.
#
#   bench/startup.sh                          builds target/snowhook.jar and target/app (scripts/cds.sh),
#                                             7 timed starts of each (median)
#   RUNS=9 bench/startup.sh
#   BASELINE=/path/to/older/snowhook.jar bench/startup.sh   the same starts of an older jar, alternated
#                                                           with the new one in the same run (A B A B)
#   JAR=/path/to/snowhook.jar bench/startup.sh              times that jar instead of building one (its
#                                                           CDS layout goes to data/bench-startup-app)
#
# Each start is `java -jar target/snowhook.jar` with no JVM option (label jar), or
# `java -XX:SharedArchiveFile=target/app/snowhook.jsa -jar target/app/snowhook.jar` (label cds), on the embedded defaults (H2 ledger,
# DuckDB warehouse, Azurite storage) in a fresh data folder, so Flyway creates the ledger and DuckDB the
# warehouse every time (a first start; later starts only validate). "Ready" is the first 200 of the
# readiness probe on the management port (GET /actuator/health/readiness, polled every 20 ms) counted from
# the spawn of `java`; the time to Spring Boot's "Started … in N seconds" log line is reported beside it.
# One untimed start of each first warms the page cache. Azurite and snowhook run on free loopback ports,
# files under ./data/bench-startup (emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

RUNS=${RUNS:-7}
BASELINE=${BASELINE:-}
DATA="$ROOT/data/bench-startup"
trap 'stop_children' EXIT

require_tools
npm_install
if [ -n "${JAR:-}" ]; then
  SNOWHOOK_JAR=$JAR
  [ -f "$SNOWHOOK_JAR" ] || die "JAR=$JAR is not a file"
else
  build_jar
fi
[ -z "$BASELINE" ] || [ -f "$BASELINE" ] || die "BASELINE=$BASELINE is not a file"
if [ -n "${JAR:-}" ]; then
  CDS_APP="$ROOT/data/bench-startup-app"
else
  CDS_APP="$ROOT/target/app"
fi
scripts/cds.sh "$SNOWHOOK_JAR" "$CDS_APP" || die "scripts/cds.sh failed"

rm -rf "$DATA"
mkdir -p "$DATA/logs"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
AZURITE_PORT=$(loopback_port 0)
say "Starting Azurite on 127.0.0.1:$AZURITE_PORT"
start_azurite "$DATA" "$AZURITE_PORT"

RESULTS="$DATA/results.jsonl"
: >"$RESULTS"
# time_start <label> <run number; 0 = warm-up, not recorded> <java options and -jar …>
time_start() {
  local label=$1 run=$2 dir="$DATA/$1-$2" port management_port
  shift 2
  mkdir -p "$dir/logs"
  port=$(loopback_port 0)
  management_port=$(loopback_port 0)
  snowhook_args "$dir" "$port" "$management_port"
  local line
  line=$(node bench/startup-timer.mjs "http://127.0.0.1:$management_port/actuator/health/readiness" 300 \
    "$dir/logs/snowhook.console.log" -- java "$@" "${SNOWHOOK_ARGV[@]}") \
    || die "$label did not become ready; see $dir/logs/"
  printf '   %-8s run %d: %s\n' "$label" "$run" "$line"
  if [ "$run" -gt 0 ]; then
    printf '{"label":"%s","run":%d,"result":%s}\n' "$label" "$run" "$line" >>"$RESULTS"
  fi
  rm -rf "$dir/warehouse.duckdb" "$dir/stage" "$dir"/snowhook-ledger*
}

say "Timing $RUNS starts of each (after one warm-up start each), alternated"
for run in $(seq 0 "$RUNS"); do
  [ -z "$BASELINE" ] || time_start baseline "$run" -jar "$BASELINE"
  time_start jar "$run" -jar "$SNOWHOOK_JAR"
  time_start cds "$run" -XX:SharedArchiveFile="$CDS_APP/snowhook.jsa" -jar "$CDS_APP/snowhook.jar"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

say "Writing docs/benchmarks.md"
node bench/startup-report.mjs "$RESULTS" docs/benchmarks.md "$SNOWHOOK_JAR" "${BASELINE:-}" \
  "$LOAD_BEFORE" "$LOAD_AFTER" "$(java -version 2>&1 | head -1)" "$CDS_APP"
