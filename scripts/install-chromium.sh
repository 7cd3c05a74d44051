#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the console's browser test (ConsoleBrowserTest) and
# scripts/console-screenshots.sh, when they are missing. Needs root and apt-get; elsewhere it says so and
# leaves it (the browser test then skips, saying why).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null || [ "$(id -u)" != 0 ]; then
  echo "chromium/chromium-driver missing and apt-get (as root) unavailable: the console's browser test will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver
