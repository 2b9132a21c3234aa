#!/usr/bin/env bash
# Runs one suite of the agent SDKs' tests: python-unit | typescript-unit | python-it | typescript-it.
# Maven's module clients calls it (unit suites in `test`, integration suites from ClientsIT against a running dev
# stack, with PROMPTLOOP_IT_* in the environment). tools/setup/clients.sh installs what it needs.
set -euo pipefail
cd "$(dirname "$0")"
CACHE="${PROMPTLOOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/promptloop}"
VENV="$CACHE/python-clients"
export PROMPTLOOP_CONTRACT_DIR="${PROMPTLOOP_CONTRACT_DIR:-$PWD/target/contract}"

need_python() {
  if ! [ -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import confluent_kafka, fastavro, pytest' 2>/dev/null; then
    echo "clients: no Python test environment at $VENV (confluent-kafka, fastavro, pytest): run tools/setup/clients.sh as root" >&2
    exit 3
  fi
}

need_node() {
  if ! [ -d typescript/node_modules/@confluentinc/kafka-javascript ] || ! [ -d typescript/node_modules/typescript ]; then
    echo "clients: clients/typescript/node_modules is missing: run tools/setup/clients.sh as root" >&2
    exit 3
  fi
}

case "${1:-}" in
  python-unit)
    need_python
    cd python && PYTHONPATH=src exec "$VENV/bin/python" -m pytest -p no:cacheprovider -q tests/unit ;;
  python-it)
    need_python
    cd python && PYTHONPATH=src exec "$VENV/bin/python" -m pytest -p no:cacheprovider -q tests/it ;;
  typescript-unit)
    need_node
    cd typescript && node_modules/.bin/tsc -p tsconfig.json && exec node --test dist/test/unit/ ;;
  typescript-it)
    need_node
    cd typescript && node_modules/.bin/tsc -p tsconfig.json && exec node --test --test-concurrency=1 dist/test/it/ ;;
  *)
    echo "usage: $0 python-unit|python-it|typescript-unit|typescript-it" >&2; exit 64 ;;
esac
