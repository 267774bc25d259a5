#!/usr/bin/env bash
# Boots the lab VM (Debian's kernel, see build.sh) under QEMU and waits until its SSH server answers.
#   bash e2e/lab/vm/up.sh [--name vm1] [--port 10022] [--quiet] [--nic virtio|e1000] [--append "ARGS"]
#                         [--timeout SECONDS]
# --name     one VM per name (its run directory: e2e/lab/state/vm/run/<name>/: qemu.pid, console.log,
#            port); up.sh on a name that runs already says so and changes nothing.
# --port     the host port forwarded to the guest's port 22, on 127.0.0.1 only (default 10022).
# --quiet    boots with `quiet`: console log level 4, so a KERN_WARNING line stays in the VM.
# --nic      the NIC QEMU gives it: virtio (virtio-net-pci, default) or e1000.
# --append   more kernel parameters, e.g. "netconsole=+@/eth0,6666@10.0.2.2/52:55:0a:00:02:02".
# Networking is QEMU's user mode: nothing leaves this machine. The guest is 10.0.2.15, the host is
# 10.0.2.2 from it (MAC 52:55:0a:00:02:02); UDP it sends to 10.0.2.2:PORT arrives on the host at
# 127.0.0.1:PORT. KVM when /dev/kvm can be opened, plain emulation otherwise (VM_ACCEL=tcg forces it).
# The kernel reboots 1 s after a panic, and QEMU exits instead of rebooting: a crashed VM is stopped.
# Prints `port=<port> pid=<pid> accel=<kvm|tcg> boot_ms=<ms>` last.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name=vm1 port=10022 quiet=0 nic=virtio append='' timeout=''
while (($#)); do
  case $1 in
    --name) name=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --quiet) quiet=1; shift ;;
    --nic) nic=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) vm_die "unknown argument: $1 (see: up.sh --help)" ;;
  esac
