# Shared by ./demo.sh and bench/*.sh: start Azurite and snowhook on loopback, wait for them, stop them.
# Needs only Java 17+, Node.js 20+ with npm, and the Maven wrapper. Source it from the repository root.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AZURITE_ACCOUNT=devstoreaccount1
# Azurite's published development key, not a secret.
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
CHILD_PIDS=()

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_tools() {
  command -v java >/dev/null || die "java not found (Java 17+ is required)"
  command -v node >/dev/null || die "node not found (Node.js 20+ with npm is required)"
  command -v npm >/dev/null || die "npm not found (Node.js 20+ with npm is required)"
}

# A port on 127.0.0.1: the preferred one when it is free, otherwise any free one.
loopback_port() {
  node -e '
    const net = require("net");
    const tryListen = (port) => new Promise((ok) => {
      const s = net.createServer();
      s.once("error", () => ok(null));
      s.listen(port, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); });
    });
    (async () => console.log((await tryListen(+process.argv[1])) ?? (await tryListen(0))))();
  ' "$1"
}

# Waits until GET url answers 200; fails after $2 seconds or when process $3 has exited.
wait_http_ok() {
  local url=$1 timeout=$2 pid=$3
  node -e '
    const [url, timeout, pid] = process.argv.slice(1);
    const deadline = Date.now() + timeout * 1000;
    const alive = () => { try { process.kill(+pid, 0); return true; } catch { return false; } };
    (async function poll() {
      while (Date.now() < deadline) {
        if (!alive()) { console.error(`process ${pid} exited`); process.exit(1); }
        try { const r = await fetch(url); if (r.status === 200) process.exit(0); } catch {}
        await new Promise((r) => setTimeout(r, 500));
      }
      console.error(`${url} did not answer 200 within ${timeout} s`); process.exit(1);
    })();
  ' "$url" "$timeout" "$pid"
}

npm_install() {
  say "Installing the pinned Azurite (npm ci, skipped when node_modules is current)"
  (cd "$ROOT" && node build-tools/npm-ci-if-stale.mjs) || die "npm ci failed"
}

build_jar() {
  say "Building snowhook (tests skipped)"
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -Dskip.npm -Dspotless.check.skip=true package) || die "build failed"
  SNOWHOOK_JAR="$ROOT/target/snowhook.jar"
  [ -f "$SNOWHOOK_JAR" ] || die "no jar in target/"
}

# start_azurite <data dir> <port>
start_azurite() {
  local dir=$1 port=$2
  mkdir -p "$dir/azurite" "$dir/logs"
  node "$ROOT/node_modules/azurite/dist/src/blob/main.js" \
    --blobHost 127.0.0.1 --blobPort "$port" --location "$dir/azurite" \
    --skipApiVersionCheck --loose --disableTelemetry --disableProductStyleUrl \
    >"$dir/logs/azurite.log" 2>&1 &
  AZURITE_PID=$!
  CHILD_PIDS+=("$AZURITE_PID")
  AZURITE_ENDPOINT="http://127.0.0.1:$port/$AZURITE_ACCOUNT"
  AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$AZURITE_ACCOUNT;AccountKey=$AZURITE_KEY;BlobEndpoint=$AZURITE_ENDPOINT;"
  # Any HTTP answer means Azurite serves; an unsigned list request answers 403, hence the custom probe.
  node -e '
    const [url, pid] = process.argv.slice(1);
    const deadline = Date.now() + 60000;
    (async function poll() {
      while (Date.now() < deadline) {
        try { process.kill(+pid, 0); } catch { console.error("Azurite exited"); process.exit(1); }
        try { await fetch(url); process.exit(0); } catch {}
        await new Promise((r) => setTimeout(r, 300));
      }
      process.exit(1);
    })();
  ' "$AZURITE_ENDPOINT?comp=list" "$AZURITE_PID" || die "Azurite did not start; see $dir/logs/azurite.log"
}

