#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for tests on 127.0.0.1:${PGPORT:-55432} and prints its URL on the last line.
# PostgreSQL refuses to run as root, so the cluster belongs to the postgres user (created by Debian's package).
set -euo pipefail
port=${PGPORT:-55432}
dir=${PGDATA_DIR:-/tmp/punchcard-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_pg "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null
fi
for db in punchcard_test punchcard_smoke; do
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
done
echo "postgres://postgres@127.0.0.1:$port/punchcard_test"
