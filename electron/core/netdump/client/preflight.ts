import type { Preflight, PreflightCheck } from '../../../../shared/contract/netdump.js';
import { canonicalIp } from '../../../../shared/domain/address.js';
import { netpollSupport, type NetpollVerdict } from './netpoll.js';
import { parseTargets, type ConfigfsTarget } from './targets.js';
import { splitSections } from '../../ssh/script-sections.js';

/**
 * The netconsole preflight: one read-only script, one round trip, everything a target needs (the
 * module, configfs, the route to the receiver and its next hop's MAC, the NIC's driver, the console
 * log level, the crash kernel), then pure functions from its output to facts and plain statements.
 * Its output is sectioned by `##bl:NAME` lines, which none of the commands print.
 */

/** Tools that can send one UDP datagram from user space (the port-filtered check), in the order they are tried. */
export const UDP_SENDERS = ['python3', 'socat', 'nc', 'ncat', 'bash'] as const;

const PREFLIGHT_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
s() { printf '##bl:%s\\n' "$1"; }
r=$1; rel=$(uname -r)
s uid; id -u
s release; echo "$rel"
s netconsole
f=$(find "/lib/modules/$rel" -name 'netconsole.ko*' 2>/dev/null | head -n 1); echo "file \${f:--}"
grep -q '/netconsole.ko' "/lib/modules/$rel/modules.builtin" 2>/dev/null && echo builtin
grep -q '^netconsole ' /proc/modules 2>/dev/null && echo loaded
grep -h -E '^CONFIG_(NETCONSOLE|NETCONSOLE_DYNAMIC|CONFIGFS_FS)=' "/boot/config-$rel" 2>/dev/null
s configfs
f=$(find "/lib/modules/$rel" -name 'configfs.ko*' 2>/dev/null | head -n 1); echo "file \${f:--}"
grep -q 'configfs$' /proc/filesystems 2>/dev/null && echo registered
awk '$3 == "configfs" { print "mounted " $2 }' /proc/mounts 2>/dev/null
[ -d /sys/kernel/config/netconsole ] && echo netconsole-dir
s targets
for t in /sys/kernel/config/netconsole/*; do [ -d "$t" ] || continue; n=\${t##*/}
  for a in enabled dev_name local_ip remote_ip remote_mac local_port remote_port extended release; do [ -r "$t/$a" ] && printf '%s %s %s\\n' "$n" "$a" "$(cat "$t/$a" 2>/dev/null)"; done
done
s ping; if ping -c 1 -W 1 "$r" >/dev/null 2>&1 || ping6 -c 1 -W 1 "$r" >/dev/null 2>&1; then echo answered; else echo silent; fi
s route; ip route get "$r" 2>&1
s neigh; ip neigh show 2>&1
d=$(ip route get "$r" 2>/dev/null | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p' | head -n 1)
s device; if [ -n "$d" ]; then echo "name $d"
  l=$(readlink "/sys/class/net/$d/device/driver" 2>/dev/null) && echo "driver \${l##*/}"
  echo "mac $(cat "/sys/class/net/$d/address" 2>/dev/null)"; echo "operstate $(cat "/sys/class/net/$d/operstate" 2>/dev/null)"
  ethtool -i "$d" 2>/dev/null | sed -n 's/^driver: /ethtool-driver /p'
fi
s printk; cat /proc/sys/kernel/printk 2>&1
s cmdline; cat /proc/cmdline 2>&1
s crash; echo "size $(cat /sys/kernel/kexec_crash_size 2>/dev/null || echo -)"; echo "loaded $(cat /sys/kernel/kexec_crash_loaded 2>/dev/null || echo -)"
s kdump; for u in kdump-tools kdump; do st=$(systemctl is-active "$u" 2>/dev/null); case $st in active|activating|failed) printf '%s %s\\n' "$u" "$st";; esac; done
s persisted; grep -l -s netconsole /etc/modprobe.d/*.conf /etc/modules-load.d/*.conf /etc/modules 2>/dev/null
s which; for b in ${UDP_SENDERS.join(' ')} modprobe mount ethtool systemctl; do p=$(command -v "$b" 2>/dev/null) || p=-; printf '%s %s\\n' "$b" "$p"; done
s dmesg; dmesg 2>/dev/null | grep -i -E 'netconsole|netpoll|polling' | tail -n 20
s end`;

/** argv for the preflight: a fixed script; the receiver's address goes in as $1. Send it with `viaStdin`. */
export function preflightArgv(receiverAddress: string): string[] {
  return ['/bin/sh', '-c', PREFLIGHT_SCRIPT, 'backline-netconsole-preflight', receiverAddress];
}

