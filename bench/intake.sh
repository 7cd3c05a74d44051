#!/usr/bin/env bash
# Must-show benchmark: durable intake against its floor. wrk posts, over 64 connections for 15 s, a NEW blob's
# BlobCreated event in every request, shaped exactly as an Argo Events Sensor posts the whole event
# (bench/intake/argo-events.lua), to
#   A: snowhook as shipped (each acknowledged event committed to the ledger before the 202; 4 workers loading
#      what comes in, against Azurite + DuckDB), with intake and operator tokens configured, and
#   B: a bare Spring MVC endpoint of the same Spring Boot (bench/intake/BareEndpoint.java), same JVM flags,
# both started here on free loopback ports, in rounds A B A B. Between runs the script waits until snowhook's
# workers have drained the queue, so neither side runs beside the other's work. The blobs do not exist in
# Azurite (the container does): each load is claimed, its download answers 404 and it is recorded FAILED.
# Figures, the median ratio and the machine go into docs/benchmarks.md (section bench:intake-<ledger>).
#
#   bench/intake.sh                       H2 file ledger (the embedded default)
#   bench/intake.sh --ledger postgres     PostgreSQL at 127.0.0.1:5432/test, a scratch schema dropped after
#   bench/intake.sh --profile             also one JFR-profiled run of snowhook, summarised in data/bench-intake-*/
#   DURATION=15s CONNECTIONS=64 THREADS=2 ROUNDS=2 JAVA_FLAGS=-Xmx1g bench/intake.sh
#   SKIP_BUILD=1 (use target/snowhook.jar as it is), EXTRA_ARGS="--snowhook.loads.workers=0" (snowhook options;
#   with no workers nothing is drained between runs: intake alone)
#
# Not part of ./mvnw verify. Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

