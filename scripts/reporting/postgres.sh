#!/usr/bin/env bash
# A real PostgreSQL server for the reporting tests and benchmarks (Debian's package, run directly).
#
#   bash scripts/reporting/postgres.sh up     install if missing, initialise if needed, start (idempotent)
#   bash scripts/reporting/postgres.sh down   stop it; safe when it is not running
#   bash scripts/reporting/postgres.sh url    print the connection URL (postgres://postgres@127.0.0.1:55432/postgres)
#   bash scripts/reporting/postgres.sh wipe   stop it and delete its data folder
#
# It listens on 127.0.0.1 only, on a fixed non-default port, with its data outside the repository.
# It is a throwaway test server: trust authentication on loopback, and fsync/synchronous_commit/
# full_page_writes off for speed. A power cut may corrupt it; `wipe` and `up` rebuild it.
# Override with BACKLINE_PG_PORT and BACKLINE_PG_DIR.
set -euo pipefail

PORT="${BACKLINE_PG_PORT:-55432}"
DIR="${BACKLINE_PG_DIR:-/var/tmp/backline-reporting-pg}"
DATA="$DIR/data"
LOG="$DIR/server.log"
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [[ -n "$found" ]] && echo "$found"
}

as_postgres() {
  if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi
}

install_if_missing() {
  if [[ -n "$(pg_bin)" ]]; then return; fi
  # Debian's package would also start its own cluster on port 5432; the shared installer prevents that.
  bash "$(dirname "${BASH_SOURCE[0]}")/../apt-install.sh" PostgreSQL postgresql
}

running() {
  local bin; bin=$(pg_bin) || return 1
  [[ -f "$DATA/PG_VERSION" ]] && as_postgres "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

up() {
  install_if_missing
  local bin; bin=$(pg_bin)
  if [[ $(id -u) -eq 0 ]]; then
    mkdir -p "$DIR"
    chown postgres:postgres "$DIR"
  fi
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    echo "Initialising a test cluster in $DATA"
    as_postgres "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$DATA/postgresql.conf" <<CONF
# Backline test server: loopback only, fixed port; durability off for speed (throwaway data).
listen_addresses = '127.0.0.1'
port = ${PORT}
unix_socket_directories = '${DIR}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
checkpoint_timeout = 30min
shared_buffers = 256MB
maintenance_work_mem = 256MB
max_connections = 60
CONF
    # Only loopback TCP may connect (trust: a test server with no secrets).
    cat >"$DATA/pg_hba.conf" <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
HBA
  fi
  if running; then
    echo "PostgreSQL already running: $URL"
    return
  fi
  as_postgres "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
  echo "PostgreSQL up: $URL"
}

down() {
  if running; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "PostgreSQL stopped."
  else
    echo "PostgreSQL was not running."
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  url) echo "$URL" ;;
  wipe) down; rm -rf "$DIR"; echo "Removed $DIR" ;;
  *) echo "usage: $0 up|down|url|wipe" >&2; exit 2 ;;
esac