export interface RouteFacts {
  device: string | null;
  source: string | null;
  gateway: string | null;
  /** `local`: the address is this server's own; `unreachable`: ip could not route it. */
  kind: 'unicast' | 'local' | 'unreachable';
  /** What ip said, when it did not route. */
  error: string | null;
}

export interface Neighbour {
  address: string;
  device: string | null;
  mac: string | null;
  /** REACHABLE, STALE, DELAY, PROBE, PERMANENT, FAILED, INCOMPLETE... */
  state: string | null;
}

export interface PrintkLevels {
  console: number;
  defaultMessage: number;
  minimumConsole: number;
  bootDefault: number;
}

export interface PreflightFacts {
  uid: number | null;
  kernelRelease: string | null;
  netconsole: { moduleFile: string | null; builtin: boolean; loaded: boolean; config: Record<string, string> };
  configfs: { moduleFile: string | null; registered: boolean; mountedAt: string | null; netconsoleDir: boolean };
  targets: ConfigfsTarget[];
  pingAnswered: boolean | null;
  route: RouteFacts | null;
  neighbours: Neighbour[];
  /** The neighbour netconsole addresses frames to: the gateway, or the receiver itself on the link. */
  nextHop: { address: string; mac: string | null; state: string | null } | null;
  device: { name: string; driver: string | null; mac: string | null; operstate: string | null } | null;
  netpoll: NetpollVerdict;
  printk: PrintkLevels | null;
  cmdline: string | null;
  crash: { reservedBytes: number | null; loaded: boolean | null; param: string | null; kdump: { unit: string; state: string }[] };
  /** Files under /etc that already mention netconsole (the customer's own boot-time setup, or Backline's). */
  persistedFiles: string[];
  /** Where each tool is (null: not installed). */
  tools: Record<string, string | null>;
  dmesg: string[];
  unparsed: string[];
}

const nonEmpty = (lines: readonly string[] | undefined) => (lines ?? []).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
const fieldAfter = (words: readonly string[], key: string): string | null => {
  const at = words.indexOf(key);
  return at >= 0 ? (words[at + 1] ?? null) : null;
};

/** `ip route get` output: `10.0.2.2 dev eth0 src 10.0.2.15 uid 0`, `8.8.8.8 via 10.0.2.2 dev eth0 src …`, `local …`, or an error. */
export function parseRouteGet(lines: readonly string[]): RouteFacts | null {
  const text = nonEmpty(lines);
  if (text.length === 0) return null;
  const first = text[0] ?? '';
  const words = first.trim().split(/\s+/);
  const device = fieldAfter(words, 'dev');
  if (device === null) return { device: null, source: null, gateway: null, kind: 'unreachable', error: text.join(' ').trim() };
  return { device, source: fieldAfter(words, 'src'), gateway: fieldAfter(words, 'via'), kind: words[0] === 'local' ? 'local' : 'unicast', error: null };
}

/** `ip neigh show`: `10.0.2.2 dev eth0 lladdr 52:55:0a:00:02:02 REACHABLE`, `10.77.0.1 dev eth0 FAILED`, `… router STALE`. */
export function parseNeighbours(lines: readonly string[]): { neighbours: Neighbour[]; unparsed: string[] } {
  const neighbours: Neighbour[] = [];
  const unparsed: string[] = [];
  for (const line of nonEmpty(lines)) {
    const words = line.trim().split(/\s+/);
    const address = canonicalIp(words[0] ?? '');
    if (address === null) {
      unparsed.push(line);
      continue;
    }
    const last = words.at(-1) ?? '';
    neighbours.push({ address, device: fieldAfter(words, 'dev'), mac: fieldAfter(words, 'lladdr')?.toLowerCase() ?? null, state: /^[A-Z]+$/.test(last) ? last : null });
  }
  return { neighbours, unparsed };
}

export function parsePrintk(lines: readonly string[]): PrintkLevels | null {
  const numbers = (nonEmpty(lines)[0] ?? '').trim().split(/\s+/).map(Number);
  if (numbers.length !== 4 || numbers.some((n) => !Number.isInteger(n))) return null;
  const [consoleLevel = 0, defaultMessage = 0, minimumConsole = 0, bootDefault = 0] = numbers;
  return { console: consoleLevel, defaultMessage, minimumConsole, bootDefault };
}

