# Shared helpers for the lab scripts. Sourced, never run.
# shellcheck shell=bash disable=SC2034 # variables for the scripts that source this

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lab.env
source "$LAB_DIR/lab.env"

STATE="$LAB_DIR/state"
KEYS="$STATE/keys"
AUTH_KEYS="$STATE/authorized_keys"
KNOWN_HOSTS="$STATE/known_hosts"
SSH_CONFIG="$STATE/ssh_config"
LAB_JSON="$STATE/lab.json"
FLEET_COUNT_FILE="$STATE/fleet.count"
OPS_PASSWORD_FILE="$STATE/$LAB_OPS_USER.password"
# Marks files and accounts the lab created, so teardown removes only its own.
LAB_MARK="Backline lab"
LAB_LOCK=/run/backline-lab.lock
SSHD=/usr/sbin/sshd

log() { printf '[lab] %s\n' "$*"; }
warn() { printf '[lab] warning: %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [[ $EUID -eq 0 ]] || die "needs root: run it as \`sudo bash e2e/lab/$(basename "$0")\`"
}

# One lab script at a time (tests may run in parallel): an exclusive lock on a file in /run.
take_lock() {
  exec 9>"$LAB_LOCK"
  if ! flock -w 120 9; then die "another lab script holds $LAB_LOCK for over 2 minutes"; fi
}

# Prints the wanted hosts, one per line: name|namespace|address|network|private-address.
# $1: fleet size.
lab_hosts() {
  local fleet=${1:-0} i base last
  printf '%s\n' "${LAB_HOSTS[@]}"
  base=${LAB_FLEET_BASE%.*}
  last=${LAB_FLEET_BASE##*.}
  for ((i = 1; i <= fleet; i++)); do
    printf 'fleet%02d|%sfleet%02d|%s.%d|public|\n' "$i" "$LAB_NS_PREFIX" "$i" "$base" "$((last + i))"
  done
}

# The IPv6 address of host or head $1 whose IPv4 address is $2: fd77::<its last number> when $1 is
# in LAB_DUAL_STACK (and on the workstation network), nothing otherwise.
addr6_of() { # name ipv4-address
  [[ " $LAB_DUAL_STACK " == *" $1 "* ]] || return 0
  echo "${LAB_NET6%%::*}::${2##*.}"
}

# Whether host $1 restores its rules at boot with netfilter-persistent (LAB_PERSISTENT_HOSTS).
is_persistent_host() { [[ " $LAB_PERSISTENT_HOSTS " == *" $1 "* ]]; }

# sshd's MaxSessions for host $1: LAB_HOST_MAX_SESSIONS's entry for it, else LAB_MAX_SESSIONS.
host_max_sessions() {
  local entry
  for entry in $LAB_HOST_MAX_SESSIONS; do
    [[ ${entry%%:*} == "$1" ]] && { echo "${entry#*:}"; return 0; }
  done
  echo "$LAB_MAX_SESSIONS"
}

# The accounts the lab creates (root is not one of them), one per line: bl-deploy, bl-ops, then
# the users of LAB_SHELL_USERS.
lab_users() {
  local u
  printf '%s\n' "$LAB_DEPLOY_USER" "$LAB_OPS_USER"
  for u in "${LAB_SHELL_USERS[@]}"; do echo "${u%%|*}"; done
}

# Login shells up.sh added to /etc/shells (normally none: the shells' packages list themselves);
# down.sh --purge takes them out again.
SHELLS_ADDED_FILE="$STATE/shells.added"

# The fleet size recorded by the last `up` (0 when none).
recorded_fleet() {
  local n=0
  [[ -r $FLEET_COUNT_FILE ]] && n=$(<"$FLEET_COUNT_FILE")
  [[ $n =~ ^[0-9]+$ ]] || n=0
  echo "$n"
}

# The lab's namespaces that exist now.
existing_lab_netns() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${LAB_NS_PREFIX}" || true
}

# /etc/netns/<ns> directories written by up.sh carry the mark in their hosts file.
is_lab_etc_netns() { [[ -f $1/hosts ]] && grep -q "$LAB_MARK" "$1/hosts"; }

netns_exists() { [[ -e /run/netns/$1 ]]; }

host_dir() { echo "$STATE/$1"; }

# Host key types of a host: the fleet has its own list (RSA generation is slow, and a fleet of
# 20 would spend most of a cold `up` on it).
host_key_types() {
  if [[ $1 == fleet* ]]; then echo "$LAB_FLEET_HOST_KEY_TYPES"; else echo "$LAB_HOST_KEY_TYPES"; fi
}

# Root-namespace (or private-namespace) end of a host's veth: short, under 15 characters.
veth_public() { echo "blv-$1"; }
veth_private() { echo "blp-$1"; }

