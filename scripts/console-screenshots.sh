#!/usr/bin/env bash
# Takes the console screenshots in docs/ (console-summary.png, console-failed-load.png, console-dark.png,
# console-phone.png) with the browser setup of the console's browser test: Debian's chromium, headless, on
# loopback. Runs the tagged ConsoleScreenshots test class, which `./mvnw verify` leaves out.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-chromium.sh
./mvnw -B -q test -Dtest=ConsoleScreenshots -Dexcluded.test.groups=snowflake-live \
  -Dsurefire.failIfNoSpecifiedTests=false -Dsnowhook.screenshots="$PWD/docs"
ls -l docs/console-*.png
