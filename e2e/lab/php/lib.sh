# The lab's PHP server (php1, issue 12 item 8): helpers for up.sh, down.sh, status.sh, check.sh
# and php/ctl.sh. Sourced by ../lib.sh, never run.
# shellcheck shell=bash disable=SC2034 # variables for the scripts that source this

PHP_DIR="$LAB_DIR/php"
PHP_SITE_SRC="$PHP_DIR/site"
PHP_STATE="$STATE/$LAB_PHP_HOST"
# What php1 sees as /srv, /var/log and /run (its sshd, nginx and php-fpm bind-mount them there).
PHP_SRV="$PHP_STATE/srv"
PHP_LOG="$PHP_STATE/log"
PHP_RUN="$LAB_PHP_RUN_DIR"
# "v1 <dir>" or "v2 <dir>": the memory cgroup up.sh made, as it made it.
PHP_CGROUP_FILE="$PHP_STATE/cgroup"

php_ns() { printf '%s\n' "${LAB_HOSTS[@]}" | awk -F'|' -v n="$LAB_PHP_HOST" '$1 == n { print $2 }'; }
php_addr() { printf '%s\n' "${LAB_HOSTS[@]}" | awk -F'|' -v n="$LAB_PHP_HOST" '$1 == n { print $3 }'; }
is_php_host() { [[ $1 == "$LAB_PHP_HOST" ]]; }

# Debian's php-fpm binary (/usr/sbin/php-fpm8.2) and its version (8.2): the newest installed.
php_fpm_bin() { compgen -G '/usr/sbin/php-fpm[0-9]*' | sort -V | tail -1; }
php_version() { local bin; bin=$(php_fpm_bin); [[ -n $bin ]] && echo "${bin#/usr/sbin/php-fpm}"; }

# php1's own /etc/php and /etc/nginx: `ip netns exec` mounts them over /etc for everything on php1.
php_etc() { echo "/etc/netns/$(php_ns)/php"; }
nginx_etc() { echo "/etc/netns/$(php_ns)/nginx"; }

# Pid files as php1 sees them (/run is PHP_RUN there).
php_fpm_pidfile() { echo "$PHP_RUN/php/php$(php_version)-fpm.pid"; }
php_nginx_pidfile() { echo "$PHP_RUN/nginx.pid"; }

# 384M -> 402653184 (K, M, G: powers of 1024; a plain number is bytes).
size_bytes() {
  local n=${1%[KkMmGg]} unit=${1: -1}
  [[ $n =~ ^[0-9]+$ ]] || return 1
  case $unit in
    [Kk]) echo $((n << 10)) ;;
    [Mm]) echo $((n << 20)) ;;
    [Gg]) echo $((n << 30)) ;;
    [0-9]) echo "$1" ;;
    *) return 1 ;;
  esac
}

# --- the memory cgroup ---------------------------------------------------------------------------
# Where a memory cgroup can be had: "v2 <dir>" on a cgroup2 mount whose root offers the memory
# controller, else "v1 <dir>" in a cgroup v1 memory hierarchy (a container on a hybrid host: its
# cgroup2 mount has no memory controller). Nothing printed, status 1: neither.
php_cgroup_locate() {
  local _dev mnt type opts _rest
  while read -r _dev mnt type opts _rest; do
    [[ $type == cgroup2 && -r $mnt/cgroup.controllers ]] || continue
    if grep -qw memory "$mnt/cgroup.controllers"; then echo "v2 $mnt/$LAB_PHP_CGROUP"; return 0; fi
  done </proc/mounts
  while read -r _dev mnt type opts _rest; do
    [[ $type == cgroup && ,$opts, == *,memory,* ]] || continue
    echo "v1 $mnt/$LAB_PHP_CGROUP"
    return 0
  done </proc/mounts
  return 1
}

