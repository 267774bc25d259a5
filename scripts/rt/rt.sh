#!/usr/bin/env bash
# A real Request Tracker 5 for the ticket-system tests and benchmarks (Debian's package, run directly:
# no apache, no systemd, no system database).
#
#   bash scripts/rt/rt.sh up       install if missing, initialise if needed, start (idempotent)
#   bash scripts/rt/rt.sh down     stop it; safe when it is not running
#   bash scripts/rt/rt.sh status   say whether it runs, where, and exit 0 only when it answers
#   bash scripts/rt/rt.sh env      print RT_URL, RT_TOKEN_FILE... for the tests (shell syntax)
#   bash scripts/rt/rt.sh wipe     stop it and delete its state folder
#
# It listens on 127.0.0.1 only, on a fixed non-default port, with its SQLite database, Mason caches,
# config and the clear tokens of its test users outside the repository. It is a throwaway test
# server: $BcryptCost 4 (RT's default 12 costs ~240 ms per authenticated request), mail goes to
# files. Override with BACKLINE_RT_PORT and BACKLINE_RT_DIR.
set -euo pipefail

PORT="${BACKLINE_RT_PORT:-58081}"
DIR="${BACKLINE_RT_DIR:-/var/tmp/backline-rt}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL="http://127.0.0.1:${PORT}"
SERVER=/usr/share/request-tracker5/libexec/rt-server
SETUP=/usr/sbin/rt-setup-database-5
PIDFILE="$DIR/rt-server.pid"
LOG="$DIR/rt-server.log"

# Both, or Debian's RT_SiteConfig.d (51-dbconfig-common.pm) loads after ours and moves the database to /rtdb.
export RT_SITE_CONFIG="$DIR/RT_SiteConfig.pm"
export RT_SITE_CONFIG_DIR="$DIR/site-config.d"

install_if_missing() {
  if [[ -x $SERVER && -x $SETUP ]]; then return; fi
  if [[ $(id -u) -eq 0 ]]; then
    # No system database, no cron jobs: this script makes its own instance.
    debconf-set-selections <<'PRESEED'
request-tracker5 request-tracker5/dbconfig-install boolean false
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/rtname string backline-test
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1
request-tracker5 request-tracker5/correspondaddress string rt@localhost
request-tracker5 request-tracker5/commentaddress string rt-comment@localhost
PRESEED
  fi
  bash "$HERE/../apt-install.sh" 'Request Tracker' request-tracker5 rt5-db-sqlite rt5-standalone
}

write_config() {
  mkdir -p "$DIR/mason" "$DIR/sessions" "$DIR/mail" "$RT_SITE_CONFIG_DIR"
  chmod 0700 "$DIR"
  cat >"$RT_SITE_CONFIG" <<CONF
# Backline's test RT: written by scripts/rt/rt.sh (rewritten on each up).
Set(\$rtname, 'backline-test');
Set(\$Organization, 'backline.test');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, ${PORT});
Set(\$WebPath, '');
Set(\$WebBaseURL, '${URL}');
Set(\$CanonicalizeRedirectURLs, 0);
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '${DIR}/rt.sqlite');
Set(\$MasonDataDir, '${DIR}/mason');
Set(\$MasonSessionDir, '${DIR}/sessions');
Set(\$LogToSTDERR, 'warning');
Set(\$LogToSyslog, undef);
Set(\$LogToFile, undef);
Set(\$MailCommand, 'testfile');
Set(\$CorrespondAddress, 'rt@localhost');
Set(\$CommentAddress, 'rt-comment@localhost');
Set(\$BcryptCost, 4);
Set(\$Timezone, 'UTC');
1;
CONF
}

pid() { [[ -f $PIDFILE ]] && cat "$PIDFILE"; }

running() {
  local p; p=$(pid) || return 1
  [[ -n $p ]] && kill -0 "$p" 2>/dev/null
}

# RT answers /REST/2.0/rt only to an authenticated user: the engineer's token proves the whole chain.
answers() {
  [[ -f $DIR/engineer.token ]] || return 1
  curl -fsS -m 10 -H "Authorization: token $(cat "$DIR/engineer.token")" "$URL/REST/2.0/rt" 2>/dev/null | grep '"Version"' >/dev/null
}

init_if_needed() {
  if [[ -f $DIR/rt.sqlite && -f $DIR/engineer.token ]]; then return; fi
  rm -f "$DIR/rt.sqlite" "$DIR"/*.token
  echo "Initialising a test RT in $DIR"
  local root_pw="$DIR/root-password"
  [[ -f $root_pw ]] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$root_pw"; chmod 0600 "$root_pw"; }
  "$SETUP" --action init --root-password-file "$root_pw" >"$DIR/init.log" 2>&1 \
    || { echo "RT: initialising the database failed; see $DIR/init.log" >&2; tail -20 "$DIR/init.log" >&2; exit 1; }
  # Users, a queue, rights, tickets, and clear tokens (RT keeps only their hash).
  perl -I/usr/share/request-tracker5/lib "$HERE/seed.pl" "$DIR" >"$DIR/seed.log" 2>&1 \
    || { echo "RT: seeding failed; see $DIR/seed.log" >&2; tail -20 "$DIR/seed.log" >&2; exit 1; }
  echo "RT seeded: $(cat "$DIR/seed.log" | tail -1)"
}

up() {
  install_if_missing
  mkdir -p "$DIR"
  write_config
  if running && answers; then
    echo "RT already running: $URL"
    return
  fi
  if running; then stop_server; fi
  init_if_needed
  # setsid: its own process group, so `down` ends the server and its workers together.
  setsid "$SERVER" --host 127.0.0.1 --port "$PORT" --max-workers 2 >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local waited=0
  until answers; do
    if ! running; then echo "RT: rt-server exited at start; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; fi
    ((waited++ < 1200)) || { echo "RT: no answer on $URL after 120 s; see $LOG" >&2; exit 1; }
    sleep 0.1
  done
  echo "RT up: $URL"
}

stop_server() {
  local p; p=$(pid)
  # SIGTERM (SIGINT as root would chown /var/lib/request-tracker5); the whole group: master and workers.
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$p" 2>/dev/null || true
  rm -f "$PIDFILE"
}

down() {
  if running; then
    stop_server
    echo "RT stopped."
  else
    rm -f "$PIDFILE"
    echo "RT was not running."
  fi
}

status() {
  if running && answers; then echo "RT running: $URL (pid $(pid), state $DIR)"; return 0; fi
  if running; then echo "RT process $(pid) runs but $URL does not answer."; return 1; fi
  echo "RT is not running (state $DIR)."
  return 1
}

env_lines() {
  echo "RT_URL=$URL"
  echo "RT_DIR=$DIR"
  for f in "$DIR"/*.token; do
    [[ -e $f ]] || continue
    local name; name=$(basename "$f" .token)
    echo "RT_TOKEN_FILE_${name^^}=$f"
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) env_lines ;;
  url) echo "$URL" ;;
  wipe) down; rm -rf "$DIR"; echo "Removed $DIR" ;;
  *) echo "usage: $0 up|down|status|env|url|wipe" >&2; exit 2 ;;
esac