LEDGER=h2
PROFILE=0
NO_DOC=0
while [ $# -gt 0 ]; do
  case $1 in
    --ledger) LEDGER=${2:?--ledger h2|postgres}; shift 2 ;;
    --profile) PROFILE=1; shift ;;
    --no-doc) NO_DOC=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case $LEDGER in h2|postgres) ;; *) die "--ledger must be h2 or postgres" ;; esac

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-10s}
JAVA_FLAGS=${JAVA_FLAGS:--Xmx1g}
PG_SERVER=${PG_SERVER:-jdbc:postgresql://127.0.0.1:5432/test}
# Tokens of this benchmark only (loopback), so the security chain checks a credential as in production.
INTAKE_TOKEN=bench-intake-token-0123456789
OPERATOR_TOKEN=bench-operator-token-0123456789
DATA="$ROOT/data/bench-intake-$LEDGER"
HERE="$ROOT/bench/intake"
PG_SCHEMA=""

cleanup() {
  stop_children
  if [ -n "$PG_SCHEMA" ]; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

require_tools
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install -y wrk)"
npm_install
if [ -n "${SKIP_BUILD:-}" ] && [ -f "$ROOT/target/snowhook.jar" ]; then
  SNOWHOOK_JAR="$ROOT/target/snowhook.jar"
else
  build_jar
fi

rm -rf "$DATA"
mkdir -p "$DATA/logs" "$DATA/results"

say "Compiling the bare endpoint against the libraries of snowhook's jar"
java -Djarmode=tools -jar "$SNOWHOOK_JAR" extract --destination "$DATA/extracted" >/dev/null
javac -proc:none -nowarn -cp "$DATA/extracted/lib/*" -d "$DATA/floor-classes" "$HERE/BareEndpoint.java"

AZURITE_PORT=$(loopback_port 0)
say "Starting Azurite on 127.0.0.1:$AZURITE_PORT"
start_azurite "$DATA" "$AZURITE_PORT"
node "$HERE/create-container.mjs" "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" "$AZURITE_KEY" factory-uploads \
  || die "could not create the container in Azurite"

LEDGER_DESC="H2 file (embedded default, WRITE_DELAY=0)"
if [ "$LEDGER" = postgres ]; then
  command -v psql >/dev/null || die "psql not found"
  PG_SCHEMA="bench_intake_$(date +%s)_$$"
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null || die "PostgreSQL unreachable"
  LEDGER_URL="$PG_SERVER?currentSchema=$PG_SCHEMA"
  LEDGER_DESC="PostgreSQL $(psql -tA -h 127.0.0.1 -U postgres -d test -c 'SHOW server_version' | cut -d' ' -f1) at 127.0.0.1:5432 (synchronous_commit=$(psql -tA -h 127.0.0.1 -U postgres -d test -c 'SHOW synchronous_commit'), fsync=$(psql -tA -h 127.0.0.1 -U postgres -d test -c 'SHOW fsync')), schema of its own"
  export LEDGER_URL
  SNOWHOOK_ARGS="--spring.datasource.username=postgres --spring.datasource.password= --spring.flyway.schemas=$PG_SCHEMA"
fi
SNOWHOOK_PORT=$(loopback_port 0)
MANAGEMENT_PORT=$(loopback_port 0)
SNOWHOOK_ARGS="${SNOWHOOK_ARGS:-} ${EXTRA_ARGS:-} --snowhook.security.intake-token=$INTAKE_TOKEN --snowhook.security.operator-token=$OPERATOR_TOKEN"
export SNOWHOOK_ARGS
say "Starting snowhook (A) on 127.0.0.1:$SNOWHOOK_PORT, ledger: $LEDGER_DESC"
# shellcheck disable=SC2086
start_snowhook "$DATA" "$SNOWHOOK_PORT" $JAVA_FLAGS
A_URL=$SNOWHOOK_URL
A_PID=$SNOWHOOK_PID

FLOOR_PORT=$(loopback_port 0)
say "Starting the bare endpoint (B) on 127.0.0.1:$FLOOR_PORT"
# shellcheck disable=SC2086
java $JAVA_FLAGS -cp "$DATA/floor-classes:$DATA/extracted/lib/*" BareEndpoint \
  --server.address=127.0.0.1 --server.port="$FLOOR_PORT" --spring.main.banner-mode=off \
  >"$DATA/logs/floor.log" 2>&1 &
B_PID=$!
CHILD_PIDS+=("$B_PID")
B_URL="http://127.0.0.1:$FLOOR_PORT"
node -e '
  const [url, pid] = process.argv.slice(1);
  const deadline = Date.now() + 120000;
  (async function poll() {
    while (Date.now() < deadline) {
      try { process.kill(+pid, 0); } catch { console.error("bare endpoint exited"); process.exit(1); }
      try { await fetch(url + "/events", { method: "POST", body: "{}" }); process.exit(0); } catch {}
      await new Promise((r) => setTimeout(r, 300));
    }
    process.exit(1);
  })();
' "$B_URL" "$B_PID" || die "the bare endpoint did not start; see $DATA/logs/floor.log"

# Waits until snowhook has no QUEUED or LOADING load; prints the seconds it took.
drain() {
  node "$HERE/drain.mjs" "$A_URL" "$OPERATOR_TOKEN" 600
}

# CPU time (user + system) a process has used so far, in milliseconds (/proc/<pid>/stat, clock ticks).
cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"
}

# run <label> <url> <duration> <server pid> — one wrk run; its RESULT line, with the CPU the server used per
# request during the run (and, for snowhook, until its workers drained the run's loads), goes to
# results/<label>.json
run() {
  local label=$1 url=$2 duration=$3 pid=$4 cpu_before azurite_before drained=""
  cpu_before=$(cpu_ms "$pid")
  azurite_before=$(cpu_ms "$AZURITE_PID")
  BENCH_URL_BASE="$AZURITE_ENDPOINT" BENCH_RUN="$(date +%s%N | cut -c1-13)$RANDOM" BENCH_TOKEN="$INTAKE_TOKEN" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 10s --latency -s "$HERE/argo-events.lua" "$url" \
    >"$DATA/results/$label.txt" 2>&1 || die "wrk failed; see $DATA/results/$label.txt"
  local cpu_run=$(($(cpu_ms "$pid") - cpu_before))
  if [ "$pid" = "$A_PID" ] && [[ "${EXTRA_ARGS:-}" != *"--snowhook.loads.workers=0"* ]]; then
    drained=$(drain)
  fi
  local cpu_all=$(($(cpu_ms "$pid") - cpu_before)) azurite=$(($(cpu_ms "$AZURITE_PID") - azurite_before))
  grep '^RESULT ' "$DATA/results/$label.txt" | sed 's/^RESULT //' >"$DATA/results/$label.raw.json"
  node -e '
    const fs = require("fs");
    const [file, label, cpuRun, cpuAll, azurite, drained] = process.argv.slice(1);
    const r = JSON.parse(fs.readFileSync(file + ".raw.json", "utf8"));
    r.cpu_ms_per_request = Number(cpuRun) / r.requests;
    r.cpu_ms_per_request_with_loads = Number(cpuAll) / r.requests;
    r.azurite_cpu_ms_per_request = Number(azurite) / r.requests;
    r.drain_s = drained === "" ? null : Number(drained);
    fs.writeFileSync(file + ".json", JSON.stringify(r));
    console.log(`    ${label.padEnd(12)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50_ms.toFixed(1)} ms  p99 ${r.p99_ms.toFixed(1)} ms  non-2xx ${r.non2xx}  socket errors ${r.socket_errors}  CPU/request ${r.cpu_ms_per_request.toFixed(2)} ms` + (drained === "" ? "" : ` (${r.cpu_ms_per_request_with_loads.toFixed(2)} ms with its load, drained in ${drained} s)`));
  ' "$DATA/results/$label" "$label" "$cpu_run" "$cpu_all" "$azurite" "$drained"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M')
