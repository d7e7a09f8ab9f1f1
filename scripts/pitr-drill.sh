#!/usr/bin/env bash
# Run as the postgres user (PostgreSQL refuses root): su postgres -c scripts/pitr-drill.sh (PITR_DIR must be writable by it).
# PITR recipe test: a throwaway cluster on port 5544 with WAL archiving, a base backup, writes
# before and after a chosen time, then recovery to that time in a new data directory.
set -euo pipefail
B=/usr/lib/postgresql/15/bin
P=${PITR_DIR:-/tmp/pitr}
rm -rf $P/primary $P/wal $P/base $P/recovered; mkdir -p $P/wal
$B/initdb -D $P/primary -U postgres --auth=trust >/dev/null
cat >> $P/primary/postgresql.conf <<CONF
port = 5544
listen_addresses = '127.0.0.1'
unix_socket_directories = '$P'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $P/wal/%f && cp %p $P/wal/%f'
archive_timeout = 60
CONF
$B/pg_ctl -D $P/primary -l $P/primary.log -w start >/dev/null
psql="$B/psql -h 127.0.0.1 -p 5544 -U postgres -qAt"
$psql -c "create database portal"
$psql -d portal -c "create table votes(id int primary key, at timestamptz default clock_timestamp())"
$B/pg_basebackup -h 127.0.0.1 -p 5544 -U postgres -D $P/base -Ft -z -X stream
$psql -d portal -c "insert into votes(id) select generate_series(1, 1000)"
sleep 1
TARGET=$($psql -c "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
$psql -d portal -c "insert into votes(id) select generate_series(1001, 2000)"
$psql -d portal -c "delete from votes where id <= 500"   # the mistake to recover from
$psql -c "select pg_switch_wal()" >/dev/null
sleep 2
echo "target time: $TARGET; rows now: $($psql -d portal -c 'select count(*) from votes')"
$B/pg_ctl -D $P/primary -w stop >/dev/null
# Recovery into a new directory: base backup + archived WAL up to the target time.
mkdir -p $P/recovered && chmod 700 $P/recovered
tar -xzf $P/base/base.tar.gz -C $P/recovered
tar -xzf $P/base/pg_wal.tar.gz -C $P/recovered/pg_wal
cat >> $P/recovered/postgresql.conf <<CONF
restore_command = 'cp $P/wal/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
archive_mode = off
CONF
touch $P/recovered/recovery.signal
$B/pg_ctl -D $P/recovered -l $P/recovered.log -w start >/dev/null
for i in $(seq 1 30); do [ "$($psql -c 'select pg_is_in_recovery()')" = f ] && break; sleep 1; done
echo "recovered rows: $($psql -d portal -c 'select count(*), min(id), max(id) from votes')"
grep -E "recovery stopping|archive recovery complete|starting point-in-time" $P/recovered.log | sed 's/^[^]]*] *//' || true
$B/pg_ctl -D $P/recovered -w stop >/dev/null
