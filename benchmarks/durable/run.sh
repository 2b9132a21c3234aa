#!/usr/bin/env bash
# Runs a benchmark against a durable PostgreSQL: a throw-away cluster of the machine's PostgreSQL (Debian's
# postgresql-NN, fsync, synchronous_commit and full_page_writes on, the server's defaults otherwise), with Kafka and
# the registry from the dev stack (--no-services: no promptloop service, no simulated agent). The benchmark finds
# them through the test kit's external mode (PROMPTLOOP_TEST_INFRA=external) and prints the conditions as the
# servers report them.
#
#   bash benchmarks/durable/run.sh [benchmark main class] [benchmark options...]
#   bash benchmarks/durable/run.sh --events 1000000 --service-heap 512m --peer connect
#   bash benchmarks/durable/run.sh io.promptloop.benchmarks.AbtestBenchmark --observations 1000000
#
# Needs: benchmarks/target/benchmarks.jar and devstack/target/devstack.jar (./mvnw -pl benchmarks,devstack -am
# package -DskipTests), PostgreSQL's server binaries (PG_BIN, default: the newest /usr/lib/postgresql/*/bin),
# a JDK >= 21 as JAVA_HOME or on PATH. Run it as root (the cluster runs as the user "postgres") or as the user
# that owns PG_BIN's clusters. Ports (PG_PORT 55433, KAFKA_PORT 19092, REGISTRY_PORT 18080, DEVSTACK_PG_PORT 15432:
# the dev stack's own PostgreSQL, unused) must be free; everything started here is stopped by its PID on exit and
# its files removed, except PostgreSQL's log, kept as benchmarks/target/durable-postgresql.log. PG_SETTINGS adds
# postgresql.conf lines, separated by ';', after the durable ones: PG_SETTINGS='synchronous_commit = off' asks what
# the commits' WAL flushes cost (not durable then: a crash can lose the last commits the server acknowledged).
# PG_WALDIR puts the cluster's WAL in that directory (e.g. a file system of its own, as production servers often
# have: benchmarks/lib/postgres-cluster.sh).
set -euo pipefail

cd "$(dirname "$0")/../.."
# shellcheck source=../lib/postgres-cluster.sh
source benchmarks/lib/postgres-cluster.sh
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PG_PORT="${PG_PORT:-55433}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
REGISTRY_PORT="${REGISTRY_PORT:-18080}"
DEVSTACK_PG_PORT="${DEVSTACK_PG_PORT:-15432}"

main_class=""
if [[ $# -gt 0 && "$1" != -* ]]; then main_class="$1"; shift; fi

fail() { echo "durable/run.sh: $*" >&2; exit 2; }
[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || fail "no PostgreSQL server binaries in '$PG_BIN' (set PG_BIN)"
[[ -f benchmarks/target/benchmarks.jar ]] || fail "benchmarks/target/benchmarks.jar missing: build it first"
[[ -f devstack/target/devstack.jar ]] || fail "devstack/target/devstack.jar missing: build it first"
"$JAVA" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])' || fail "'$JAVA' is not a JDK >= 21 (set JAVA_HOME)"
for port in "$PG_PORT" "$KAFKA_PORT" "$REGISTRY_PORT" "$DEVSTACK_PG_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is in use on 127.0.0.1"; fi
done

work="$(mktemp -d /tmp/promptloop-durable.XXXXXX)"
chmod 755 "$work"
devstack_pid=""
cleanup() {
    set +e
    if [[ -n "$devstack_pid" ]]; then
        kill -TERM "$devstack_pid" 2>/dev/null
        for _ in $(seq 1 120); do kill -0 "$devstack_pid" 2>/dev/null || break; sleep 0.5; done
    fi
    pg_cluster_stop "$work"
    mkdir -p benchmarks/target
    [[ -f "$work/postgresql.log" ]] && cp "$work/postgresql.log" benchmarks/target/durable-postgresql.log
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# durable settings stated explicitly (they are the defaults); logging to read a slow window afterwards; then
# PG_SETTINGS, if given (later lines win), for a diagnostic run — the benchmark prints the settings it found
IFS=';' read -ra extra_settings <<< "${PG_SETTINGS:-}"
pg_cluster_start "$work" "$PG_PORT" "fsync = on" "synchronous_commit = on" "full_page_writes = on" \
    "log_checkpoints = on" "log_autovacuum_min_duration = 0" "log_lock_waits = on" "${extra_settings[@]}"
echo "durable/run.sh: $("$PG_BIN/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /') at 127.0.0.1:$PG_PORT (fsync on${PG_SETTINGS:+; PG_SETTINGS: $PG_SETTINGS}${PG_WALDIR:+; WAL in $PG_WALDIR on $(findmnt -n -o SOURCE,FSTYPE --target "$PG_WALDIR")})"

mkdir "$work/devstack"
"$JAVA" -jar devstack/target/devstack.jar --no-services --no-agent --data-dir="$work/devstack" \
    --pg-port="$DEVSTACK_PG_PORT" --kafka-port="$KAFKA_PORT" --registry-port="$REGISTRY_PORT" \
    --registry-storage=memory > "$work/devstack.log" 2>&1 &
devstack_pid=$!
for _ in $(seq 1 240); do
    kill -0 "$devstack_pid" 2>/dev/null || { cat "$work/devstack.log" >&2; fail "the dev stack exited"; }
    if grep -q "services: not started" "$work/devstack.log"; then break; fi
    sleep 0.5
done
grep -q "services: not started" "$work/devstack.log" || { cat "$work/devstack.log" >&2; fail "the dev stack was not ready in 120 s"; }
echo "durable/run.sh: Kafka at 127.0.0.1:$KAFKA_PORT, registry at 127.0.0.1:$REGISTRY_PORT (dev stack pid $devstack_pid)"

export PROMPTLOOP_TEST_INFRA=external
export PROMPTLOOP_TEST_KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
export PROMPTLOOP_TEST_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres"
export PROMPTLOOP_TEST_JDBC_USER=postgres
export PROMPTLOOP_TEST_JDBC_PASSWORD=unused
export PROMPTLOOP_TEST_REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/registry/v3"
if [[ -n "$main_class" ]]; then
    "$JAVA" --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar "$main_class" "$@"
else
    "$JAVA" --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar "$@"
fi