const keyValues = (lines: readonly string[]): Map<string, string> => new Map(nonEmpty(lines).map((l) => [l.split(' ')[0] ?? '', l.slice(l.indexOf(' ') + 1)]));
const orNull = (value: string | undefined): string | null => (value === undefined || value === '-' || value === '' ? null : value);

export function parsePreflight(output: string, receiverAddress: string): PreflightFacts {
  const sections = splitSections(output);
  const section = (name: string) => sections.get(name) ?? [];
  const unparsed: string[] = [...nonEmpty(sections.get('before'))];

  const uidText = nonEmpty(section('uid'))[0]?.trim();
  const nc = nonEmpty(section('netconsole'));
  const config = Object.fromEntries(nc.flatMap((l) => (/^CONFIG_\w+=/.test(l) ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]] : [])));
  const cf = nonEmpty(section('configfs'));
  const mounted = cf.find((l) => l.startsWith('mounted '))?.slice('mounted '.length) ?? null;

  const { targets, unparsed: badTargets } = parseTargets(section('targets'));
  unparsed.push(...badTargets);
  const route = parseRouteGet(section('route'));
  const { neighbours, unparsed: badNeigh } = parseNeighbours(section('neigh'));
  unparsed.push(...badNeigh);

  const dev = keyValues(section('device'));
  const devName = orNull(dev.get('name'));
  const driver = orNull(dev.get('driver')) ?? orNull(dev.get('ethtool-driver'));
  const device = devName ? { name: devName, driver, mac: orNull(dev.get('mac'))?.toLowerCase() ?? null, operstate: orNull(dev.get('operstate')) } : null;

  const receiver = canonicalIp(receiverAddress) ?? receiverAddress;
  const hopAddress = route && route.kind === 'unicast' ? (route.gateway ? (canonicalIp(route.gateway) ?? route.gateway) : receiver) : null;
  const hop = hopAddress ? neighbours.find((n) => n.address === hopAddress && (route?.device == null || n.device === null || n.device === route.device)) : undefined;

  const crash = keyValues(section('crash'));
  const cmdline = nonEmpty(section('cmdline'))[0]?.trim() ?? null;
  const sizeText = orNull(crash.get('size'));
  const loadedText = orNull(crash.get('loaded'));
  const ping = nonEmpty(section('ping'))[0]?.trim();

  return {
    uid: uidText && /^\d+$/.test(uidText) ? Number(uidText) : null,
    kernelRelease: nonEmpty(section('release'))[0]?.trim() ?? null,
    netconsole: { moduleFile: orNull(nc.find((l) => l.startsWith('file '))?.slice(5)), builtin: nc.includes('builtin'), loaded: nc.includes('loaded'), config },
    configfs: { moduleFile: orNull(cf.find((l) => l.startsWith('file '))?.slice(5)), registered: cf.includes('registered'), mountedAt: mounted, netconsoleDir: cf.includes('netconsole-dir') },
    targets,
    pingAnswered: ping === 'answered' ? true : ping === 'silent' ? false : null,
    route,
    neighbours,
    nextHop: hopAddress ? { address: hopAddress, mac: hop?.mac ?? null, state: hop?.state ?? null } : null,
    device,
    netpoll: netpollSupport(device?.driver ?? null),
    printk: parsePrintk(section('printk')),
    cmdline,
    crash: {
      reservedBytes: sizeText !== null && /^\d+$/.test(sizeText) ? Number(sizeText) : null,
      loaded: loadedText === '1' ? true : loadedText === '0' ? false : null,
      param: /(?:^|\s)crashkernel=(\S+)/.exec(cmdline ?? '')?.[1] ?? null,
      kdump: nonEmpty(section('kdump')).map((l) => ({ unit: l.split(' ')[0] ?? '', state: l.split(' ')[1] ?? '' })),
    },
    persistedFiles: nonEmpty(section('persisted')).map((l) => l.trim()),
    tools: Object.fromEntries(nonEmpty(section('which')).map((l) => [l.split(' ')[0] ?? '', orNull(l.split(' ')[1])])),
    dmesg: nonEmpty(section('dmesg')),
    unparsed,
  };
}

/** The MAC netconsole should address, when the neighbour table has one it can trust. */
export function usableNextHopMac(facts: Pick<PreflightFacts, 'nextHop'>): string | null {
  const hop = facts.nextHop;
  if (!hop?.mac || hop.state === 'FAILED' || hop.state === 'INCOMPLETE') return null;
  return hop.mac;
}

/** Netconsole can run: module (or built in), and configfs with dynamic targets can be had. */
export function netconsoleAvailable(facts: PreflightFacts): boolean {
  return facts.netconsole.builtin || facts.netconsole.loaded || facts.netconsole.moduleFile !== null;
}