say "Warm-up: $WARMUP each (not counted)"
run warmup-A "$A_URL" "$WARMUP" "$A_PID"
run warmup-B "$B_URL" "$WARMUP" "$B_PID"
for round in $(seq 1 "$ROUNDS"); do
  say "Round $round: A (snowhook) then B (bare endpoint), $DURATION each, $CONNECTIONS connections"
  printf '%s\n' "load average before A$round: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$DATA/results/uptime.txt"
  run "A$round" "$A_URL" "$DURATION" "$A_PID"
  printf '%s\n' "load average before B$round: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$DATA/results/uptime.txt"
  run "B$round" "$B_URL" "$DURATION" "$B_PID"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$PROFILE" = 1 ]; then
  say "Profiled run of snowhook (JFR, settings=profile), $DURATION"
  jcmd "$A_PID" JFR.start name=intake settings=profile filename="$DATA/intake.jfr" >/dev/null
  run profiled-A "$A_URL" "$DURATION" "$A_PID"
  jcmd "$A_PID" JFR.stop name=intake >/dev/null
  java "$HERE/JfrTop.java" "$DATA/intake.jfr" "$SNOWHOOK_PORT" >"$DATA/profile.txt"
  say "Profile summary in $DATA/profile.txt (recording: $DATA/intake.jfr)"
fi

STATUSES=$(curl -s -H "Authorization: Bearer $OPERATOR_TOKEN" "$A_URL/loads/summary" || echo '{}')
# requests acknowledged per ledger commit (the group commit's summary), over the whole run, warm-up included
COMMIT_GROUPS=$(curl -s -H "Authorization: Bearer $OPERATOR_TOKEN" "$SNOWHOOK_MANAGEMENT_URL/actuator/prometheus" \
  | awk '/^snowhook_ledger_commit_group_requests_count/ { n = $2 } /^snowhook_ledger_commit_group_requests_sum/ { s = $2 }
         /^snowhook_ledger_commit_group_requests_max/ { m = $2 }
         END { if (n > 0) printf "%.1f on average over %d commits (largest in the last minutes: %d)", s / n, n, m }')
JAVA_VERSION=$( (java -version 2>&1 || true) | sed -n '1s/"//gp')
WRK_VERSION=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')
CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MACHINE="$(nproc) CPUs ($CPU_MODEL), $(awk '/^MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB RAM, $JAVA_VERSION, wrk $WRK_VERSION; load average (1/5/15 min) $LOAD_BEFORE before, $LOAD_AFTER after"
node "$HERE/report.mjs" \
  --results "$DATA/results" --rounds "$ROUNDS" --ledger "$LEDGER" --ledger-desc "$LEDGER_DESC" \
  --started "$START UTC" --machine "$MACHINE" --duration "$DURATION" --connections "$CONNECTIONS" \
  --threads "$THREADS" --java-flags "$JAVA_FLAGS" --statuses "$STATUSES" --commit-groups "${COMMIT_GROUPS:-}" \
  --doc "$([ "$NO_DOC" = 1 ] && echo "" || echo "$ROOT/docs/benchmarks.md")"
