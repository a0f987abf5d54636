#!/usr/bin/env bash
# The audit chain's commit ceiling on PostgreSQL, with durability ON (fsync, synchronous_commit, full_page_writes: the
# server defaults), measured with pgbench on a throwaway cluster on 127.0.0.1:
#   one-chain.sql      one login's writes (a session row, then the chain's advisory lock, the chain's last hash, the
#                      audit row) with ONE chain for the whole system — every commit of every instance queues on it
#   sixteen-chains.sql the same with 16 chains (Onshi's PostgreSQL default, Onshi:Audit:Chains), the chain drawn at random
#                      as institutions' ids spread over them
#   no-chain.sql       the same writes with no chain at all: the ceiling of the database itself
# Usage: bash bench/audit-chain/run.sh [SECONDS=8]   (root: the cluster runs as the postgres user). Prints one line per
# script and concurrency (16 and 64 clients), pgbench's tps and average latency. docs/scaling.md quotes its figures.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seconds=${1:-8}
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/onshi-audit-chain.XXXXXX)
# shellcheck source=scripts/ports.sh
source "$here/../../scripts/ports.sh"
port=$(random_listen_port)
chown postgres "$dir"
stop() {
  su postgres -s /bin/sh -c "$bin/pg_ctl -D $dir/data -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
su postgres -s /bin/sh -c "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -s /bin/sh -c "$bin/pg_ctl -D $dir/data -l $dir/log -o '-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200' -w start" >/dev/null
psql() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q "$@"; }
psql -c "CREATE TABLE audit(id bigserial PRIMARY KEY, chain int NOT NULL DEFAULT 0, prev text, hash text, actor text, detail text, at timestamptz DEFAULT now());
         CREATE INDEX ON audit(chain, id);
         CREATE TABLE sess(id bigserial PRIMARY KEY, keyhash text, at timestamptz DEFAULT now());"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), fsync on, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${seconds} s per cell"
for script in one-chain sixteen-chains no-chain; do
  for clients in 16 64; do
    out=$(cd "$here" && "$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -f "$script.sql" -c "$clients" -j 2 -T "$seconds" postgres 2>/dev/null)
    tps=$(grep -oP '^tps = \K[0-9.]+' <<<"$out")
    lat=$(grep -oP 'latency average = \K[0-9.]+' <<<"$out")
    printf '%-15s %3d clients: %8.0f commits/s, %7.1f ms average\n' "$script" "$clients" "$tps" "$lat"
  done
done