# The cgroup up.sh made ("v1 <dir>" / "v2 <dir>"), or nothing.
php_cgroup() {
  local line
  [[ -r $PHP_CGROUP_FILE ]] && line=$(<"$PHP_CGROUP_FILE") && [[ -d ${line#* } ]] && echo "$line"
  return 0
}

# The cgroup.procs file php1's processes are put in (nothing when there is no cgroup).
php_cgroup_procs() { local cg; cg=$(php_cgroup); [[ -n $cg ]] && echo "${cg#* }/cgroup.procs"; return 0; }

# Makes php1's memory cgroup (or sets it to lab.env's size): memory.max and memory.swap.max 0 on
# cgroup v2; memory.limit_in_bytes and memory.memsw.limit_in_bytes (memory plus swap: the same, so no
# swap) on v1. Dies with one clear line when no memory cgroup can be had.
php_cgroup_ensure() {
  local where ver dir bytes
  where=$(php_cgroup_locate) || die "no memory cgroup can be had here (no cgroup2 mount with the memory controller, no cgroup v1 memory hierarchy: see \`mount | grep cgroup\`); $LAB_PHP_HOST runs a site that eats memory and must be capped, so it is not started"
  ver=${where%% *}
  dir=${where#* }
  bytes=$(size_bytes "$LAB_PHP_MEMORY_MAX") || die "lab.env: LAB_PHP_MEMORY_MAX '$LAB_PHP_MEMORY_MAX' is not a size (384M)"
  if [[ $ver == v2 ]]; then
    grep -qw memory "${dir%/*}/cgroup.subtree_control" 2>/dev/null || echo +memory >"${dir%/*}/cgroup.subtree_control" \
      || die "cannot enable the memory controller in ${dir%/*}/cgroup.subtree_control (cgroup v2) for $LAB_PHP_HOST"
    [[ -d $dir ]] || { mkdir "$dir" || die "cannot make the memory cgroup $dir"; log "made the memory cgroup $dir (cgroup v2, memory.max $LAB_PHP_MEMORY_MAX, no swap)"; }
    [[ $(<"$dir/memory.max") == "$bytes" ]] || echo "$bytes" >"$dir/memory.max" || die "cannot set $dir/memory.max"
    if [[ -e $dir/memory.swap.max ]]; then
      [[ $(<"$dir/memory.swap.max") == 0 ]] || echo 0 >"$dir/memory.swap.max" || die "cannot set $dir/memory.swap.max"
    fi
  else
    [[ -d $dir ]] || { mkdir "$dir" || die "cannot make the memory cgroup $dir"; log "made the memory cgroup $dir (cgroup v1: this machine's cgroup2 has no memory controller; limit $LAB_PHP_MEMORY_MAX, no swap)"; }
    # memsw (memory + swap) may never be below the memory limit: raise it first, lower it last.
    if [[ $(<"$dir/memory.limit_in_bytes") != "$bytes" ]]; then
      [[ -e $dir/memory.memsw.limit_in_bytes ]] && { echo "$bytes" >"$dir/memory.memsw.limit_in_bytes"; } 2>/dev/null || true
      echo "$bytes" >"$dir/memory.limit_in_bytes" || die "cannot set $dir/memory.limit_in_bytes"
    fi
    if [[ -e $dir/memory.memsw.limit_in_bytes && $(<"$dir/memory.memsw.limit_in_bytes") != "$bytes" ]]; then
      echo "$bytes" >"$dir/memory.memsw.limit_in_bytes" || die "cannot set $dir/memory.memsw.limit_in_bytes"
    fi
  fi
  mkdir -p "$PHP_STATE"
  echo "$ver $dir" >"$PHP_CGROUP_FILE"
}

# The cgroup's OOM kills so far (memory.events on v2, memory.oom_control on v1), or nothing.
php_oom_kills() {
  local cg ver dir
  cg=$(php_cgroup)
  [[ -n $cg ]] || return 0
  ver=${cg%% *}
  dir=${cg#* }
  if [[ $ver == v2 ]]; then awk '$1 == "oom_kill" { print $2 }' "$dir/memory.events"
  else awk '$1 == "oom_kill" { print $2 }' "$dir/memory.oom_control"; fi
}

# The cgroup's memory cap and current use, in bytes: "limit usage".
php_cgroup_memory() {
  local cg ver dir
  cg=$(php_cgroup)
  [[ -n $cg ]] || return 0
  ver=${cg%% *}
  dir=${cg#* }
  if [[ $ver == v2 ]]; then echo "$(<"$dir/memory.max") $(<"$dir/memory.current")"
  else echo "$(<"$dir/memory.limit_in_bytes") $(<"$dir/memory.usage_in_bytes")"; fi
}

# Removes the cgroup (down.sh): whatever is still in it is the lab's, and is ended first.
php_cgroup_remove() {
  local where dir pids i
  where=$(php_cgroup_locate) || return 0
  dir=${where#* }
  [[ -d $dir ]] || { rm -f "$PHP_CGROUP_FILE"; return 0; }
  for ((i = 0; i < 20; i++)); do
    mapfile -t pids <"$dir/cgroup.procs"
    ((${#pids[@]})) || break
    kill_pids "${pids[@]}"
    sleep 0.1
  done
  rmdir "$dir" 2>/dev/null || { warn "could not remove the memory cgroup $dir"; return 1; }
  rm -f "$PHP_CGROUP_FILE"
}

# Every process in php1's network namespace goes into its cgroup (sessions and daemons started
# before the cgroup existed, or by hand with `ip netns exec`).
php_cgroup_adopt() {
  local procs pid
  procs=$(php_cgroup_procs)
  [[ -n $procs ]] || return 0
  for pid in $(ip netns pids "$(php_ns)" 2>/dev/null); do
    grep -qx "$pid" "$procs" 2>/dev/null || echo "$pid" >"$procs" 2>/dev/null || true
  done
}

# --- running things on php1 ------------------------------------------------------------------------
# The bind mounts that make php1 a server of its own, as "source target" pairs, one argument each:
# its docroot under /srv, its logs in /var/log, its /run (FPM's socket and pid file, nginx's pid).
# And the memory cgroup hierarchy on /sys/fs/cgroup (php/mounts.sh).
php_mounts() {
  local cg
  printf '%s\n' "$PHP_SRV" /srv "$PHP_LOG" /var/log "$PHP_RUN" /run
  cg=$(php_cgroup)
  [[ -z $cg ]] || printf '%s\n' "cgroupfs:${cg%% *}" /sys/fs/cgroup
}
PHP_MOUNTS_SCRIPT="$PHP_DIR/mounts.sh"

# Runs a command on php1: in its network namespace with its /etc overlays (ip netns exec), a mount
# namespace of its own with php1's /srv, /var/log and /run, a UTS namespace named php1, and in its
# memory cgroup. A daemon started this way (php-fpm, nginx) stays there.
php_run() {
  local procs mounts
  procs=$(php_cgroup_procs)
  [[ -n $procs ]] || die "$LAB_PHP_HOST has no memory cgroup (run up.sh)"
  mapfile -t mounts < <(php_mounts)
  # The cgroup is joined before `ip netns exec`, which mounts a sysfs of the namespace's own on /sys.
  # shellcheck disable=SC2016 # the inner shells' arguments
  /bin/sh -c 'echo $$ >"$1" || exit 1; shift; exec "$@"' sh "$procs" \
  ip netns exec "$(php_ns)" unshare --uts --mount --propagation private -- /bin/sh -c '
    hostname "$1" || exit 1
    shift
    exec /bin/sh "$@"' sh "$LAB_PHP_HOST" "$PHP_MOUNTS_SCRIPT" "${mounts[@]}" -- "$@"
}

# The pid in a pid file when that process is alive, runs $2 (its comm starts with it) and lives in
# php1's network namespace; nothing otherwise.
php_daemon_pid() { # pidfile comm-prefix
  local pid
  [[ -r $1 ]] || return 0
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 0
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2"* ]] || return 0
  [[ $(stat -Lc '%i' "/proc/$pid/ns/net" 2>/dev/null) == "$(stat -Lc '%i' "/run/netns/$(php_ns)" 2>/dev/null)" ]] || return 0
  echo "$pid"
}
php_fpm_pid() { php_daemon_pid "$(php_fpm_pidfile)" php-fpm; }

# Whether process $1 sees this checkout's php1: its /srv and /var/log are PHP_SRV and PHP_LOG (an
# nginx or php-fpm that another checkout's lab started in bl-php1 sees that checkout's state/), and
# its configuration ($2: /etc/php or /etc/nginx) is the one in /etc/netns now (not a copy since replaced).
php_sees_ours() { # pid /etc/php|/etc/nginx
  local pair etc
  etc=$(php_etc)
  [[ $2 == /etc/nginx ]] && etc=$(nginx_etc)
  for pair in "/srv|$PHP_SRV" "/var/log|$PHP_LOG" "$2|$etc"; do
    [[ $(stat -Lc '%d:%i' "/proc/$1/root${pair%%|*}" 2>/dev/null) == "$(stat -Lc '%d:%i' "${pair#*|}")" ]] || return 1
  done
}

# nginx and php-fpm processes in php1's namespace that do not see this checkout's php1 as it is
# now: ended, so up.sh starts its own (their pid files, in the shared /run/backline-lab/php1, would
# pass for ours, and a reload would read the old files).
php_end_foreign_daemons() {
  local pid comm foreign=()
  for pid in $(ip netns pids "$(php_ns)" 2>/dev/null); do
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    case $comm in
      php-fpm*) php_sees_ours "$pid" /etc/php || foreign+=("$pid") ;;
      nginx) php_sees_ours "$pid" /etc/nginx || foreign+=("$pid") ;;
    esac
  done
  ((${#foreign[@]})) || return 0
  log "ending nginx/php-fpm in $(php_ns) that see another php1 (another checkout's lab, or /etc/netns/$(php_ns) files since replaced): pids ${foreign[*]}"
  kill_pids "${foreign[@]}"
}
php_nginx_pid() { php_daemon_pid "$(php_nginx_pidfile)" nginx; }

# Asks php1 itself (in its namespace) for a URL on its own loopback; prints the body.
php_local_get() { # path
  ip netns exec "$(php_ns)" curl -s --max-time 5 -o - -w '' "http://127.0.0.1$1"
}

# Writes php1's configuration and site (only what differs): its /etc/php (a copy of this machine's,
# plus the shop pool), its /etc/nginx (a copy, with the shop site instead of Debian's default), the
# docroot, its log and run directories. Sets PHP_FPM_CHANGED and PHP_NGINX_CHANGED to 1 when FPM's
# or nginx's configuration changed. $1: the shop pool's memory_limit (lab.env's by default).
php_write_config() {
  local limit=${1:-$LAB_PHP_FPM_MEMORY_LIMIT} ver etc_php etc_nginx f rel docroot
  ver=$(php_version)
  [[ -n $ver ]] || die "php-fpm is missing (/usr/sbin/php-fpmX.Y): run \`sudo bash e2e/lab/install.sh\`"
  etc_php=$(php_etc)
  etc_nginx=$(nginx_etc)
  PHP_FPM_CHANGED=0
  PHP_NGINX_CHANGED=0
  [[ -d /etc/php/$ver/fpm/pool.d ]] || die "/etc/php/$ver/fpm/pool.d is missing: run \`sudo bash e2e/lab/install.sh\`"
  [[ -f /etc/nginx/nginx.conf ]] || die "/etc/nginx/nginx.conf is missing: run \`sudo bash e2e/lab/install.sh\`"
  # A copy of Debian's configuration, made once: php1 is a server with the packages' defaults.
  # (Completed when it lacks this PHP's version: Debian's packages moved to another PHP.) Copied
  # into the directory, never replacing it: running sshd, nginx and php-fpm have it mounted, and a
  # directory deleted under a mount leaves them an empty /etc/php.
  if [[ ! -d $etc_php/$ver ]]; then mkdir -p "$etc_php"; cp -a /etc/php/. "$etc_php/"; PHP_FPM_CHANGED=1; fi
  if [[ ! -f $etc_nginx/nginx.conf ]]; then mkdir -p "$etc_nginx"; cp -a /etc/nginx/. "$etc_nginx/"; PHP_NGINX_CHANGED=1; fi
  sed -e "s|@PHP_VERSION@|$ver|g" -e "s|@MEMORY_LIMIT@|$limit|g" -e "s|@MAX_CHILDREN@|$LAB_PHP_MAX_CHILDREN|g" \
    "$PHP_DIR/pool-$LAB_PHP_POOL.conf" | write_if_changed "$etc_php/$ver/fpm/pool.d/$LAB_PHP_POOL.conf" 0644 && PHP_FPM_CHANGED=1
  sed -e "s|@PHP_VERSION@|$ver|g" -e "s|@DOCROOT@|$LAB_PHP_DOCROOT|g" "$PHP_DIR/nginx-$LAB_PHP_POOL.conf" \
    | write_if_changed "$etc_nginx/sites-available/$LAB_PHP_POOL" 0644 && PHP_NGINX_CHANGED=1
  if [[ $(readlink "$etc_nginx/sites-enabled/$LAB_PHP_POOL" 2>/dev/null) != "/etc/nginx/sites-available/$LAB_PHP_POOL" ]]; then
    ln -sfn "/etc/nginx/sites-available/$LAB_PHP_POOL" "$etc_nginx/sites-enabled/$LAB_PHP_POOL"
    PHP_NGINX_CHANGED=1
  fi
  if [[ -e $etc_nginx/sites-enabled/default || -L $etc_nginx/sites-enabled/default ]]; then
    rm -f "$etc_nginx/sites-enabled/default"
    PHP_NGINX_CHANGED=1
  fi
  # The docroot (/srv/www/shop on php1): the site's files, owned by root and readable by www-data
  # as a deployment leaves them. Files a test added there are left alone.
  docroot=$PHP_SRV/${LAB_PHP_DOCROOT#/srv/}
  [[ $LAB_PHP_DOCROOT == /srv/* ]] || die "lab.env: LAB_PHP_DOCROOT must be under /srv (php1's /srv is $PHP_SRV)"
  install -d -m 0755 "$PHP_STATE" "$PHP_SRV" "$docroot"
  while IFS= read -r -d '' f; do
    rel=${f#"$PHP_SITE_SRC"/}
    install -d -m 0755 "$(dirname "$docroot/$rel")"
    write_if_changed "$docroot/$rel" 0644 <"$f" || true
  done < <(find "$PHP_SITE_SRC" -type f -print0)
  # Its logs (/var/log): nginx's and FPM's are written by root, PHP's own by the pool's user.
  install -d -m 0755 "$PHP_LOG" "$PHP_LOG/nginx"
  install -d -m 0755 -o www-data -g www-data "$PHP_LOG/php"
  # Its /run: sshd's privilege separation directory, FPM's sockets and pid file.
  install -d -m 0755 "$PHP_RUN" "$PHP_RUN/sshd"
  install -d -m 0755 -o www-data -g www-data "$PHP_RUN/php"
}

# Starts php-fpm and nginx on php1 when they are not running; reloads them when told their
# configuration changed (FPM: SIGUSR2, graceful; nginx: SIGHUP). $1, $2: 1 to reload FPM, nginx.
php_services_ensure() {
  local reload_fpm=${1:-0} reload_nginx=${2:-0} pid out bin i
  bin=$(php_fpm_bin)
  php_end_foreign_daemons
  pid=$(php_fpm_pid)
  # Tested only before a start or reload: `php-fpm -t` logs its verdict to FPM's log each time.
  if [[ -z $pid ]] || ((reload_fpm)); then
    out=$(php_run "$bin" -t 2>&1) || die "php-fpm rejects $LAB_PHP_HOST's configuration: $out"
  fi
  if [[ -z $pid ]]; then
    rm -f "$(php_fpm_pidfile)" "$PHP_RUN/php/"*.sock
    php_run "$bin" --fpm-config "/etc/php/$(php_version)/fpm/php-fpm.conf" </dev/null >/dev/null 2>&1 9>&- \
      || die "php-fpm did not start on $LAB_PHP_HOST: see $PHP_LOG/php$(php_version)-fpm.log"
    log "started php-fpm on $LAB_PHP_HOST"
  elif ((reload_fpm)); then
    kill -USR2 "$pid"
    log "reloaded php-fpm on $LAB_PHP_HOST (configuration changed)"
  fi
  out=$(php_run /usr/sbin/nginx -t 2>&1) || die "nginx rejects $LAB_PHP_HOST's configuration: $out"
  pid=$(php_nginx_pid)
  if [[ -z $pid ]]; then
    rm -f "$(php_nginx_pidfile)"
    php_run /usr/sbin/nginx </dev/null >/dev/null 2>&1 9>&- || die "nginx did not start on $LAB_PHP_HOST: see $PHP_LOG/nginx/error.log"
    log "started nginx on $LAB_PHP_HOST"
  elif ((reload_nginx)); then
    kill -HUP "$pid"
    log "reloaded nginx on $LAB_PHP_HOST (configuration changed)"
  fi
  # Both must answer: FPM's ping page through nginx, from php1 itself.
  for ((i = 0; i < 50; i++)); do
    [[ $(php_local_get /fpm-ping 2>/dev/null) == pong ]] && return 0
    sleep 0.1
  done
  die "$LAB_PHP_HOST: nginx or php-fpm does not answer http://127.0.0.1/fpm-ping (see $PHP_LOG/nginx/shop.error.log and $PHP_LOG/php$(php_version)-fpm.log)"
}

# memory_limit in php1's php.ini of SAPI $1 (fpm, cli), as Debian ships it.
php_ini_memory_limit() { sed -n 's/^memory_limit *= *//p' "$(php_etc)/$(php_version)/$1/php.ini" | tail -1; }

# lab.json's "php" entry (one line, with its trailing comma): the PHP server, its site, pool, cgroup,
# and its logs both as php1 sees them and as this machine does.
php_json() {
  local cg ver logdir_on l paths=''
  cg=$(php_cgroup)
  ver=$(php_version)
  for l in "fpm|php$ver-fpm.log" "error|php/shop-error.log" "slow|php/shop-slow.log" \
    "nginxError|nginx/shop.error.log" "nginxAccess|nginx/shop.access.log"; do
    paths+="${paths:+, }$(json_str "${l%%|*}"): {\"server\": $(json_str "/var/log/${l#*|}"), \"local\": $(json_str "$PHP_LOG/${l#*|}")}"
  done
  printf '  "php": {"host": %s, "address": %s, "port": 80, "docroot": %s, "docrootLocal": %s, "pool": %s, "phpVersion": %s,' \
    "$(json_str "$LAB_PHP_HOST")" "$(json_str "$(php_addr)")" "$(json_str "$LAB_PHP_DOCROOT")" \
    "$(json_str "$PHP_SRV/${LAB_PHP_DOCROOT#/srv/}")" "$(json_str "$LAB_PHP_POOL")" "$(json_str "$ver")"
  printf ' "fpmMemoryLimit": %s, "iniMemoryLimitFpm": %s, "iniMemoryLimitCli": %s, "maxChildren": %d, "statusPath": "/fpm-status",' \
    "$(json_str "$LAB_PHP_FPM_MEMORY_LIMIT")" "$(json_str "$(php_ini_memory_limit fpm)")" "$(json_str "$(php_ini_memory_limit cli)")" "$LAB_PHP_MAX_CHILDREN"
  printf ' "cgroup": {"version": %s, "path": %s, "memoryMax": %d},' \
    "$(json_str "${cg%% *}")" "$(json_str "${cg#* }")" "$(size_bytes "$LAB_PHP_MEMORY_MAX")"
  printf ' "logs": {%s}, "ctl": %s},\n' "$paths" "$(json_str "$PHP_DIR/ctl.sh")"
}
