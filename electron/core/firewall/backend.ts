import { parseIpAddress, type AddressFamily, type IpAddress } from '../../../shared/domain/address.js';
import { SYSTEMD_MARKER, type RollbackTimer } from './deadman.js';
import { BACKLINE_CHAIN, filterTable, hasChain, hasJump, parseIptablesSave } from './iptables-save.js';
import { splitSections } from '../ssh/script-sections.js';

/**
 * One read-only probe for everything Backline must know before touching a server's firewall: which
 * iptables backend, which binaries, who else manages the rules (firewalld, ufw), whether rules persist
 * across reboots, the SSH peer (blocking it would cut the session), and the current rules of both families.
 * Its output is sectioned by `##bl:NAME` lines, which iptables-save never prints.
 */

export const PROBE_BINARIES = [
  'iptables',
  'ip6tables',
  'iptables-save',
  'ip6tables-save',
  'iptables-restore',
  'ip6tables-restore',
  'iptables-legacy',
  'iptables-nft',
  'netfilter-persistent',
  'firewall-cmd',
  'ufw',
  'curl',
  'nc',
  'bash',
] as const;

const PROBE_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
s() { printf '##bl:%s\\n' "$1"; }
s uid; id -u
s which; for b in ${PROBE_BINARIES.join(' ')}; do p=$(command -v "$b" 2>/dev/null) || p=-; printf '%s %s\\n' "$b" "$p"; done
s iptables-version; iptables --version 2>&1
s firewalld; if command -v firewall-cmd >/dev/null 2>&1; then firewall-cmd --state 2>&1; else echo absent; fi
s ufw; if command -v ufw >/dev/null 2>&1; then ufw status 2>&1; else echo absent; fi
s files; for f in /etc/iptables/rules.v4 /etc/iptables/rules.v6 /etc/sysconfig/iptables /etc/sysconfig/ip6tables /usr/libexec/iptables/iptables.init; do [ -e "$f" ] && echo "$f"; done
s saved-backline; for f in /etc/iptables/rules.v4 /etc/iptables/rules.v6; do [ -f "$f" ] && printf '%s %s\\n' "$f" "$(grep -c -e '^-A ${BACKLINE_CHAIN} ' "$f")"; done
s rollback-timer; if [ -d ${SYSTEMD_MARKER} ] && command -v systemd-run >/dev/null 2>&1; then echo systemd-run; else echo setsid; fi
s units; for u in netfilter-persistent iptables ip6tables firewalld ufw; do printf '%s %s\\n' "$u" "$(systemctl is-enabled "$u" 2>/dev/null)"; done
s session; c=\${SSH_CONNECTION:-}; p=$$; n=0
while [ -z "$c" ] && [ "$p" -gt 1 ] && [ $n -lt 10 ]; do
  c=$(tr '\\000' '\\n' 2>/dev/null < /proc/$p/environ | sed -n 's/^SSH_CONNECTION=//p' | head -n 1)
  # The parent pid follows the state letter after the last ')' (the command name may hold spaces).
  p=$(sed -n 's/.*) . \\([0-9]*\\) .*/\\1/p' 2>/dev/null < /proc/$p/stat); case $p in ''|*[!0-9]*) break;; esac; n=$((n+1))
