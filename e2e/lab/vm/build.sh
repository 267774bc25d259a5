#!/usr/bin/env bash
# Builds the lab VM from Debian's own packages, cached under e2e/lab/state/vm/:
#   - the kernel of Debian's linux-image-amd64 (the package it depends on, fetched with
#     `apt-get download` and unpacked with `dpkg -x`: nothing is installed on this machine);
#   - an initramfs that is the whole root: busybox-static, dropbear (the SSH server, root logs in
#     with the lab's key lab_root), and the kernel modules a netconsole setup needs (configfs,
#     netconsole, the NIC drivers virtio_net and e1000) with what they depend on.
#   bash e2e/lab/vm/build.sh        # prints the paths of vm.env when done
# Idempotent: it rebuilds the initramfs only when one of its inputs changed (these scripts, the
# packages' versions, the keys). Set VM_KERNEL_PACKAGE=linux-image-<version>-amd64 for another kernel.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for tool in apt-get apt-cache dpkg dpkg-deb dpkg-query flock busybox dropbear dropbearkey ssh-keygen ldd gzip sha256sum; do
  command -v "$tool" >/dev/null || vm_die "$tool is missing: run \`sudo bash e2e/lab/install.sh\` (it installs busybox-static, dropbear-bin, qemu-system-x86)"
done

mkdir -p "$VM_STATE"
# One build at a time (two tests, or two helpers, booting VMs at once).
exec 8>"$VM_STATE/build.lock"
flock -w 600 8 || vm_die "another build.sh holds $VM_STATE/build.lock for over 10 minutes"

# --- the kernel package ---------------------------------------------------------------------------
package=${VM_KERNEL_PACKAGE:-}
if [[ -z $package ]]; then
  kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'; }
  package=$(kernel_package)
  if [[ -z $package && $EUID -eq 0 ]]; then
    vm_log "apt does not know linux-image-amd64 yet: apt-get update"
    apt-get update -qq && package=$(kernel_package)
  fi
  [[ -n $package ]] || vm_die "apt does not know linux-image-amd64's kernel package: run \`sudo apt-get update\`, then build.sh again"
