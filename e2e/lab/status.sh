#!/usr/bin/env bash
# Prints each lab host (its MaxSessions, whether its sshd answers with the host key the lab gave it),
# each web head and the HTTP status it answers on each of its ports, php1's nginx, php-fpm and memory
# cgroup, and each lab user (its shell).
#   sudo bash e2e/lab/status.sh
# Exit status 0 when every host and head answers as it should and every user is set up, 1
# otherwise. Hosts on the workstation network (and the heads) are asked from the root namespace;
# hosts behind the bastion are asked from inside the bastion's namespace (the only place that
# reaches them).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

FLEET=$(recorded_fleet)
mapfile -t HOSTS < <(lab_hosts "$FLEET")
JUMP_NS=$(lab_hosts "$FLEET" | awk -F'|' -v n="$LAB_JUMP_HOST" '$1 == n { print $2 }')

if [[ -r $LAB_JSON ]]; then echo "lab.json: $LAB_JSON"; else echo "lab.json: missing (the lab is not up)"; fi
if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
  echo "bridge:   $LAB_BRIDGE $(ip -o addr show dev "$LAB_BRIDGE" | awk '{print $4}' | paste -sd' ' -)"
else
  echo "bridge:   $LAB_BRIDGE missing"
fi

down=0
printf '%-9s %-12s %-12s %-10s %-8s %s\n' HOST NAMESPACE ADDRESS SSHD SESSIONS ANSWER
for h in "${HOSTS[@]}"; do
  IFS='|' read -r name ns addr net _ <<<"$h"
  dir=$(host_dir "$name")
  pid=$(sshd_pid "$name" "$ns")
  proc=${pid:+pid $pid}
  answer="no answer"
  if ! netns_exists "$ns"; then
    answer="no namespace"
  else
    run=()
    via=''
    if [[ $net == private ]]; then
      run=(ip netns exec "$JUMP_NS")
      via=" (from $LAB_JUMP_HOST)"
    fi
    scanned=$("${run[@]}" ssh-keyscan -T 2 -t ed25519 -p "$LAB_SSH_PORT" "$addr" 2>/dev/null | awk '!/^#/ {print $2, $3; exit}')
    if [[ -n $scanned ]]; then
      want=$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub" 2>/dev/null)
      if [[ $scanned == "$want" ]]; then
        answer="answers, host key $(ssh-keygen -lf "$dir/ssh_host_ed25519_key.pub" | awk '{print $2}')$via"
      else
        answer="answers with an UNEXPECTED host key$via"
      fi
    fi
  fi
  [[ $answer == answers,* ]] || down=$((down + 1))
  # MaxSessions as the host's running config says (lab.env's value when there is no config yet).
  sessions=$(awk '$1 == "MaxSessions" { print $2 }' "$dir/sshd_config" 2>/dev/null)
  printf '%-9s %-12s %-12s %-10s %-8s %s\n' "$name" "$ns" "$addr" "${proc:-none}" "${sessions:-$(host_max_sessions "$name")}" "$answer"
  v6=$(addr6_of "$name" "$addr")
  [[ -n $v6 ]] && printf '%-9s %-12s %-12s\n' '' '' "$v6"
done

# Web heads: asked from the root namespace on each port with a HEAD request (no body: the bad
# head's GET body is 64 MiB), with bash's /dev/tcp.
http_status() { # address port -> the status code, or nothing
  # shellcheck disable=SC2016 # $1..$3 are the inner shell's arguments
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "HEAD / HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" >&3
    read -r _ code _ <&3 && echo "$code"' sh "$1" "$2" "$LAB_FEEDS_NAME" 2>/dev/null
}
echo
printf '%-9s %-12s %-12s %-10s %s\n' HEAD NAMESPACE ADDRESS NODE ANSWER
heads_down=0
mapfile -t HEADS < <(lab_heads)
for h in "${HEADS[@]}"; do
  IFS='|' read -r name ns addr code <<<"$h"
  pid=$(head_pid "$name" "$ns" "$addr" "$code")
  proc=${pid:+pid $pid}
  answers=()
  good=1
  if ! netns_exists "$ns"; then
    answers=("no namespace"); good=0
  else
    for port in $LAB_HEAD_PORTS; do
      got=$(http_status "$addr" "$port")
      answers+=(":$port ${got:-no answer}")
      [[ $got == "$code" ]] || good=0
    done
  fi
  ((good)) || heads_down=$((heads_down + 1))
  note="(wants $code)"
  ((good)) && note="(as wanted)"
  printf '%-9s %-12s %-12s %-10s %s %s\n' "$name" "$ns" "$addr" "${proc:-none}" "$(IFS=,; echo "${answers[*]}")" "$note"
  v6=$(addr6_of "$name" "$addr")
  [[ -n $v6 ]] && printf '%-9s %-12s %-12s\n' '' '' "$v6"
done