const KERN_WARNING = 4;

/**
 * The preflight as the window shows it: one plain statement per check, what to do where something is
 * wrong. `primary` checks decide whether the plan can run; the crash kernel is secondary.
 */
export function preflightView(facts: PreflightFacts, input: { serverId: number; target: { address: string; port: number }; at: string; user: string; sudoRefused: boolean }): Preflight {
  const checks: PreflightCheck[] = [];
  const add = (id: string, label: string, status: PreflightCheck['status'], statement: string, action: string | null = null, weight: PreflightCheck['weight'] = 'primary') =>
    checks.push({ id, label, status, statement, action, weight });
  const { target } = input;

  if (input.sudoRefused) add('root', 'Root', 'problem', `Backline logs in as ${input.user}, who may not use sudo without a password: netconsole targets are made as root.`, `Log in as root, or give ${input.user} passwordless sudo (NOPASSWD) on this server.`);
  else if (facts.uid !== 0) add('root', 'Root', 'problem', `The probe ran as uid ${facts.uid ?? '?'}, not root: netconsole targets are made as root.`, 'Log in as root, or as a user with passwordless sudo.');
  else add('root', 'Root', 'ok', input.user === 'root' ? 'Backline logs in as root.' : `Backline logs in as ${input.user} and uses sudo.`);

  const release = facts.kernelRelease ?? 'this kernel';
  if (facts.netconsole.builtin) add('netconsole', 'netconsole', 'ok', `netconsole is built into ${release}.`);
  else if (facts.netconsole.loaded) add('netconsole', 'netconsole', 'ok', `The netconsole module is loaded (${release}).`);
  else if (facts.netconsole.moduleFile) add('netconsole', 'netconsole', 'ok', `The netconsole module is installed (${facts.netconsole.moduleFile}); the plan loads it.`);
  else add('netconsole', 'netconsole', 'problem', `${release} has no netconsole: no module under /lib/modules/${release}, and it is not built in.`, "Install the kernel's modules package (on Debian, the linux-image package ships netconsole.ko), or boot a kernel built with CONFIG_NETCONSOLE.");

  const dynamic = facts.netconsole.config.CONFIG_NETCONSOLE_DYNAMIC;
  if (facts.configfs.netconsoleDir) add('configfs', 'configfs targets', 'ok', `configfs is mounted at ${facts.configfs.mountedAt ?? '/sys/kernel/config'} with netconsole's dynamic targets.`);
  else if (dynamic === 'n' || (dynamic === undefined && facts.netconsole.loaded && facts.configfs.mountedAt !== null)) {
    add('configfs', 'configfs targets', 'problem', "This kernel's netconsole has no dynamic targets (CONFIG_NETCONSOLE_DYNAMIC is off): targets cannot be made at run time.", 'Configure netconsole at boot instead (netconsole= on the kernel command line), or use a kernel with dynamic targets.');
  } else if (facts.configfs.mountedAt !== null) add('configfs', 'configfs targets', 'ok', `configfs is mounted at ${facts.configfs.mountedAt}; netconsole's directory appears when the module loads.`);
  else if (facts.configfs.registered || facts.configfs.moduleFile) add('configfs', 'configfs targets', 'warning', 'configfs is not mounted: the plan mounts it at /sys/kernel/config (and unmounts it on removal).', null);
  else add('configfs', 'configfs targets', 'problem', 'configfs is neither mounted nor available (no configfs module, not registered in /proc/filesystems).', 'Use a kernel with CONFIG_CONFIGFS_FS, or configure netconsole at boot (netconsole= on the kernel command line).');

  const route = facts.route;
  if (!route) add('route', 'Route', 'unknown', `The route to ${target.address} could not be read (no output from ip route get).`, 'Check that iproute2 (ip) is installed.');
  else if (route.kind === 'unreachable') add('route', 'Route', 'problem', `${target.address} cannot be reached from this server: ${route.error ?? 'no route'}.`, 'Use the receiver address this server can route to (a bastion in its network, say), or add a route.');
  else if (route.kind === 'local') add('route', 'Route', 'problem', `${target.address} is this server's own address: netconsole cannot send to itself.`, "Give the receiver's address.");
  else add('route', 'Route', 'ok', `To ${target.address} via ${route.device}${route.gateway ? `, gateway ${route.gateway}` : ' (on the link)'}, from ${route.source ?? '?'}.`);

  const hop = facts.nextHop;
  const mac = usableNextHopMac(facts);
  if (hop && mac) add('next-hop', 'Next hop', 'ok', `${hop.address === (canonicalIp(target.address) ?? target.address) ? 'The receiver' : `The gateway ${hop.address}`} is at ${mac} (${hop.state ?? 'state unknown'}).`);
  else if (hop) {
    add('next-hop', 'Next hop', 'problem', `No MAC address for ${hop.address} in the neighbour table${hop.state ? ` (${hop.state})` : ''}, even after a ping: netconsole addresses every frame to it.`, `Check that ${hop.address} is up and answers ARP/NDP on ${route?.device ?? 'the interface'}.`);
  }

  const dev = facts.device;
  if (dev) {
    const np = facts.netpoll;
    const status = np.support === 'good' ? 'ok' : np.support === 'bad' ? 'problem' : 'warning';
    add('driver', 'NIC driver', status, `${dev.name} uses ${dev.driver ?? 'an unknown driver'}: netpoll ${np.support}. ${np.basis}`, np.support === 'bad' ? 'Send from another interface, if the server has one on a network that reaches the receiver.' : null);
    if (dev.operstate && dev.operstate !== 'up' && dev.operstate !== 'unknown') add('link', 'Link', 'warning', `${dev.name} is ${dev.operstate}.`, 'Bring the interface up.');
  }

  const printk = facts.printk;
  if (!printk) add('printk', 'Console level', 'unknown', '/proc/sys/kernel/printk could not be read.');
  else {
    // A panic prints at KERN_EMERG (0) and raises the console level for its own output; oopses and warnings are at 4.
    const marker = markerLevel(printk);
    add(
      'printk',
      'Console level',
      printk.console > KERN_WARNING ? 'ok' : 'warning',
      printk.console > KERN_WARNING
        ? `Console log level ${printk.console}: messages up to level ${printk.console - 1} reach netconsole, oopses and warnings (level 4) included; a panic always does. The marker goes at level ${marker}.`
        : `Console log level ${printk.console}: a panic still reaches netconsole (it raises the level), but oops and WARNING lines (level 4) do not. The marker goes at level ${marker}.`,
      printk.console > KERN_WARNING ? null : 'To capture oopses too: sysctl -w kernel.printk="7 4 1 7" (the plan does not change it).',
    );
  }

  const { crash } = facts;
  if (crash.reservedBytes && crash.reservedBytes > 0) {
    const kdump = crash.kdump.find((k) => k.state === 'active');
    add('crash-kernel', 'Crash kernel', 'ok', `${Math.round(crash.reservedBytes / 1048576)} MiB reserved for a crash kernel${crash.param ? ` (crashkernel=${crash.param})` : ''}; ${crash.loaded ? 'one is loaded' : 'none is loaded'}${kdump ? `, ${kdump.unit} active` : ''}.`, crash.loaded ? null : 'Load it (kdump-tools) to keep a vmcore too.', 'secondary');
  } else {
    add('crash-kernel', 'Crash kernel', 'unknown', 'No memory is reserved for a crash kernel (no crashkernel= on the command line): netconsole is the only record of a panic.', 'For a full dump too: install kdump-tools and reboot with crashkernel=.', 'secondary');
  }

  if (facts.persistedFiles.length > 0) add('persisted', 'Boot-time setup', 'warning', `Files that already mention netconsole: ${facts.persistedFiles.join(', ')}.`, 'Check they do not set up a second target to another receiver.', 'secondary');

  const existing = facts.targets.filter((t) => t.attrs.enabled === '1');
  if (existing.length > 0) {
    add('targets', 'Existing targets', 'ok', `Enabled targets: ${existing.map((t) => `${t.name} → ${t.attrs.remote_ip ?? '?'}:${t.attrs.remote_port ?? '?'}`).join(', ')}. They are left as they are.`, null, 'secondary');
  }

  const canApply = checks.every((c) => c.weight !== 'primary' || c.status !== 'problem');
  return {
    serverId: input.serverId,
    target,
    at: input.at,
    canApply,
    checks,
    route: route ? { device: route.device, source: route.source, gateway: route.gateway, nextHopMac: mac } : null,
    driver: dev ? { name: dev.driver, netpoll: facts.netpoll.support, basis: facts.netpoll.basis } : null,
    kernelRelease: facts.kernelRelease,
    unparsed: facts.unparsed,
  };
}

/** The least urgent level the console lets through, but never below KERN_WARNING: as a panic's own lines. */
export function markerLevel(printk: PrintkLevels | null): number {
  if (!printk) return 0;
  return Math.max(0, Math.min(KERN_WARNING, printk.console - 1));
}
