#!/usr/bin/env bash
# Prints each lab host (its MaxSessions, whether its sshd answers with the host key the lab gave it),
# each web head and the HTTP status it answers on each of its ports, and each lab user (its shell).
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

if ((down || heads_down || users_bad)); then
  echo "Lab status: $down of ${#HOSTS[@]} hosts and $heads_down of ${#HEADS[@]} web heads not answering as they should, $users_bad of $(lab_users | wc -l) users not set up"
  exit 1
fi
echo "Lab status: all ${#HOSTS[@]} hosts and all ${#HEADS[@]} web heads answer, all $(lab_users | wc -l) users set up"