# The PHP server: its nginx (the shop's robots.txt from the workstation), its php-fpm (the ping page,
# from php1 itself: the status pages answer 127.0.0.1 only), its memory cgroup (limit, use, OOM kills).
echo
php_bad=0
PHP_ADDR=$(php_addr)
if netns_exists "$(php_ns)"; then
  pid=$(php_nginx_pid)
  code=$(curl -s -o /dev/null --max-time 3 -w '%{http_code}' "http://$PHP_ADDR/robots.txt" 2>/dev/null)
  [[ $code == 200 ]] || php_bad=$((php_bad + 1))
  printf '%-9s %-12s %-12s %-10s %s\n' NGINX "$(php_ns)" "$PHP_ADDR" "${pid:+pid $pid}" "http://$PHP_ADDR/robots.txt: ${code:-no answer} (wants 200)"
  pid=$(php_fpm_pid)
  pong=$(php_local_get /fpm-ping 2>/dev/null)
  [[ $pong == pong ]] || php_bad=$((php_bad + 1))
  printf '%-9s %-12s %-12s %-10s %s\n' PHP-FPM "$(php_ns)" "$LAB_PHP_POOL pool" "${pid:+pid $pid}" "/fpm-ping from $LAB_PHP_HOST: ${pong:-no answer} (wants pong)"
  limit=$(sed -n 's/^php_admin_value\[memory_limit\] *= *//p' "$(php_etc)/$(php_version)/fpm/pool.d/$LAB_PHP_POOL.conf" 2>/dev/null)
  [[ $limit == "$LAB_PHP_FPM_MEMORY_LIMIT" ]] || limit+=" (lab.env says $LAB_PHP_FPM_MEMORY_LIMIT: php/ctl.sh reset)"
  echo "          memory_limit: pool $LAB_PHP_POOL ${limit:-?}, FPM php.ini $(php_ini_memory_limit fpm), CLI $(php_ini_memory_limit cli); $LAB_FEEDS_NAME first on $LAB_PHP_HOST: $(awk -v n="$LAB_FEEDS_NAME" '$2 == n { print $1; exit }' "/etc/netns/$(php_ns)/hosts")"
else
  php_bad=$((php_bad + 1))
  echo "NGINX/PHP-FPM: $LAB_PHP_HOST has no namespace"
fi
cg=$(php_cgroup)
if [[ -n $cg ]]; then
  read -r cg_limit cg_use <<<"$(php_cgroup_memory)"
  printf '%-9s %s (cgroup %s): limit %s MiB, using %s MiB, %s processes, OOM kills %s\n' CGROUP "${cg#* }" "${cg%% *}" \
    "$((cg_limit >> 20))" "$((cg_use >> 20))" "$(wc -l <"${cg#* }/cgroup.procs")" "$(php_oom_kills)"
else
  php_bad=$((php_bad + 1))
  echo "CGROUP    none: $LAB_PHP_HOST's memory cgroup is missing (up.sh makes it)"
fi

echo "saved rules (netfilter-persistent): ${LAB_PERSISTENT_HOSTS:-none}"
echo "$LAB_FEEDS_NAME resolves to the heads on: $LAB_FEEDS_CLIENTS"

# Users: each account the lab makes, with its login shell and whether its key login is set up
# (an authorized_keys file under state/) or, for bl-ops, its password file.
echo
printf '%-10s %-15s %s\n' USER SHELL STATE
users_bad=0
for user in $(lab_users); do
  want=/bin/bash
  for u in "${LAB_SHELL_USERS[@]}"; do [[ ${u%%|*} == "$user" ]] && want=${u#*|}; done
  if ! entry=$(getent passwd "$user"); then
    printf '%-10s %-15s %s\n' "$user" "$want" "missing"; users_bad=$((users_bad + 1)); continue
  fi
  shell=$(cut -d: -f7 <<<"$entry")
  home=$(cut -d: -f6 <<<"$entry")
  state=()
  [[ $shell == "$want" ]] || state+=("login shell is $shell, wants $want")
  [[ -d $home ]] || state+=("no home $home")
  if [[ $user == "$LAB_OPS_USER" ]]; then
    [[ -s $OPS_PASSWORD_FILE ]] || state+=("no password file")
  else
    [[ -s $AUTH_KEYS/$user ]] || state+=("no authorized_keys")
  fi
  if ((${#state[@]})); then users_bad=$((users_bad + 1)); else state=("ok"); fi
  printf '%-10s %-15s %s\n' "$user" "$shell" "$(IFS=,; echo "${state[*]}")"
done

stray=$(existing_lab_netns | grep -vxF -f <(printf '%s\n' "$LAB_PRIV_NS"; lab_hosts "$FLEET" | cut -d'|' -f2; lab_heads | cut -d'|' -f2) || true)
[[ -z $stray ]] || echo "namespaces not in the lab's list: $(tr '\n' ' ' <<<"$stray")"

if ((down || heads_down || users_bad || php_bad)); then
  echo "Lab status: $down of ${#HOSTS[@]} hosts and $heads_down of ${#HEADS[@]} web heads not answering as they should, $users_bad of $(lab_users | wc -l) users not set up, $php_bad of 3 parts of $LAB_PHP_HOST (nginx, php-fpm, cgroup) missing"
  exit 1
fi
echo "Lab status: all ${#HOSTS[@]} hosts and all ${#HEADS[@]} web heads answer, $LAB_PHP_HOST's nginx and php-fpm answer in its cgroup, all $(lab_users | wc -l) users set up"
