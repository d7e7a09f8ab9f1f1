#!/usr/bin/env bash
# A throw-away streaming replica of the local PostgreSQL server, for the read-replica test.
#
#   scripts/test-replica.sh start [PRIMARY_HOST] [PRIMARY_PORT]   prints the replica's URL on stdout (last line)
#   scripts/test-replica.sh stop DIR                              stops the replica and removes DIR
#
# `start` makes a base backup with `pg_basebackup -R` (which writes standby.signal and
# primary_conninfo) into a new temp directory, gives it a minimal configuration of its own
# (Debian keeps the primary's postgresql.conf and pg_hba.conf outside its data directory) and
# starts it with pg_ctl on a free port. PostgreSQL refuses to run as root, so as root the cluster
# belongs to the `postgres` user. Every step is bounded in time; on failure the directory is
# removed and the reason is printed on stderr (exit 1).
set -euo pipefail

PG_BIN="${PG_BIN:-$(dirname "$(readlink -f "$(command -v pg_ctl || echo /usr/local/bin/pg_ctl)")")}"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

stop() {
  local dir="$1"
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner timeout 30 "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

start() {
  local host="${1:-127.0.0.1}" port="${2:-5432}"
  local dir
  dir="$(mktemp -d /tmp/dao-portal-replica.XXXXXX)"
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  trap 'stop "$dir"' ERR
  # The primary must admit replication connections from loopback (a pg_hba.conf `replication` line).
  if ! as_owner timeout 60 "$PG_BIN/pg_basebackup" -h "$host" -p "$port" -U postgres -D "$dir/data" -R -X stream -c fast 2>"$dir/basebackup.log"; then
    echo "pg_basebackup from $host:$port failed: $(tail -n 1 "$dir/basebackup.log")" >&2
    stop "$dir"
    exit 1
  fi
  local replica_port
  replica_port="$(free_port)"
  as_owner tee "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $replica_port
unix_socket_directories = '$dir'
hot_standby = on
# max_connections, max_wal_senders and the like keep their defaults: a standby refuses lower values than the primary.
shared_buffers = 16MB
fsync = off
hba_file = '$dir/data/pg_hba.conf'
ident_file = '$dir/data/pg_ident.conf'
EOF
  as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_owner touch "$dir/data/pg_ident.conf"
  if ! as_owner timeout 60 "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/replica.log" -w -t 45 start >/dev/null; then
    echo "the replica did not start: $(tail -n 3 "$dir/replica.log" 2>/dev/null | tr '\n' ' ')" >&2
    stop "$dir"
    exit 1
  fi
  echo "$dir"
  echo "postgres://postgres@127.0.0.1:$replica_port/postgres"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop "${2:?usage: stop DIR}" ;;
  *) echo "usage: $0 start [HOST] [PORT] | stop DIR" >&2; exit 2 ;;
esac
