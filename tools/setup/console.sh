#!/usr/bin/env bash
# The console's browser tests (devstack's ConsoleBrowserIT) drive a real Chromium through chromedriver.
# Installs Debian's chromium and chromium-driver when missing; without root it only says what is missing
# (the browser tests then skip, naming the missing binary).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "console.sh: missing ${missing[*]} (install as root: apt-get install chromium chromium-driver);" \
    "the console's browser tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium chromium-driver