fi
version=${package#linux-image-}
kernel_dir=$VM_STATE/kernel/$version
if [[ ! -f $kernel_dir/boot/vmlinuz-$version ]]; then
  vm_log "fetching $package (apt-get download; nothing is installed)"
  debs=$VM_STATE/debs
  mkdir -p "$debs"
  # _apt downloads into a directory it can write; root otherwise warns and falls back.
  (cd "$debs" && apt-get download -q "$package" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  deb=$(ls -t "$debs/${package}_"*.deb 2>/dev/null | head -n1 || true)
  [[ -n $deb ]] || vm_die "apt-get download $package fetched nothing (is the Debian mirror reachable? try \`sudo apt-get update\`)"
  rm -rf "$kernel_dir.tmp"
  mkdir -p "$kernel_dir.tmp"
  dpkg -x "$deb" "$kernel_dir.tmp"
  # Debian's package has no modules.dep (its postinst runs depmod): made here for the whole tree.
  busybox depmod -b "$kernel_dir.tmp" "$version"
  rm -rf "$kernel_dir"
  mv "$kernel_dir.tmp" "$kernel_dir"
  rm -f "$deb"
fi
modules=$kernel_dir/lib/modules/$version
[[ -f $modules/modules.dep ]] || vm_die "$modules/modules.dep is missing: remove $kernel_dir and build again"

# --- keys -----------------------------------------------------------------------------------------
# The lab's client key, made as e2e/lab/up.sh makes it when the lab has not made it yet.
if [[ ! -f $VM_KEY ]]; then
  mkdir -p "$(dirname "$VM_KEY")"
  chmod 0700 "$(dirname "$VM_KEY")"
  rm -f "$VM_KEY.pub"
  ssh-keygen -q -t ed25519 -N '' -C "backline-lab-lab_root" -f "$VM_KEY"
fi
chmod 0600 "$VM_KEY"
[[ -f $VM_KEY.pub ]] || ssh-keygen -y -f "$VM_KEY" >"$VM_KEY.pub"
# The VM's host key: one, kept across builds and boots, so a server added in Backline stays trusted
# after the VM reboots (or crashes and boots again).
host_key=$VM_STATE/dropbear_ed25519_host_key
if [[ ! -f $host_key ]]; then
  dropbearkey -t ed25519 -f "$host_key.tmp" >/dev/null 2>&1 && mv "$host_key.tmp" "$host_key"
fi
chmod 0600 "$host_key"
dropbearkey -y -f "$host_key" | awk '/^ssh-/ { print $1, $2 }' >"$VM_STATE/host_key.pub"

# --- the initramfs --------------------------------------------------------------------------------
# The modules a netconsole setup needs; their dependencies are added from modules.dep.
WANTED_MODULES=(configfs netconsole virtio_pci virtio_net e1000)

inputs=$(
  cat "$VM_DIR/build.sh" "$VM_DIR/lib.sh" "$VM_DIR/rcS" "$VM_DIR/inittab" "$VM_KEY.pub" "$VM_STATE/host_key.pub"
  echo "$package"
  dpkg-query -W -f='${Package} ${Version}\n' busybox-static dropbear-bin bash libc6
)
stamp=$(sha256sum <<<"$inputs" | cut -c1-16)
initrd=$VM_STATE/initrd-$version-$stamp.img
if [[ ! -f $initrd ]]; then
  vm_log "building the initramfs for $version"
  root=$(mktemp -d "$VM_STATE/root.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,etc/dropbear,etc/modprobe.d,etc/modules-load.d,root/.ssh,proc,sys,dev,run,tmp,var/log,lib/modules/"$version"}
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root" "$root/root/.ssh"

  # busybox: every applet where Debian puts the real command.
  cp /bin/busybox "$root/bin/busybox"
  while read -r applet; do
    [[ $applet == bin/busybox || -e $root/$applet ]] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -s /bin/busybox "$root/$applet"
  done < <(busybox --list-full)
  ln -sf /bin/busybox "$root/init"

  # dropbear, and bash (root's shell on Debian; busybox's nc cannot send UDP, bash's /dev/udp can),
  # with the libraries they link, from this machine's Debian packages.
  for binary in /usr/sbin/dropbear /bin/bash; do
    rm -f "$root/$binary"
    cp "$binary" "$root/$binary"
    while read -r lib; do
      mkdir -p "$root/$(dirname "$lib")"
      cp -L "$lib" "$root/$lib"
    done < <(ldd "$binary" | grep -oE '/[^ ]+\.so[^ ]*')
  done
  [[ -e $root/lib64 ]] || ln -s usr/lib64 "$root/lib64" 2>/dev/null || true

  # The modules and what they depend on, at their place in the tree; then busybox's depmod.
  declare -A files=()
  for name in "${WANTED_MODULES[@]}"; do
    line=$(grep -E "(^|/)$name\.ko(\.[a-z]+)?:" "$modules/modules.dep" | head -n1) \
      || vm_die "$name is not a module of $version (not in its modules.dep)"
    for file in ${line/:/}; do files[$file]=1; done
  done
  for file in "${!files[@]}"; do
    mkdir -p "$root/lib/modules/$version/$(dirname "$file")"
    cp "$modules/$file" "$root/lib/modules/$version/$file"
  done
  cp "$modules"/modules.builtin "$modules"/modules.builtin.modinfo "$modules"/modules.order "$root/lib/modules/$version/"
  busybox depmod -b "$root" "$version"

  # Root logs in with the lab's key; a shell account like a server's.
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  printf 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
  chmod 0640 "$root/etc/shadow"
  printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf '/bin/sh\n/bin/ash\n/bin/bash\n' >"$root/etc/shells"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
  echo vm1 >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tvm1\n::1\tlocalhost\n' >"$root/etc/hosts"
  cat >"$root/etc/os-release" <<EOF
PRETTY_NAME="Backline lab VM (Debian's $package, busybox)"
NAME="Backline lab VM"
ID=backline-lab-vm
ID_LIKE=debian
EOF
  cp "$VM_KEY.pub" "$root/root/.ssh/authorized_keys"
  chmod 0600 "$root/root/.ssh/authorized_keys"
  cp "$host_key" "$root/etc/dropbear/dropbear_ed25519_host_key"
  install -m 0755 "$VM_DIR/rcS" "$root/etc/init.d/rcS"
  install -m 0644 "$VM_DIR/inittab" "$root/etc/inittab"

  (cd "$root" && find . -mindepth 1 | busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$root"
  trap - EXIT
  # Older builds of the same kernel are of no use any more.
  find "$VM_STATE" -maxdepth 1 -name "initrd-*.img" ! -path "$initrd" -delete
fi

cat >"$VM_STATE/vm.env.tmp" <<EOF
VM_VERSION=$version
VM_KERNEL=$kernel_dir/boot/vmlinuz-$version
VM_INITRD=$initrd
VM_HOST_KEY_PUB=$VM_STATE/host_key.pub
EOF
mv "$VM_STATE/vm.env.tmp" "$VM_STATE/vm.env"
vm_log "ready: kernel $version, $(du -h "$initrd" | cut -f1) initramfs ($VM_STATE/vm.env)"