# PID of a host's running sshd listener, or nothing. Checks that the pid file's process is an
# sshd started with this host's config and that it lives in the host's network namespace.
sshd_pid() {
  local name=$1 ns=$2 dir pid cmd
  dir=$(host_dir "$name")
  [[ -r $dir/sshd.pid ]] || return 0
  pid=$(<"$dir/sshd.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  [[ -r /proc/$pid/cmdline ]] || return 0
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 0
  [[ $cmd == *"-f $dir/sshd_config"* ]] || return 0
  netns_exists "$ns" || return 0
  [[ $(stat -Lc '%i' "/proc/$pid/ns/net" 2>/dev/null) == "$(stat -Lc '%i' "/run/netns/$ns")" ]] || return 0
  echo "$pid"
}

# A process is alive while /proc has it and it is not a zombie (PID 1 here may reap late).
pid_alive() {
  local stat
  stat=$(cat 2>/dev/null "/proc/$1/stat") || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# Ends processes by id: TERM, then KILL for those still alive after ~2 s.
kill_pids() {
  local pids=("$@") pid alive i
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    alive=()
    for pid in "${pids[@]}"; do pid_alive "$pid" && alive+=("$pid"); done
    ((${#alive[@]})) || return 0
    sleep 0.1
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
}

# sshd listeners started by the lab, found by their config path under state/ (for pid files
# that were lost). Prints pids.
lab_sshd_pids_by_config() {
  local pid cmd
  for pid in $(pgrep -x sshd 2>/dev/null || true); do
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    [[ $cmd == *"-f $STATE/"*"/sshd_config"* ]] && echo "$pid"
  done
  return 0
}

# --- web heads (story 2's remote site) ---------------------------------------------------------
HEAD_SCRIPT="$LAB_DIR/web-head.js"

# Prints the heads, one per line: name|namespace|address|status.
lab_heads() { printf '%s\n' "${LAB_HEADS[@]}"; }

# The command line a head runs with (after node), one argument per line; up.sh starts it and
# head_pid recognises it.
head_args() { # name address status
  local ports body=0 addresses=$2 v6
  ports=$(tr ' ' ',' <<<"$LAB_HEAD_PORTS")
  [[ $3 == 400 ]] && body=$LAB_HEAD_BAD_BODY_BYTES
  v6=$(addr6_of "$1" "$2")
  [[ -n $v6 ]] && addresses+=",$v6"
  printf '%s\n' "$HEAD_SCRIPT" --name "$1" --address "$addresses" --ports "$ports" --status "$3" \
    --body-bytes "$body" --pid-file "$(host_dir "$1")/web-head.pid"
}

# PID of a head's running web-head.js, or nothing: the pid file's process must run web-head.js
# with exactly the arguments lab.env asks for now, in the head's network namespace.
head_pid() { # name namespace address status
  local dir pid cmd want
  dir=$(host_dir "$1")
  [[ -r $dir/web-head.pid ]] || return 0
  pid=$(<"$dir/web-head.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  pid_alive "$pid" || return 0
  cmd=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | tail -n +2) || return 0
  want=$(head_args "$1" "$3" "$4")
  [[ $cmd == "$want" ]] || return 0
  netns_exists "$2" || return 0
  [[ $(stat -Lc '%i' "/proc/$pid/ns/net" 2>/dev/null) == "$(stat -Lc '%i' "/run/netns/$2")" ]] || return 0
  echo "$pid"
}

# web-head.js processes of this lab, found by their command line (the script and a pid file
# under state/), whatever their pid files say. Prints pids.
lab_head_pids_by_cmdline() {
  local pid cmd
  for pid in $(pgrep -f 'web-head\.js' 2>/dev/null || true); do
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    [[ $cmd == *" $HEAD_SCRIPT "*"--pid-file $STATE/"*"/web-head.pid"* ]] && pid_alive "$pid" && echo "$pid"
  done
  return 0
}

# Stops everything running in a lab namespace and deletes it, with its /etc/netns files.
teardown_netns() {
  local ns=$1 pids
  if netns_exists "$ns"; then
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null || true)
    kill_pids "${pids[@]}"
    ip netns delete "$ns" 2>/dev/null || warn "could not delete namespace $ns"
  fi
  if is_lab_etc_netns "/etc/netns/$ns"; then rm -rf "/etc/netns/${ns:?}"; fi
  rmdir /etc/netns 2>/dev/null || true
}

# Root-namespace veths of the lab (blv-*), and the bridge.
lab_root_veths() {
  ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^blv-' || true
}

# Writes stdin to a file under /etc/netns in place (same inode) when it differs: `ip netns exec`
# bind-mounts the file itself, so a running sshd and its sessions see the new content at once.
# A file that is new, or replaced, is bind-mounted into running sshds by up.sh's sync_etc_netns.
etc_netns_file() { # file
  local tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [[ ! -f $1 ]]; then
    install -m 0644 "$tmp" "$1"
  elif ! cmp -s "$tmp" "$1"; then
    cat "$tmp" >"$1"
  fi
  rm -f "$tmp"
}

# The /etc/hosts of lab host $1: its own name, and on the customer servers (LAB_FEEDS_CLIENTS) the
# remote site, one line per head and address, in lab.env's order, or with the heads named after $1
# first (php/ctl.sh feeds head3: what a round-robin DNS answer starting with head3 does to the site).
etc_hosts_of() { # name [head...]
  local name=$1 hd hname haddr v6 first
  shift
  printf '# %s: /etc/hosts of %s\n127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$LAB_MARK" "$name" "$name"
  [[ " $LAB_FEEDS_CLIENTS " == *" $name "* ]] || return 0
  printf '# The remote site served by the web heads, one line per head and address.\n'
  {
    for first in "$@"; do lab_heads | grep "^$first|"; done
    lab_heads | grep -v -x -F -f <(for first in "$@"; do lab_heads | grep "^$first|"; done; echo '#none#')
  } | while IFS='|' read -r hname _ haddr _; do
    printf '%s\t%s\n' "$haddr" "$LAB_FEEDS_NAME"
    v6=$(addr6_of "$hname" "$haddr")
    [[ -z $v6 ]] || printf '%s\t%s\n' "$v6" "$LAB_FEEDS_NAME"
  done
}

# Writes stdin to $1 only when the content differs; returns 0 when it changed the file.
write_if_changed() {
  local file=$1 mode=$2 tmp
  tmp=$(mktemp "$file.tmp.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    chmod "$mode" "$file"
    return 1
  fi
  mv -f "$tmp" "$file"
  return 0
}

json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

# The PHP server php1 (nginx, php-fpm, its memory cgroup): e2e/lab/php/lib.sh.
# shellcheck source=php/lib.sh
source "$LAB_DIR/php/lib.sh"
