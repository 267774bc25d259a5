import { TARGET_ATTRIBUTES } from './targets.js';

/**
 * The scripts that change a server for netconsole: fixed text, every value passed as an argument
 * ("$1"...), sent on stdin to /bin/sh by the runner. Each prints `##bl:NAME` sections for the pure
 * parsers in apply.ts. POSIX sh and busybox: the customer's server may be a minimal one.
 */

const CONFIGFS = '/sys/kernel/config';

/** Shell functions both scripts use: write one attribute (its error kept), make a target from `attr=value` words. */
const COMMON = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
s() { printf '##bl:%s\\n' "$1"; }
base=${CONFIGFS}; nc=$base/netconsole
# wr DIR ATTR VALUE: the kernel's refusal (EINVAL, ENOTSUPP...) comes back as the shell's write error.
wr() { e=$( { printf '%s\\n' "$3" > "$1/$2"; } 2>&1 ) || { e=\${e:-refused (no message from the shell)}; printf 'write %s=%s: %s\\n' "$2" "$3" "$e"; return 1; }; }
# show DIR: a target's attributes, one per line, as the preflight prints them.
show() { for a in ${TARGET_ATTRIBUTES.join(' ')}; do [ -r "$1/$a" ] && printf '%s %s %s\\n' "\${1##*/}" "$a" "$(cat "$1/$a" 2>/dev/null)"; done; }
# remake NAME attr=value...: a target as it was (enabled last, and only if it was).
remake() { d=$nc/$1; shift; mkdir "$d" || return 1; en=0
  for kv in "$@"; do k=\${kv%%=*}; v=\${kv#*=}; if [ "$k" = enabled ]; then en=$v; elif [ -n "$v" ]; then wr "$d" "$k" "$v"; fi; done
  [ "$en" = 1 ] && wr "$d" enabled 1; return 0; }
# unload MODULE: busybox's modprobe -r also tries the module's dependencies and fails on one in use, so the result is read from /proc/modules.
unload() { modprobe -r "$1" >/dev/null 2>&1; if grep -q "^$1 " /proc/modules; then echo "could-not-unload-$1"; else echo "unloaded-$1"; fi; }
kmsg_lines() { dmesg 2>/dev/null | wc -l; }
new_kmsg() { dmesg 2>/dev/null | tail -n +$(( $1 + 1 )) | grep -i -E 'netconsole|netpoll|polling' | tail -n 20; }`;

const APPLY_SCRIPT = `${COMMON}
n=$1; dev=$2; lip=$3; rip=$4; mac=$5; lport=$6; rport=$7; ext=$8; persist=$9; shift 9; popts=$1; shift
t=$nc/$n; cf=0; mt=0; nm=0; made=0; pd=""
undo() {
  [ "$made" = 1 ] && [ -d "$t" ] && { printf '0\\n' > "$t/enabled" 2>/dev/null; rmdir "$t" 2>/dev/null; }
  if [ -n "$pd" ]; then set --; for a in ${TARGET_ATTRIBUTES.join(' ')}; do [ -f "$pd/$a" ] && set -- "$@" "$a=$(cat "$pd/$a")"; done; remake "$n" "$@" >/dev/null 2>&1 && echo "restored $n"; rm -rf "$pd"; fi
  [ $nm = 1 ] && modprobe -r netconsole 2>/dev/null; [ $mt = 1 ] && umount "$base" 2>/dev/null; [ $cf = 1 ] && modprobe -r configfs 2>/dev/null
  echo "undone configfs-loaded=$cf mounted=$mt netconsole-loaded=$nm"
}
fail() { s failed; echo "$1"; s kernel; new_kmsg "$k0"; s undo; undo; s end; exit 3; }
k0=$(kmsg_lines)
s steps
if ! grep -q 'configfs$' /proc/filesystems 2>/dev/null; then o=$(modprobe configfs 2>&1) || fail "modprobe configfs: $o"; cf=1; echo loaded-configfs; fi
if ! awk '$3 == "configfs" { f = 1 } END { exit !f }' /proc/mounts; then o=$(mount -t configfs configfs "$base" 2>&1) || fail "mount configfs on $base: $o"; mt=1; echo mounted-configfs; fi
if [ ! -d "$nc" ] && ! grep -q '^netconsole ' /proc/modules 2>/dev/null; then o=$(modprobe netconsole 2>&1) || fail "modprobe netconsole: $o"; nm=1; echo loaded-netconsole; fi
[ -d "$nc" ] || fail "$nc does not exist: this kernel's netconsole has no dynamic targets (CONFIG_NETCONSOLE_DYNAMIC)"
s replaced
if [ -d "$t" ]; then show "$t"; pd=$(mktemp -d) || fail "mktemp failed"
  for a in ${TARGET_ATTRIBUTES.join(' ')}; do [ -r "$t/$a" ] && cat "$t/$a" > "$pd/$a" 2>/dev/null; done
  printf '0\\n' > "$t/enabled" 2>/dev/null; rmdir "$t" || fail "the existing target $n could not be removed"
fi
s target
mkdir "$t" || fail "mkdir $t failed"; made=1
wr "$t" dev_name "$dev" || fail "$e"
wr "$t" local_ip "$lip" || fail "$e"
wr "$t" remote_ip "$rip" || fail "$e"
wr "$t" remote_mac "$mac" || fail "$e"
wr "$t" local_port "$lport" || fail "$e"
wr "$t" remote_port "$rport" || fail "$e"
[ -w "$t/extended" ] && { wr "$t" extended "$ext" || fail "$e"; }
wr "$t" enabled 1 || fail "write enabled=1: $e"
show "$t"
s kernel; new_kmsg "$k0"
s persisted
if [ "$persist" = 1 ]; then
  printf '# Written by Backline (netconsole target %s); removing the plan removes this file.\\noptions netconsole netconsole=%s\\n' "$n" "$popts" > /etc/modprobe.d/backline-netconsole.conf && echo /etc/modprobe.d/backline-netconsole.conf
  printf '# Written by Backline (netconsole target %s); removing the plan removes this file.\\nnetconsole\\n' "$n" > /etc/modules-load.d/backline-netconsole.conf && echo /etc/modules-load.d/backline-netconsole.conf
fi
[ -n "$pd" ] && rm -rf "$pd"
s setup; echo "configfs-loaded=$cf mounted=$mt netconsole-loaded=$nm"
s end`;

const REMOVE_SCRIPT = `${COMMON}
n=$1; cf=$2; mt=$3; nm=$4; shift 4; t=$nc/$n
s before; [ -d "$t" ] && show "$t"
s files; while [ $# -gt 0 ] && [ "$1" != -- ]; do case $1 in /etc/modprobe.d/backline-*|/etc/modules-load.d/backline-*) rm -f "$1" && echo "removed $1";; esac; shift; done; [ "$1" = -- ] && shift
s target
if [ -d "$t" ]; then printf '0\\n' > "$t/enabled" 2>/dev/null; rmdir "$t" && echo "removed $n" || echo "could not remove $n"; else echo "absent $n"; fi
if [ $# -gt 0 ]; then remake "$n" "$@" && echo "restored $n" || echo "could not restore $n"; fi
s modules
left=$(ls "$nc" 2>/dev/null | wc -l)
if [ "$nm" = 1 ]; then if [ "$left" -eq 0 ]; then unload netconsole; else echo "kept-netconsole $left other target(s)"; fi; fi
if [ "$mt" = 1 ]; then if [ -z "$(ls "$base" 2>/dev/null)" ]; then umount "$base" 2>&1 && echo unmounted-configfs; else echo "kept-mount $(ls "$base" | tr '\\n' ' ')"; fi; fi
if [ "$cf" = 1 ] && ! awk '$3 == "configfs" { f = 1 } END { exit !f }' /proc/mounts; then unload configfs; fi
s after; for d in "$nc"/*; do [ -d "$d" ] && show "$d"; done
s end`;

export interface ApplyArgs {
  name: string;
  devName: string;
  localIp: string;
  remoteIp: string;
  remoteMac: string;
  localPort: number;
  remotePort: number;
  extended: boolean;
  persist: boolean;
}

/** netconsole's boot-time option for the same target: `+` extended, `[src-port]@[src-ip]/[dev],[tgt-port]@<tgt-ip>/[tgt-mac]`. */
export function bootOption(a: Omit<ApplyArgs, 'name' | 'persist'>): string {
  return `${a.extended ? '+' : ''}${a.localPort}@${a.localIp}/${a.devName},${a.remotePort}@${a.remoteIp}/${a.remoteMac}`;
}

export function applyArgv(a: ApplyArgs): string[] {
  return [
    '/bin/sh',
    '-c',
    APPLY_SCRIPT,
    'backline-netconsole-apply',
    a.name,
    a.devName,
    a.localIp,
    a.remoteIp,
    a.remoteMac,
    String(a.localPort),
    String(a.remotePort),
    a.extended ? '1' : '0',
    a.persist ? '1' : '0',
    bootOption(a),
  ];
}

export interface RemoveArgs {
  name: string;
  loadedConfigfs: boolean;
  mountedConfigfs: boolean;
  loadedNetconsole: boolean;
  /** Only Backline's own files are removed (the script checks the prefix too). */
  persistedFiles: readonly string[];
  /** The target that was there before (its attributes): made again. */
  replaced: Record<string, string> | null;
}

export function removeArgv(a: RemoveArgs): string[] {
  const flag = (b: boolean) => (b ? '1' : '0');
  const files = a.persistedFiles.filter((f) => /^\/etc\/(modprobe|modules-load)\.d\/backline-[a-z0-9-]+\.conf$/.test(f));
  const replaced = a.replaced ? TARGET_ATTRIBUTES.flatMap((k) => (a.replaced?.[k] !== undefined ? [`${k}=${a.replaced[k]}`] : [])) : [];
  return ['/bin/sh', '-c', REMOVE_SCRIPT, 'backline-netconsole-remove', a.name, flag(a.loadedConfigfs), flag(a.mountedConfigfs), flag(a.loadedNetconsole), ...files, '--', ...replaced];
}

/** Reads a target back (and the kernel's netconsole lines): for checks, and the verification's evidence. */
export function readTargetArgv(name: string): string[] {
  return ['/bin/sh', '-c', `${COMMON}\ns target; [ -d "$nc/$1" ] && show "$nc/$1"\ns kernel; dmesg 2>/dev/null | grep -i -E 'netconsole|netpoll|polling' | tail -n 20\ns end`, 'backline-netconsole-read', name];
}

/** Writes the marker to /dev/kmsg at `<level>`: as the kernel's own lines, it goes to netconsole when the level is let through. */
export function markerArgv(level: number, marker: string): string[] {
  return ['/bin/sh', '-c', 'printf "<%s>%s\\n" "$1" "$2" > /dev/kmsg', 'backline-netconsole-marker', String(level), marker];
}

/**
 * What the server says after a marker did not arrive, in one round trip: the target, the kernel's
 * netconsole lines, the route and neighbours now, the console level; and a datagram with `token` sent
 * from user space to the same receiver:port with the first tool it has (python3, socat, nc, bash).
 */
const EVIDENCE_SCRIPT = `${COMMON}
n=$1; rip=$2; rport=$3; token=$4
s target; [ -d "$nc/$n" ] && show "$nc/$n"
s kernel; dmesg 2>/dev/null | grep -i -E 'netconsole|netpoll|polling' | tail -n 20
s route; ip route get "$rip" 2>&1
s neigh; ip neigh show 2>&1
s printk; cat /proc/sys/kernel/printk 2>&1
s udp
case $rip in *:*) six=1;; *) six=0;; esac
if command -v python3 >/dev/null 2>&1 && python3 -c 'import socket, sys
a, p, t = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.sendto((t + "\\n").encode(), (a, p))' "$rip" "$rport" "$token" 2>&1; then echo "sent python3"
elif command -v socat >/dev/null 2>&1 && { if [ $six = 1 ]; then printf '%s\\n' "$token" | socat -u - "UDP6-SENDTO:[$rip]:$rport"; else printf '%s\\n' "$token" | socat -u - "UDP4-SENDTO:$rip:$rport"; fi; } 2>&1; then echo "sent socat"
elif command -v nc >/dev/null 2>&1 && printf '%s\\n' "$token" | nc -u -w 1 "$rip" "$rport" 2>/dev/null; then echo "sent nc"
elif command -v bash >/dev/null 2>&1 && bash -c 'printf "%s\\n" "$3" > "/dev/udp/$1/$2"' backline "$rip" "$rport" "$token" 2>&1; then echo "sent bash"
else echo "none"; fi
s end`;

export function evidenceArgv(name: string, remoteIp: string, remotePort: number, token: string): string[] {
  return ['/bin/sh', '-c', EVIDENCE_SCRIPT, 'backline-netconsole-evidence', name, remoteIp, String(remotePort), token];
}
