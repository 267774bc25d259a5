#!/usr/bin/env bash
# Prints each lab host and whether its sshd answers with the host key the lab gave it.
#   sudo bash e2e/lab/status.sh
# Exit status 0 when every host answers, 1 otherwise. Hosts on the workstation network are asked
# from the root namespace; hosts behind the bastion are asked from inside the bastion's namespace
# (the only place that reaches them).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

FLEET=$(recorded_fleet)
mapfile -t HOSTS < <(lab_hosts "$FLEET")
JUMP_NS=$(lab_hosts "$FLEET" | awk -F'|' -v n="$LAB_JUMP_HOST" '$1 == n { print $2 }')

if [[ -r $LAB_JSON ]]; then echo "lab.json: $LAB_JSON"; else echo "lab.json: missing (the lab is not up)"; fi
if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
  echo "bridge:   $LAB_BRIDGE $(ip -4 -o addr show dev "$LAB_BRIDGE" | awk '{print $4}')"
else
  echo "bridge:   $LAB_BRIDGE missing"
fi

down=0
printf '%-9s %-12s %-12s %-10s %s\n' HOST NAMESPACE ADDRESS SSHD ANSWER
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
  printf '%-9s %-12s %-12s %-10s %s\n' "$name" "$ns" "$addr" "${proc:-none}" "$answer"
done

stray=$(existing_lab_netns | grep -vxF -f <(printf '%s\n' "$LAB_PRIV_NS"; lab_hosts "$FLEET" | cut -d'|' -f2) || true)
[[ -z $stray ]] || echo "namespaces not in the lab's list: $(tr '\n' ' ' <<<"$stray")"

if ((down)); then
  echo "Lab status: $down of ${#HOSTS[@]} hosts not answering"
  exit 1
fi
echo "Lab status: all ${#HOSTS[@]} hosts answer"
