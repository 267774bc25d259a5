#!/usr/bin/env bash
# Takes the lab down: ends its sshd and web head processes (and anything else running in its
# namespaces: php1's nginx and php-fpm too), deletes its namespaces, veths and bridge, and php1's
# memory cgroup.
#   sudo bash e2e/lab/down.sh [--purge]
# --purge also removes the lab's users (bl-deploy, bl-ops and the shell users of LAB_SHELL_USERS,
# with their homes), its sudoers file and state/ (keys, passwords, host keys).
# Idempotent, and works on a half-up lab: every step tolerates what is already gone.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PURGE=0
while (($#)); do
  case $1 in
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (usage: down.sh [--purge])" ;;
  esac
done
require_root
[[ ${LAB_LOCK_HELD:-0} == 1 ]] || take_lock

# The lab is no longer up as soon as teardown starts.
rm -f "$LAB_JSON"

# 0. The lab's VMs (Debian's kernel under QEMU, vm/): they are not in a namespace, but they are the lab's.
bash "$LAB_DIR/vm/down.sh" || true

# 1. sshd listeners by pid file, then any left by their config path under state/.
pids=()
for pidfile in "$STATE"/*/sshd.pid; do
  [[ -r $pidfile ]] || continue
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || { rm -f "$pidfile"; continue; }
  [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *"-f $(dirname "$pidfile")/sshd_config"* ]] && pids+=("$pid")
done
mapfile -t -O "${#pids[@]}" pids < <(lab_sshd_pids_by_config)
kill_pids "${pids[@]}"
rm -f "$STATE"/*/sshd.pid

# 1b. Web heads by pid file, then any left by their command line (the script and a pid file
#     under state/): processes outlive their namespace's deletion.
pids=()
for pidfile in "$STATE"/*/web-head.pid; do
  [[ -r $pidfile ]] || continue
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || { rm -f "$pidfile"; continue; }
  [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *" $HEAD_SCRIPT "*"--pid-file $pidfile"* ]] && pids+=("$pid")
done
mapfile -t -O "${#pids[@]}" pids < <(lab_head_pids_by_cmdline)
kill_pids "${pids[@]}"
rm -f "$STATE"/*/web-head.pid

# 2. Every lab namespace: what still runs in it (sessions, their shells) is ended, then it goes.
namespaces=$(existing_lab_netns)
for ns in $namespaces; do teardown_netns "$ns"; done
# /etc/netns entries of namespaces that are already gone.
for dir in /etc/netns/"$LAB_NS_PREFIX"*; do
  is_lab_etc_netns "$dir" && teardown_netns "$(basename "$dir")"
done

# 2b. php1's memory cgroup (anything still in it is the lab's, and is ended) and its /run.
php_cgroup_remove
if [[ -d $PHP_RUN ]]; then
  rm -rf "${PHP_RUN:?}"
  rmdir "$(dirname "$PHP_RUN")" 2>/dev/null || true
fi

# 3. Root-namespace veths (normally gone with their namespaces) and the bridge.
for veth in $(lab_root_veths); do ip link delete "$veth" 2>/dev/null || true; done
if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then ip link delete "$LAB_BRIDGE" type bridge; fi

# 4. --purge: accounts, sudoers, state.
if ((PURGE)); then
  for user in $(lab_users); do
    entry=$(getent passwd "$user") || continue
    if [[ $(cut -d: -f5 <<<"$entry") != "$LAB_MARK" ]]; then
      warn "user $user was not created by the lab (no '$LAB_MARK' comment): left alone"
      continue
    fi
    mapfile -t upids < <(pgrep -u "$user" 2>/dev/null || true)
    kill_pids "${upids[@]}"
    userdel --remove "$user" 2>/dev/null || userdel "$user" || warn "could not remove user $user"
  done
  if [[ -f $LAB_SUDOERS_FILE ]] && grep -q "$LAB_MARK" "$LAB_SUDOERS_FILE"; then rm -f "$LAB_SUDOERS_FILE"; fi
  # Login shells up.sh had to add to /etc/shells (their packages normally list them themselves).
  if [[ -r $SHELLS_ADDED_FILE ]]; then
    while read -r shell; do
      [[ -n $shell ]] || continue
      if command -v remove-shell >/dev/null; then remove-shell "$shell"; else sed -i "\\|^${shell}\$|d" /etc/shells; fi
    done <"$SHELLS_ADDED_FILE"
  fi
  rm -rf "${STATE:?}"
fi

# Proof, not hope: nothing of the lab may be left.
# Backline's firewall plans leave, on the lab servers (which share this filesystem), saved rules under
# /var/lib/backline and detached rollback/expiry timers: they belong to the lab and go with it.
pkill -f '^(/bin/)?sh -c .* backline-(deadman|expiry|expiry-wait) ' 2>/dev/null || true
rm -rf /var/lib/backline/plans

left=()
[[ -z $(existing_lab_netns) ]] || left+=("namespaces: $(existing_lab_netns | tr '\n' ' ')")
[[ -z $(lab_root_veths) ]] || left+=("veths: $(lab_root_veths | tr '\n' ' ')")
ip link show "$LAB_BRIDGE" >/dev/null 2>&1 && left+=("bridge $LAB_BRIDGE")
[[ -z $(lab_sshd_pids_by_config) ]] || left+=("sshd pids: $(lab_sshd_pids_by_config | tr '\n' ' ')")
[[ -z $(lab_head_pids_by_cmdline) ]] || left+=("web head pids: $(lab_head_pids_by_cmdline | tr '\n' ' ')")
where=$(php_cgroup_locate) && [[ -d ${where#* } ]] && left+=("memory cgroup ${where#* }")
[[ -d $PHP_RUN ]] && left+=("$PHP_RUN")
if ((${#left[@]})); then
  printf '[lab] error: lab not fully down, left: %s\n' "${left[*]}" >&2
  exit 1
fi
if ((PURGE)); then
  echo "Lab down and purged: no namespaces, bridge, veths, sshd, web heads, php1 cgroup, users, sudoers file or state left"
else
  echo "Lab down: no namespaces, bridge, veths, sshd, web heads or php1 cgroup left (users, keys and host keys kept; --purge removes them)"
fi