done; echo "$c"
s iptables-save; iptables-save -t filter 2>&1; echo "##bl:status $?"
s ip6tables-save; ip6tables-save -t filter 2>&1; echo "##bl:status $?"
s end`;

/** argv for the probe: a fixed script, no input in it. Run it with sudo to see the rules. */
export function probeArgv(): string[] {
  return ['sh', '-c', PROBE_SCRIPT, 'backline-firewall-probe'];
}

export type ManagerState = 'active' | 'inactive' | 'absent' | 'unknown';

export interface FirewallBackend {
  backend: 'nft' | 'legacy' | 'unknown';
  /** `iptables --version` as printed, e.g. "iptables v1.8.9 (nf_tables)". */
  version: string | null;
  /** iptables-restore takes -w (wait for the xtables lock): 1.6.2 and later. */
  restoreWait: boolean;
  /** Whether the iptables tools of each family are installed. */
  families: Record<AddressFamily, boolean>;
  /** Binaries Backline needs that are not installed. */
  missing: string[];
  managers: { firewalld: ManagerState; ufw: ManagerState };
  persistence: {
    kind: 'netfilter-persistent' | 'iptables-services' | null;
    files: string[];
    /** Backline's rules in the saved files (/etc/iptables/rules.v4, .v6): they come back at boot. */
    savedBacklineRules: number;
  };
  /**
   * What runs the server-side rollback and the expiry: a transient systemd unit where systemd runs
   * (it lives outside the login session, so logind's KillUserProcesses cannot end it), else a process
   * detached with setsid. Null when the probe did not say (older output).
   */
  rollbackTimer: RollbackTimer | null;
  isRoot: boolean;
  /** The SSH client address as this server sees it (first field of SSH_CONNECTION); null when unreadable. */
  sessionPeer: IpAddress | null;
  /** Filter-table saves as read, or null when they could not be read. */
  saves: Record<AddressFamily, string | null>;
  /** For the engineer, before applying. */
  warnings: string[];
  canApply: boolean;
  /** Why not, when canApply is false. */
  reasons: string[];
}

/** `iptables --version`: "(nf_tables)" or "(legacy)" since 1.8; before 1.8 there was only legacy. */
export function parseIptablesVersion(text: string): { version: string | null; backend: FirewallBackend['backend']; restoreWait: boolean } {
  const line = text.split('\n').find((l) => /^ip6?tables v\d/.test(l.trim()))?.trim() ?? null;
  if (!line) return { version: null, backend: 'unknown', restoreWait: false };
  const [major = 0, minor = 0, patch = 0] = (/v(\d+)\.(\d+)(?:\.(\d+))?/.exec(line) ?? []).slice(1).map((n) => Number(n ?? 0));
  const restoreWait = major * 10000 + minor * 100 + patch >= 10602;
  if (line.includes('(nf_tables)')) return { version: line, backend: 'nft', restoreWait };
  if (line.includes('(legacy)')) return { version: line, backend: 'legacy', restoreWait };
  return { version: line, backend: major < 1 || (major === 1 && minor < 8) ? 'legacy' : 'unknown', restoreWait };
}

function managerState(lines: readonly string[], manager: 'firewalld' | 'ufw'): ManagerState {
  const text = lines.join('\n').trim();
  if (text === '' || text === 'absent') return 'absent';
  if (manager === 'firewalld') {
    if (/^running$/m.test(text)) return 'active';
    if (/^not running$/m.test(text)) return 'inactive';
    return 'unknown';
  }
  if (/^Status: active$/m.test(text)) return 'active';
  if (/^Status: inactive$/m.test(text)) return 'inactive';
  return 'unknown'; // e.g. "ERROR: You need to be root to run this script"
}

export function parseProbe(output: string): FirewallBackend {
  const sections = splitSections(output);
  const get = (name: string) => sections.get(name) ?? [];
  const installed = new Set(
    get('which')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, path]) => path !== undefined && path !== '-')
      .map(([name]) => name ?? ''),
  );
  const { version, backend, restoreWait } = parseIptablesVersion(get('iptables-version').join('\n'));
  const firewalld = managerState(get('firewalld'), 'firewalld');
  const ufw = managerState(get('ufw'), 'ufw');
  const files = get('files').map((l) => l.trim()).filter(Boolean);
  const units = new Map(
    get('units').map((l) => {
      const [unit = '', state = ''] = l.trim().split(/\s+/);
      return [unit, state] as const;
    }),
  );
  const isRoot = get('uid')[0]?.trim() === '0';
  // A link-local peer comes with its zone (fe80::1%eth0): the address alone is what a rule would match.
  const peer = parseIpAddress(get('session')[0]?.trim().split(/\s+/)[0] ?? '', { zone: 'drop' });
  const sessionPeer = peer.ok ? peer.value : null;
  const save = (name: string) => (sections.get(`${name}:status`)?.[0] === '0' ? get(name).join('\n') : null);
  const saves = { ipv4: save('iptables-save'), ipv6: save('ip6tables-save') };

  const trio = (prefix: string) => [prefix, `${prefix}-save`, `${prefix}-restore`];
  const missing = [...trio('iptables'), ...trio('ip6tables')].filter((b) => !installed.has(b));
  const families = { ipv4: trio('iptables').every((b) => installed.has(b)), ipv6: trio('ip6tables').every((b) => installed.has(b)) };

  const savedBacklineRules = get('saved-backline').reduce((sum, line) => sum + (Number(/ (\d+)$/.exec(line.trim())?.[1]) || 0), 0);
  const timerLine = get('rollback-timer')[0]?.trim();
  const rollbackTimer = timerLine === 'systemd-run' || timerLine === 'setsid' ? timerLine : null;

  // netfilter-persistent restores only what is saved in /etc/iptables: installed with nothing saved,
  // nothing comes back at boot, and Backline does not start saving a server's rules for it.
  const savedByNetfilterPersistent = files.some((f) => f.startsWith('/etc/iptables/'));
  let persistenceKind: FirewallBackend['persistence']['kind'] = null;
  if (installed.has('netfilter-persistent') && savedByNetfilterPersistent) persistenceKind = 'netfilter-persistent';
  else if (files.some((f) => f.startsWith('/etc/sysconfig/')) || units.get('iptables') === 'enabled') persistenceKind = 'iptables-services';

  const reasons: string[] = [];
  const warnings: string[] = [];
  if (!families.ipv4 && !families.ipv6) {
    reasons.push(`iptables is not usable here: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed.`);
  } else {
    if (!families.ipv4) warnings.push(`IPv4 addresses cannot be blocked: ${trio('iptables').filter((b) => !installed.has(b)).join(', ')} missing.`);
    if (!families.ipv6) warnings.push(`IPv6 addresses cannot be blocked: ${trio('ip6tables').filter((b) => !installed.has(b)).join(', ')} missing.`);
  }
  if (!isRoot) reasons.push('The probe did not run as root: Backline needs root (sudo) on this server to read and change the firewall.');
  else if (families.ipv4 && saves.ipv4 === null) reasons.push(`iptables-save failed, so the current rules are unknown: ${get('iptables-save').join(' ').trim().slice(0, 200)}`);

  if (firewalld === 'active') warnings.push("firewalld is running: it may reload and drop Backline's rules; Backline adds its own chain and does not use firewall-cmd.");
  if (ufw === 'active') warnings.push("ufw is active: Backline adds its own chain beside ufw's and does not use ufw; check the block is still in place after any ufw change.");
  if (persistenceKind === 'netfilter-persistent') {
    warnings.push("Rules are restored at boot by netfilter-persistent (/etc/iptables/rules.v4): Backline's block is not saved there and ends at reboot, unless someone runs `netfilter-persistent save` while it is active.");
  } else if (persistenceKind === 'iptables-services') {
    warnings.push("Rules are restored at boot by iptables-services (/etc/sysconfig/iptables): Backline's block is not saved there and ends at reboot, unless someone runs `service iptables save` while it is active.");
  } else if (installed.has('netfilter-persistent')) {
    warnings.push("netfilter-persistent is installed but no rules are saved in /etc/iptables: nothing is restored at boot, so Backline's block lasts until the next reboot (and Backline does not start saving this server's rules).");
  } else {
    warnings.push("No saved firewall rules were found: Backline's block lasts until the next reboot.");
  }
  const allSaves = [saves.ipv4, saves.ipv6].filter((s): s is string => s !== null);
  if (allSaves.some((s) => /^# Warning: iptables-legacy tables present/m.test(s))) {
    warnings.push('Both iptables backends hold rules here (nf_tables and legacy): a packet must pass both, and tools that read only one see half the picture.');
  }
  if (allSaves.some((s) => filterTable(parseIptablesSave(s))?.chains.some((c) => c.name === 'DOCKER' || c.name === 'DOCKER-USER'))) {
    warnings.push("Docker is in use: connections made from inside containers pass through FORWARD, not OUTPUT, so Backline's block does not stop them.");
  }
  if (allSaves.map((s) => parseIptablesSave(s)).some((parsed) => hasChain(parsed) && !hasJump(parsed))) {
    warnings.push(`The ${BACKLINE_CHAIN} chain exists but OUTPUT does not jump to it: its rules block nothing until the jump is restored.`);
  }

  return {
    backend,
    version,
    restoreWait,
    families,
    missing,
    managers: { firewalld, ufw },
    persistence: { kind: persistenceKind, files, savedBacklineRules },
    rollbackTimer,
    isRoot,
    sessionPeer,
    saves,
    warnings,
    canApply: reasons.length === 0,
    reasons,
  };
}
