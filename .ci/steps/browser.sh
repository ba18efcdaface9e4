#!/usr/bin/env bash
# Debian's chromium for the widget's browser tests (Playwright drives it through executable_path).
# Idempotent: does nothing when /usr/bin/chromium is already there; apt caches the packages itself.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "browser: installing Debian's chromium"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
echo "browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
