#!/usr/bin/env bash
# Stops lab VMs: every one (default), or one by name. Standalone (e2e/lab/down.sh may call it).
#   bash e2e/lab/vm/down.sh [--name vm1]
# Kills each VM's qemu by its pid file (a VM keeps nothing worth a clean shutdown: its root is its
# initramfs), then any qemu left whose pid file is under e2e/lab/state/vm/run/. Idempotent.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name=''
while (($#)); do
  case $1 in
    --name) name=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) vm_die "unknown argument: $1 (usage: down.sh [--name NAME])" ;;
  esac
done

runs=()
if [[ -n $name ]]; then runs=("$VM_RUN/$name"); else runs=("$VM_RUN"/*/); fi
pids=()
for run in "${runs[@]}"; do
  run=${run%/}
  [[ -d $run ]] || continue
  if pid=$(vm_pid "$run"); then pids+=("$pid"); vm_log "stopping $(basename "$run") (pid $pid)"; fi
done
# Any qemu started on a run directory of ours whose pid file is gone.
while read -r pid; do
  [[ -n $pid ]] || continue
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
  if [[ -z $name && $cmd == *"-pidfile $VM_RUN/"* ]] || [[ -n $name && $cmd == *"-pidfile $VM_RUN/$name/qemu.pid"* ]]; then
    [[ " ${pids[*]} " == *" $pid "* ]] || pids+=("$pid")
  fi
done < <(pgrep -x qemu-system-x86 2>/dev/null; pgrep -x qemu-system-x86_64 2>/dev/null)

((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
for _ in $(seq 50); do
  alive=()
  for pid in "${pids[@]}"; do [[ -e /proc/$pid ]] && alive+=("$pid"); done
  ((${#alive[@]})) || break
  sleep 0.1
done
((${#alive[@]})) && kill -9 "${alive[@]}" 2>/dev/null
for run in "${runs[@]}"; do rm -f "${run%/}/qemu.pid"; done
exit 0
