# A throw-away cluster of the machine's PostgreSQL server, for the benchmark scripts (sourced, not run):
#   pg_cluster_start WORK PORT [postgresql.conf line...]   initdb into WORK/data, listen on 127.0.0.1:PORT (socket in
#                                                          WORK), log to WORK/postgresql.log, start and wait
#   pg_cluster_stop WORK                                   fast shutdown, if it runs
#   pg_as_owner CMD...                                     CMD as the cluster's owner ("postgres" when run as root)
# PG_BIN: the server's binaries (default: the newest /usr/lib/postgresql/*/bin, Debian's postgresql-NN).
# PG_WALDIR: a directory (e.g. on a file system of its own) in which the cluster's WAL directory is made
# (initdb --waldir PG_WALDIR/pg_wal-PORT; removed by pg_cluster_stop); default: pg_wal inside the data directory.
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

pg_as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_cluster_start() {
    local work=$1 port=$2
    shift 2
    if [[ ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/pg_ctl" ]]; then
        echo "no PostgreSQL server binaries in '$PG_BIN' (set PG_BIN)" >&2
        return 2
    fi
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$work"; fi
    local waldir=()
    if [[ -n "${PG_WALDIR:-}" ]]; then
        if [[ ! -d "$PG_WALDIR" || -e "$PG_WALDIR/pg_wal-$port" ]]; then
            echo "PG_WALDIR '$PG_WALDIR' must be a directory without pg_wal-$port in it" >&2
            return 2
        fi
        if [[ $(id -u) -eq 0 ]]; then chown postgres: "$PG_WALDIR"; fi
        waldir=(--waldir "$PG_WALDIR/pg_wal-$port")
    fi
    pg_as_owner "$PG_BIN/initdb" -D "$work/data" "${waldir[@]}" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >/dev/null
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$work'"
        printf '%s\n' "$@"
    } >> "$work/data/postgresql.conf"
    if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/postgresql.log" -w start >/dev/null; then
        echo "PostgreSQL did not start; the end of its log:" >&2
        tail -n 5 "$work/postgresql.log" >&2
        return 1
    fi
}

pg_cluster_stop() {
    if [[ -f "$1/data/postmaster.pid" ]]; then pg_as_owner "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null; fi
    # a WAL directory outside the data directory (PG_WALDIR) is the link's target: remove it with the cluster
    if [[ -L "$1/data/pg_wal" ]]; then rm -rf "$(readlink "$1/data/pg_wal")"; fi
}
