# Shared by the VM scripts (build.sh, up.sh, down.sh). Sourced, never run.
# shellcheck shell=bash disable=SC2034 # variables for the scripts that source this

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_STATE=$(cd "$VM_DIR/.." && pwd)/state
VM_STATE=$LAB_STATE/vm
# The lab's client key for root (e2e/lab/up.sh makes it; build.sh makes it the same way if missing).
VM_KEY=$LAB_STATE/keys/lab_root
# One directory per running VM (its pid file, console log, port): $VM_STATE/run/<name>.
VM_RUN=$VM_STATE/run

vm_log() { printf '[vm] %s\n' "$*"; }
vm_die() { printf '[vm] error: %s\n' "$*" >&2; exit 1; }

# The running qemu of a VM's run directory, if any: its pid file names a live qemu started on that
# directory (a stale pid file, or a pid reused by another process, counts as not running).
vm_pid() { # run-dir
  local pidfile=$1/qemu.pid pid
  [[ -r $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -F -- "-pidfile $pidfile" >/dev/null || return 1
  echo "$pid"
}
