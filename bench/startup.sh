#!/usr/bin/env bash
# Must-show benchmark: the executable jar's size and `java -jar` start-up to ready, written into
# docs/benchmarks.md (its own section, between the bench:startup markers; the others are kept). Not part
# of ./mvnw verify.
#
#   bench/startup.sh                          builds target/snowhook.jar, 7 timed starts (median)
#   RUNS=9 bench/startup.sh
#   BASELINE=/path/to/older/snowhook.jar bench/startup.sh   the same starts of an older jar, alternated
#                                                           with the new one in the same run (A B A B)
#   JAR=/path/to/snowhook.jar bench/startup.sh              times that jar instead of building one
#
# Each start is `java -jar target/snowhook.jar` with no JVM option, on the embedded defaults (H2 ledger,
# DuckDB warehouse, Azurite storage) in a fresh data folder, so Flyway creates the ledger and DuckDB the
# warehouse every time (a first start; later starts only validate). "Ready" is the first 200 of the
# readiness probe on the management port (GET /actuator/health/readiness, polled every 20 ms) counted from
# the spawn of `java`; the time to Spring Boot's "Started … in N seconds" log line is reported beside it.
# One untimed start of each jar first warms the page cache. Azurite and snowhook run on free loopback ports,
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

rm -rf "$DATA"
mkdir -p "$DATA/logs"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
AZURITE_PORT=$(loopback_port 0)
say "Starting Azurite on 127.0.0.1:$AZURITE_PORT"
start_azurite "$DATA" "$AZURITE_PORT"

RESULTS="$DATA/results.jsonl"
: >"$RESULTS"
# time_start <label> <jar> <run number; 0 = warm-up, not recorded>
time_start() {
  local label=$1 jar=$2 run=$3 dir="$DATA/$1-$3" port management_port
  mkdir -p "$dir/logs"
  port=$(loopback_port 0)
  management_port=$(loopback_port 0)
  snowhook_args "$dir" "$port" "$management_port"
  local line
  line=$(node bench/startup-timer.mjs "http://127.0.0.1:$management_port/actuator/health/readiness" 300 \
    "$dir/logs/snowhook.console.log" -- java -jar "$jar" "${SNOWHOOK_ARGV[@]}") \
    || die "$label did not become ready; see $dir/logs/"
  printf '   %-8s run %d: %s\n' "$label" "$run" "$line"
  if [ "$run" -gt 0 ]; then
    printf '{"label":"%s","run":%d,"result":%s}\n' "$label" "$run" "$line" >>"$RESULTS"
  fi
  rm -rf "$dir/warehouse.duckdb" "$dir/stage" "$dir"/snowhook-ledger*
}

LABELS=(new)
JARS=("$SNOWHOOK_JAR")
if [ -n "$BASELINE" ]; then
  LABELS=(baseline new)
  JARS=("$BASELINE" "$SNOWHOOK_JAR")
fi
say "Timing $RUNS starts of each jar (after one warm-up start each)"
for run in $(seq 0 "$RUNS"); do
  for i in "${!JARS[@]}"; do
    time_start "${LABELS[$i]}" "${JARS[$i]}" "$run"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

say "Writing docs/benchmarks.md"
node bench/startup-report.mjs "$RESULTS" docs/benchmarks.md "$SNOWHOOK_JAR" "${BASELINE:-}" \
  "$LOAD_BEFORE" "$LOAD_AFTER" "$(java -version 2>&1 | head -1)"
