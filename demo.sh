#!/usr/bin/env bash
# The JavaSips demo, one command: installs the pinned Azurite, builds snowhook, starts both on loopback
# with the embedded defaults (H2 load store, DuckDB warehouse, Azurite storage), uploads a generated day
# of factory files and posts their events exactly as an Argo Sensor would, waits until every load is
# final and prints statuses and row counts. Exits non-zero unless every load is LOADED.
#
#   ./demo.sh              leaves snowhook and Azurite running until Ctrl-C
#   ./demo.sh --no-keep    stops them at the end (CI)
#   FACTORIES=8 ROWS=2000 ./demo.sh   a bigger day
#
# Everything lives under ./data/demo (emptied at the start of each run); logs in ./data/demo/logs.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/lib.sh

KEEP=true
for arg in "$@"; do
  case "$arg" in
    --no-keep) KEEP=false ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown option $arg (try --help)" ;;
  esac
done

DATA="$ROOT/data/demo"
trap 'stop_children' EXIT
trap 'echo; say "Stopping"; exit 130' INT TERM

require_tools
npm_install
build_jar

rm -rf "$DATA"
mkdir -p "$DATA/logs"
AZURITE_PORT=$(loopback_port "${AZURITE_PORT:-10000}")
SNOWHOOK_PORT=$(loopback_port "${SNOWHOOK_PORT:-8080}")
MANAGEMENT_PORT=$(loopback_port "${MANAGEMENT_PORT:-8081}")

say "Starting Azurite on 127.0.0.1:$AZURITE_PORT"
start_azurite "$DATA" "$AZURITE_PORT"
say "Starting snowhook on 127.0.0.1:$SNOWHOOK_PORT (logs: data/demo/logs/snowhook.log)"
start_snowhook "$DATA" "$SNOWHOOK_PORT"

say "Uploading a day of JavaSips files and posting their events as an Argo Sensor would"
status=0
run_generator --factories "${FACTORIES:-4}" --days 1 --rows "${ROWS:-500}" --gzip-share 0.5 \
  --out "$DATA/generated" --upload --connection-string "$AZURITE_CONNECTION_STRING" \
  --post "$SNOWHOOK_URL" --wait "${WAIT_SECONDS:-180}" || status=$?

echo
if [ "$status" -eq 0 ]; then say "Demo complete: every load LOADED"; else say "Demo FAILED: not every load LOADED (exit $status)"; fi
cat <<INFO

  snowhook   $SNOWHOOK_URL        (curl $SNOWHOOK_URL/loads/summary)
  actuator   $SNOWHOOK_MANAGEMENT_URL        (curl $SNOWHOOK_MANAGEMENT_URL/actuator/health)
  Azurite    $AZURITE_ENDPOINT
  DuckDB     data/demo/warehouse.duckdb   (held by snowhook while it runs)
  logs       data/demo/logs/
INFO

if [ "$KEEP" = true ]; then
  say "snowhook keeps running; Ctrl-C stops it and Azurite"
  wait "$SNOWHOOK_PID" || true
fi
exit "$status"
