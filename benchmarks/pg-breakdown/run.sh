#!/usr/bin/env bash
# Where PostgreSQL's time goes when ingest-service stores a batch of turns, against a plain COPY: the same
# 105,840 seed-003-shaped turns (120 batches of 882 turns over 333 sessions, as the 1M benchmark's listener sees
# them), one transaction per batch, on a throw-away PostgreSQL cluster (fsync off), run three times each,
# interleaved. Reports PostgreSQL's CPU per turn (postmaster and backends, from /proc).
#   V0  COPY into a table LIKE the turns table (no FK, no session rows)        -- the benchmark's COPY baseline
#   V1  COPY into the turns table, sessions already there (adds the FK check of every turn)
#   V2  session upsert (ingest-service's ON CONFLICT DO UPDATE shape) + COPY  -- ingest-service since b820a2e
#   V3  V2 + the (session_id, turn_number) lookup of every turn first        -- ingest-service before b820a2e
#   V4  plain UPDATE of the session counters + COPY (sessions already there)
#   V0B V0 in COPY's binary format (the files made by PostgreSQL itself from the text ones)
#   V5  V2 in COPY's binary format                                          -- ingest-service since 41a5285
# Usage (as root, Debian's postgresql-15 installed): bash benchmarks/pg-breakdown/run.sh [pg bin dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
changelog=$here/../../schemas/src/main/resources/db/changelog/002-conversation.sql
PG_BIN=${1:-${PG_BIN:-/usr/lib/postgresql/15/bin}}
# shellcheck source=../lib/postgres-cluster.sh
source "$here/../lib/postgres-cluster.sh"
work=$(mktemp -d /tmp/pg-breakdown.XXXXXX)
port=55432
cd "$work"
python3 "$here/gen.py"
for v in V0 V1 V2 V3 V4 V0B V5; do python3 "$here/variants.py" "$v"; done
awk '/changeset promptloop:002-prompt-tuning-sessions/{f=1;next} /changeset promptloop:002-tuning-improvements/{f=0}
     f && !/^COMMENT/ && !/^--/' "$changelog" > schema.sql
echo "ALTER TABLE conversation.prompt_tuning_sessions SET (fillfactor = 70);" >> schema.sql
chmod -R o+rX "$work"
trap 'pg_cluster_stop "$work"; rm -rf "$work"' EXIT
pg_cluster_start "$work" "$port" "fsync = off" "synchronous_commit = off" "full_page_writes = off"
P="psql -h 127.0.0.1 -p $port -U postgres -q -v ON_ERROR_STOP=1"
pgpid=$(head -1 "$work/data/postmaster.pid")
cpu() { # clock ticks of the postmaster, its exited children and its live children
    local t p
    t=$(awk '{print $14+$15+$16+$17}' "/proc/$pgpid/stat")
    for p in $(pgrep -P "$pgpid"); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
    echo "$t"
}
cols="id, session_id, turn_number, user_message, agent_response, occurred_at, processing_time_ms, search_results,
      avg_similarity, total_chunks, confidence_score, template_used, instruction_id, metadata"
$P -c "DROP SCHEMA IF EXISTS conversation CASCADE; CREATE SCHEMA conversation;" -f schema.sql \
   -c "CREATE TABLE conversation.turns_nofk (LIKE conversation.tuning_conversation_turns INCLUDING ALL);" 2>/dev/null
for t in b/t*.tsv; do # the same rows in COPY's binary format, as PostgreSQL writes it
    $P -c "TRUNCATE conversation.turns_nofk" -c "\\copy conversation.turns_nofk ($cols) from '$t'" \
       -c "\\copy (SELECT $cols FROM conversation.turns_nofk) to '${t%.tsv}.bin' (FORMAT binary)"
done
turns=$(cat b/t*.tsv | wc -l)
hz=$(getconf CLK_TCK)
echo "PostgreSQL $($P -Atc 'SHOW server_version'), $turns turns, $(nproc) CPUs; fsync=off"
for round in 1 2 3; do
    for v in V0 V1 V2 V3 V4 V0B V5; do
        $P -c "DROP SCHEMA IF EXISTS conversation CASCADE; CREATE SCHEMA conversation;" -f schema.sql \
           -c "CREATE TABLE conversation.turns_nofk (LIKE conversation.tuning_conversation_turns INCLUDING ALL);" 2>/dev/null
        if [ "$v" = V1 ] || [ "$v" = V4 ]; then
            $P -c "INSERT INTO conversation.prompt_tuning_sessions (id, agent_name, session_start)
                   SELECT id::uuid, 'agent', now() FROM unnest(string_to_array(pg_read_file('$work/sessions.txt'), E'\n')) id
                    WHERE id <> ''"
        fi
        $P -c CHECKPOINT
        c0=$(cpu); s=$(date +%s%N)
        $P -f "$v.sql" >/dev/null
        e=$(date +%s%N)
        sleep 1 # the backend has exited with psql: let the postmaster reap it, so its CPU is in cutime
        c1=$(cpu)
        awk -v v="$v" -v r="$round" -v w="$(( (e - s) / 1000000 ))" -v c="$((c1 - c0))" -v n="$turns" -v hz="$hz" \
            'BEGIN { printf "round %d %s: %6d ms wall, PostgreSQL CPU %6.0f ms = %5.1f us/turn\n", r, v, w, c*1000/hz, c*1e6/hz/n }'
    done
done