done
[[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || vm_die "--name: lower-case letters, digits and dashes, not '$name'"
[[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || vm_die "--port: a TCP port number, not '$port'"
case $nic in
  virtio) device=virtio-net-pci ;;
  e1000) device=e1000 ;;
  *) vm_die "--nic: virtio or e1000, not '$nic'" ;;
esac
command -v qemu-system-x86_64 >/dev/null || vm_die "qemu-system-x86_64 is missing: run \`sudo bash e2e/lab/install.sh\`"

run=$VM_RUN/$name
if pid=$(vm_pid "$run"); then
  vm_log "$name runs already (pid $pid, port $(<"$run/port")); down.sh --name $name stops it"
  echo "port=$(<"$run/port") pid=$pid accel=$(<"$run/accel") boot_ms=0"
  exit 0
fi

bash "$VM_DIR/build.sh" >&2
source "$VM_STATE/vm.env"

if ss -Hltn "sport = :$port" | grep . >/dev/null; then
  vm_die "port $port on this machine is taken already: choose another with --port"
fi

# KVM when /dev/kvm opens and runs a guest: on some nested hosts it opens, but the guest never gets
# past the boot loader. The verdict is kept per host kernel in state/vm/kvm.<release>, so only the
# first boot on a machine pays for finding out.
kvm_verdict=$VM_STATE/kvm.$(uname -r)
accel=kvm
if [[ ${VM_ACCEL:-} == tcg ]] || ! (: <>/dev/kvm) 2>/dev/null || [[ $(cat "$kvm_verdict" 2>/dev/null) == broken ]]; then accel=tcg; fi

cmdline="console=ttyS0 panic=1 bl.ip=10.0.2.15/24 bl.gw=10.0.2.2"
((quiet)) && cmdline+=" quiet"
[[ -n $append ]] && cmdline+=" $append"

rm -rf "$run"
mkdir -p "$run"
# Tests boot VMs under names of their own: run directories of stopped VMs go after an hour.
while read -r old; do
  vm_pid "$old" >/dev/null || rm -rf "$old"
done < <(find "$VM_RUN" -mindepth 1 -maxdepth 1 -type d -mmin +60)
echo "$port" >"$run/port"
echo "$cmdline" >"$run/cmdline"
printf '[127.0.0.1]:%s %s\n' "$port" "$(<"$VM_HOST_KEY_PUB")" >"$run/known_hosts"

started=$(date +%s%N)
boot() { # accel
  local accel_args=(-accel tcg -cpu max)
  [[ $1 == kvm ]] && accel_args=(-enable-kvm)
  echo "$1" >"$run/accel"
  : >"$run/console.log"
  # QEMU daemonizes: it gets no descriptor of ours but its log (a pipe left open in it would keep
  # whoever reads up.sh's output waiting for as long as the VM runs).
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      ((fd > 2)) && eval "exec $fd>&-"
    done
    exec qemu-system-x86_64 "${accel_args[@]}" -m 256 -smp 1 \
      -nodefaults -no-user-config -display none -no-reboot \
      -kernel "$VM_KERNEL" -initrd "$VM_INITRD" -append "$cmdline" \
      -serial "file:$run/console.log" -monitor none \
      -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:22" -device "$device,netdev=net0" \
      -pidfile "$run/qemu.pid" -daemonize </dev/null >"$run/qemu.log" 2>&1
  ) || { cat "$run/qemu.log" >&2; vm_die "qemu did not start (its log above: $run/qemu.log)"; }
  grep -v "host doesn't support requested feature" "$run/qemu.log" >&2 || true
  pid=$(vm_pid "$run") || vm_die "qemu started but its pid file $run/qemu.pid names no running qemu"
}
boot "$accel"
if [[ $accel == kvm && ! -s $kvm_verdict ]]; then
  for _ in $(seq 100); do grep -q "Linux version" "$run/console.log" && break; sleep 0.1; done
  if grep -q "Linux version" "$run/console.log"; then
    echo works >"$kvm_verdict"
  else
    echo broken >"$kvm_verdict"
    vm_log "KVM opens here but its guest does not start (no kernel line in 10 s): plain emulation from now on ($kvm_verdict)" >&2
    kill "$pid" 2>/dev/null
    while [[ -e /proc/$pid ]]; do sleep 0.1; done
    accel=tcg
    boot "$accel"
  fi
fi
[[ -n $timeout ]] || { if [[ $accel == kvm ]]; then timeout=60; else timeout=180; fi; }

# Up once root can run a command over SSH with the lab's key, against the VM's known host key.
ssh_opts=(-i "$VM_KEY" -p "$port" -o BatchMode=yes -o ConnectTimeout=3 -o IdentitiesOnly=yes
  -o UserKnownHostsFile="$run/known_hosts" -o StrictHostKeyChecking=yes -o LogLevel=ERROR)
deadline=$((SECONDS + timeout))
until ssh "${ssh_opts[@]}" root@127.0.0.1 true </dev/null 2>/dev/null; do
  if ! vm_pid "$run" >/dev/null; then
    tail -n 20 "$run/console.log" >&2 || true
    vm_die "the VM $name stopped while booting (its console: $run/console.log)"
  fi
  if ((SECONDS >= deadline)); then
    tail -n 20 "$run/console.log" >&2 || true
    kill "$pid" 2>/dev/null || true
    vm_die "the VM $name did not answer SSH on 127.0.0.1:$port within ${timeout}s ($accel; its console: $run/console.log); stopped it"
  fi
  sleep 0.2
done
boot_ms=$((($(date +%s%N) - started) / 1000000))
echo "$boot_ms" >"$run/boot_ms"
vm_log "$name is up: ssh -i $VM_KEY -p $port root@127.0.0.1 (kernel $VM_VERSION, $accel, $nic, ${boot_ms} ms)" >&2
echo "port=$port pid=$pid accel=$accel boot_ms=$boot_ms"