# snowhook_args <data dir> <port> <management port> — sets SNOWHOOK_ARGV to the application arguments of the
# embedded defaults under <data dir> (after start_azurite); LEDGER_URL, when set, replaces the H2 ledger URL.
snowhook_args() {
  local dir=$1 port=$2 management_port=$3
  SNOWHOOK_ARGV=(
    --server.address=127.0.0.1
    --server.port="$port"
    --management.server.port="$management_port"
    --spring.datasource.url="${LEDGER_URL:-jdbc:h2:file:$dir/snowhook-ledger;AUTO_SERVER=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0}"
    --snowhook.warehouse.duckdb.path="$dir/warehouse.duckdb"
    --snowhook.warehouse.duckdb.stage="$dir/stage"
    --snowhook.storage.accounts[0].name="$AZURITE_ACCOUNT"
    --snowhook.storage.accounts[0].endpoint="$AZURITE_ENDPOINT"
    --snowhook.storage.accounts[0].connection-string="$AZURITE_CONNECTION_STRING"
    --snowhook.storage.accounts[0].containers[0]=factory-uploads
    --logging.file.name="$dir/logs/snowhook.log"
  )
}

# start_snowhook <data dir> <port> [java options…] — the embedded defaults (H2 + DuckDB + Azurite) under <data dir>;
# LEDGER_URL, when set, replaces the H2 ledger URL (e.g. a PostgreSQL schema of a benchmark).
# The actuator listens on $MANAGEMENT_PORT (a free loopback port, 8081 when that is free) — SNOWHOOK_MANAGEMENT_URL.
start_snowhook() {
  local dir=$1 port=$2
  shift 2
  local management_port=${MANAGEMENT_PORT:-$(loopback_port 8081)}
  mkdir -p "$dir/logs"
  snowhook_args "$dir" "$port" "$management_port"
  java "$@" -jar "$SNOWHOOK_JAR" "${SNOWHOOK_ARGV[@]}" ${SNOWHOOK_ARGS:-} \
    >"$dir/logs/snowhook.console.log" 2>&1 &
  SNOWHOOK_PID=$!
  CHILD_PIDS+=("$SNOWHOOK_PID")
  SNOWHOOK_URL="http://127.0.0.1:$port"
  SNOWHOOK_MANAGEMENT_URL="http://127.0.0.1:$management_port"
  # Liveness, not readiness: readiness also wants the container to exist, and on a fresh Azurite the
  # generator creates it with the first upload, as a factory's first upload would. Intake takes events
  # either way; readiness turns UP as soon as the container is there.
  wait_http_ok "$SNOWHOOK_MANAGEMENT_URL/actuator/health/liveness" 120 "$SNOWHOOK_PID" \
    || die "snowhook did not start; see $dir/logs/snowhook.log"
}

# run_generator <arguments…> — the JavaSips generator (src/test/java/io/snowhook/demo), compiled by build_jar.
run_generator() {
  (cd "$ROOT" && ./mvnw -B -q -Dskip.npm exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=io.snowhook.demo.JavaSipsGenerator -Dexec.args="$*")
}

# bench_setup <data dir> — what every benchmark does first: tools checked, Azurite installed, the jar built, <data dir>
# emptied; sets UPTIME_BEFORE (the load averages now) and LABEL (the commit, and whether src/ or pom.xml has
# uncommitted changes, named by $CHANGES).
bench_setup() {
  local dir=$1
  require_tools
  npm_install
  build_jar
  rm -rf "$dir"
  mkdir -p "$dir/logs"
  UPTIME_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg | sed 's/ /, /g')
  LABEL="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git -C "$ROOT" status --porcelain -- src pom.xml 2>/dev/null)" ]; then
    LABEL="$LABEL with local changes${CHANGES:+ ($CHANGES)}"
  fi
}

stop_children() {
  local pid
  for pid in "${CHILD_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${CHILD_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  CHILD_PIDS=()
}
