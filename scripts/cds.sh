#!/usr/bin/env bash
# The fast-starting layout of snowhook: the executable jar extracted by Spring Boot's tools jarmode (a thin
# snowhook.jar whose manifest names lib/*.jar: no nested-jar reading at start-up) plus a static Class Data
# Sharing archive of the classes a start loads (parsed and verified once, mapped from the archive after).
#
#   scripts/cds.sh [JAR] [DESTINATION]     default: target/snowhook.jar into target/app
#
# Then start it with
#   java -XX:SharedArchiveFile=target/app/snowhook.jsa -jar target/app/snowhook.jar [arguments…]
# The archive is only valid for the JVM that made it and the same class path (the same folder): run this
# script with the java that will run the service, and again after every build (it redoes the work only when
# the jar or the java changed). A JVM that cannot use the archive starts without it, just slower.
#
# How (JDK 17):
#   1. a training run, java -XX:DumpLoadedClassList -Dspring.context.exit=onRefresh, on the embedded defaults
#      (as scripts/lib.sh snowhook_args gives them) in a throw-away data folder: every bean is created,
#      validated and connected, the JVM exits once the context is refreshed, before any port is opened. It
#      needs no Azurite: nothing talks to the storage account before the context is refreshed.
#   2. the class list without its lambda-proxy lines (those starting with @): with them, the dump of
#      OpenJDK 17 (17.0.15) crashes (SIGSEGV in SystemDictionaryShared::adjust_lambda_proxy_class_dictionary),
#      as does a dynamic archive (-XX:ArchiveClassesAtExit). Lambdas are then spun at run time, as without CDS.
#   3. java -Xshare:dump -XX:SharedClassListFile=… -XX:SharedArchiveFile=DESTINATION/snowhook.jsa.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

JAR=$(realpath -m "${1:-$ROOT/target/snowhook.jar}")
DEST=$(realpath -m "${2:-$ROOT/target/app}")
command -v java >/dev/null || die "java not found (Java 17+ is required)"
[ -f "$JAR" ] || die "$JAR is not a file (build it first: ./mvnw -B package -DskipTests)"
case "$DEST" in
  / | "$ROOT" | "$(dirname "$JAR")") die "refusing to use $DEST as the destination: it is emptied first" ;;
esac

# What the archive was made from: the jar (size, time, path) and the java. Equal stamp, nothing to do.
STAMP="$(stat -c '%s %Y %n' "$JAR") | $(command -v java) | $(java -version 2>&1 | tr '\n' ' ')"
if [ -f "$DEST/snowhook.jsa" ] && [ -f "$DEST/.cds-stamp" ] && [ "$(cat "$DEST/.cds-stamp")" = "$STAMP" ]; then
  say "$DEST is up to date ($JAR, $(java -version 2>&1 | head -1))"
  exit 0
fi

say "Extracting $JAR into $DEST"
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
java -Djarmode=tools -jar "$JAR" extract --destination "$DEST" >/dev/null \
  || die "the tools jarmode could not extract $JAR"
[ -f "$DEST/snowhook.jar" ] || die "the extraction left no $DEST/snowhook.jar"

TRAINING=$(mktemp -d "${TMPDIR:-/tmp}/snowhook-cds.XXXXXX")
trap 'rm -rf "$TRAINING"' EXIT
mkdir -p "$TRAINING/logs"
# The embedded defaults' storage account, which the training run never contacts.
AZURITE_ENDPOINT="http://127.0.0.1:10000/$AZURITE_ACCOUNT"
AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$AZURITE_ACCOUNT;AccountKey=$AZURITE_KEY;BlobEndpoint=$AZURITE_ENDPOINT;"
snowhook_args "$TRAINING" 0 0

say "Training run (stops once the context is refreshed; log: $DEST/cds-training.log)"
(cd "$TRAINING" && java -XX:DumpLoadedClassList="$TRAINING/classes.lst" -Dspring.context.exit=onRefresh \
  -jar "$DEST/snowhook.jar" "${SNOWHOOK_ARGV[@]}") >"$DEST/cds-training.log" 2>&1 \
  || die "the training run failed; see $DEST/cds-training.log"
[ -s "$TRAINING/classes.lst" ] || die "the training run wrote no class list"

# Lambda-proxy lines (@lambda-proxy, @lambda-form-invoker) out: OpenJDK 17's dump crashes on them (see above).
grep -v '^@' "$TRAINING/classes.lst" >"$DEST/classes.lst" || true
say "Dumping $(wc -l <"$DEST/classes.lst") classes into $DEST/snowhook.jsa (log: $DEST/cds-dump.log)"
java -Xshare:dump -XX:SharedClassListFile="$DEST/classes.lst" -XX:SharedArchiveFile="$DEST/snowhook.jsa" \
  -jar "$DEST/snowhook.jar" >"$DEST/cds-dump.log" 2>&1 \
  || die "the CDS dump failed; see $DEST/cds-dump.log"
[ -s "$DEST/snowhook.jsa" ] || die "the CDS dump wrote no archive"
printf '%s' "$STAMP" >"$DEST/.cds-stamp"
say "Ready: java -XX:SharedArchiveFile=$DEST/snowhook.jsa -jar $DEST/snowhook.jar"
