#!/usr/bin/env bash
# What the agent SDK tests (module clients) need beyond a JDK:
#   Python: Debian's python3-confluent-kafka (the system Python 3.11) and, in a virtualenv that sees the system
#           packages, fastavro and pytest from the machine's pip index;
#   Node:   librdkafka-dev, then clients/typescript/node_modules, with @confluentinc/kafka-javascript built
#           against that librdkafka (no prebuilt binary is reachable here; ~2.5 min). The built node_modules is
#           cached per package-lock.json, so a later run (or a fresh clone) copies it in seconds.
# Idempotent; without root it only says what is missing. The module clients reads the same locations.
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE="${PROMPTLOOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/promptloop}"
VENV="$CACHE/python-clients"
TS=clients/typescript
missing=()

apt_install() {
  local need=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then missing+=("apt: ${need[*]}"); return 0; fi
  echo "clients.sh: apt-get install ${need[*]}"
  # The package lists of a fresh machine may be empty or old: update once when a package is not known.
  if ! apt-cache show "${need[@]}" >/dev/null 2>&1; then apt-get -o DPkg::Lock::Timeout=600 update -qq; fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

python_env() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import confluent_kafka, fastavro, pytest' 2>/dev/null; then
    return 0
  fi
  if ! /usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null; then
    missing+=("python3-confluent-kafka for /usr/bin/python3"); return 0
  fi
  mkdir -p "$CACHE"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
  # --retries 0: only the machine's local index answers; do not wait for the public one.
  "$VENV/bin/python" -m pip install -q --retries 0 'fastavro>=1.9' 'pytest>=7'
}

node_modules() {
  command -v npm >/dev/null || { missing+=("node/npm"); return 0; }
  local key cached
  key=$( (cat "$TS/package.json" "$TS/package-lock.json" 2>/dev/null || true) | sha256sum | cut -c1-16)
  cached="$CACHE/node_modules-$key"
  if [ -f "$TS/node_modules/.promptloop-$key" ]; then return 0; fi
  if [ ! -d "$cached" ]; then
    pkg-config --exists rdkafka 2>/dev/null || { missing+=("librdkafka-dev (for @confluentinc/kafka-javascript)"); return 0; }
    echo "clients.sh: building node_modules for $TS (@confluentinc/kafka-javascript from source, a few minutes)"
    rm -rf "$TS/node_modules"
    # Build from source against Debian's librdkafka: no prebuilt binary can be downloaded here.
    local install=install
    [ -f "$TS/package-lock.json" ] && install=ci  # exactly the locked versions
    (cd "$TS" && CKJS_LINKING=dynamic npm "$install" --no-audit --no-fund --build-from-source --loglevel=error)
    # the install may have written package-lock.json: key the cache by what a later run will see
    key=$( (cat "$TS/package.json" "$TS/package-lock.json" 2>/dev/null || true) | sha256sum | cut -c1-16)
    cached="$CACHE/node_modules-$key"
    mkdir -p "$CACHE"
    rm -rf "$cached.tmp" && cp -a "$TS/node_modules" "$cached.tmp" && mv "$cached.tmp" "$cached"
  else
    rm -rf "$TS/node_modules"
    cp -a "$cached" "$TS/node_modules"
  fi
  touch "$TS/node_modules/.promptloop-$key" "$cached/.promptloop-$key"
}

apt_install python3-confluent-kafka python3-venv librdkafka-dev pkg-config build-essential
python_env
node_modules

if [ ${#missing[@]} -gt 0 ]; then
  echo "clients.sh: missing (run as root to install): ${missing[*]}" >&2
fi
exit 0
