#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests.
#   scripts/pg.sh start DIR   initdb in DIR/data, start on a free 127.0.0.1 port, print the connection string
#   scripts/pg.sh url DIR     print the connection string of the cluster in DIR
#   scripts/pg.sh stop DIR    stop it (pg_ctl stop -m fast, then the postmaster PID if that does not work)
# The connection string is `Host=127.0.0.1;Port=P;Username=postgres;Database=postgres` (trust auth, local only);
# tests create their own databases. initdb/pg_ctl refuse to run as root, so as root they run as `postgres`.
# Server log: DIR/log. PG_BIN overrides the bin directory (default: newest /usr/lib/postgresql/*/bin).
set -euo pipefail

usage() { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }
(($# == 2)) || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir=$PWD/$dir

fail() { echo "pg.sh: $*" >&2; exit 1; }

find_bin() {
  if [[ -n ${PG_BIN:-} ]]; then echo "$PG_BIN"; return; fi
  local b
  b=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1 || true)
  [[ -n $b && -x $b/initdb ]] || fail "no PostgreSQL server found under /usr/lib/postgresql/*/bin (run scripts/deps.sh)"
  echo "$b"
}

# as_pg CMD...: runs CMD as the postgres user when we are root, directly otherwise.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    local q
    q=$(printf '%q ' "$@")
    su postgres -s /bin/sh -c "$q"
  else
    "$@"
  fi
}

url() {
  [[ -f $dir/port ]] || fail "no cluster in $dir (run: $0 start $dir)"
  echo "Host=127.0.0.1;Port=$(cat "$dir/port");Username=postgres;Database=postgres"
}

# shellcheck source=scripts/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

start() {
  local bin port attempt
  bin=$(find_bin)
  [[ ! -f $dir/data/postmaster.pid ]] || fail "a cluster is already running in $dir (stop it: $0 stop $dir)"
  if [[ $(id -u) -eq 0 ]]; then
    install -d -o postgres -g postgres "$dir"
  else
    mkdir -p "$dir"
  fi
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    as_pg timeout 120 "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; fail "initdb failed"; }
  fi
  # A free port (scripts/ports.sh); retried if another process takes it first.
  for attempt in 1 2 3 4 5; do
    port=$(random_listen_port)
    # Throwaway data: durability off makes CREATE DATABASE and migrations much faster.
    if as_pg timeout 90 "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >"$dir/pg_ctl.log" 2>&1; then
      echo "$port" >"$dir/port"
      url
      return
    fi
    # A failed start may still leave a postmaster behind (e.g. pg_ctl timed out): never leak it.
    stop_quietly
  done
  tail -n 20 "$dir/log" >&2 2>/dev/null || true
  fail "could not start PostgreSQL in $dir (see $dir/log)"
}

postmaster_pid() { [[ -f $dir/data/postmaster.pid ]] && head -n 1 "$dir/data/postmaster.pid"; }

stop_quietly() {
  local bin pid i
  pid=$(postmaster_pid || true)
  [[ -n $pid ]] || return 0
  bin=$(find_bin)
  as_pg timeout 60 "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  # pg_ctl failed or timed out: stop the postmaster by its PID, bounded.
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/port"
}

case $cmd in
  start) start ;;
  stop) stop_quietly ;;
  url) url ;;
  *) usage ;;
esac
