import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSections } from '../ssh/script-sections.js';
import { parseIptablesVersion, parseProbe, probeArgv } from './backend.js';
import { parseIptablesSave } from './iptables-save.js';
import { Netns } from './testing/netns.js';

// probe.*.hand.txt are hand-written (marked inside); the others were captured on this machine.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parseIptablesVersion', () => {
  it.each([
    ['iptables v1.8.9 (nf_tables)', 'nft', true],
    ['iptables v1.8.9 (legacy)', 'legacy', true],
    ['ip6tables v1.8.4 (nf_tables)', 'nft', true],
    ['iptables v1.6.1', 'legacy', false],
    ['iptables v1.6.2', 'legacy', true],
    ['iptables v1.4.21', 'legacy', false],
    ['sh: 1: iptables: not found', 'unknown', false],
  ] as const)('%s -> %s', (text, backend, restoreWait) => {
    expect(parseIptablesVersion(text)).toMatchObject({ backend, restoreWait });
  });
});

describe('parseProbe on captured output', () => {
  it('reads a Debian 12 server on nf_tables (root, customer rules with Docker and a Backline block)', () => {
    const probe = parseProbe(fixture('probe.debian-nft-root.txt'));
    expect(probe).toMatchObject({
      backend: 'nft',
      version: 'iptables v1.8.9 (nf_tables)',
      restoreWait: true,
      families: { ipv4: true, ipv6: true },
      missing: [],
      managers: { firewalld: 'absent', ufw: 'absent' },
      persistence: { kind: null, files: [] },
      isRoot: true,
      sessionPeer: null,
      canApply: true,
      reasons: [],
    });
    expect(probe.warnings).toEqual([
      "No saved firewall rules were found: Backline's block lasts until the next reboot.",
      "Docker is in use: connections made from inside containers pass through FORWARD, not OUTPUT, so Backline's block does not stop them.",
    ]);
    expect(parseIptablesSave(probe.saves.ipv4 ?? '').problems).toEqual([]);
    expect(probe.saves.ipv4).toContain('backline:TKT-48213:p3f9a0c1b2d');
    expect(probe.saves.ipv6).toContain(':f2b-sshd - [0:0]');
  });

  it('refuses when the probe did not run as root, and says so', () => {
    const probe = parseProbe(fixture('probe.debian-nft-nonroot.txt'));
    expect(probe).toMatchObject({ isRoot: false, canApply: false, saves: { ipv4: null, ipv6: null } });
    expect(probe.reasons).toEqual(['The probe did not run as root: Backline needs root (sudo) on this server to read and change the firewall.']);
  });

  it('warns when legacy tables sit beside nf_tables ones', () => {
    const probe = parseProbe(fixture('probe.debian-nft-legacy-tables.txt'));
    expect(probe.canApply).toBe(true);
    expect(probe.warnings).toContain('Both iptables backends hold rules here (nf_tables and legacy): a packet must pass both, and tools that read only one see half the picture.');
  });
});

describe('parseProbe on hand-written output', () => {
  it('RHEL 9 with firewalld running', () => {
    const probe = parseProbe(fixture('probe.rhel9-firewalld.hand.txt'));
    expect(probe).toMatchObject({ backend: 'nft', managers: { firewalld: 'active', ufw: 'absent' }, sessionPeer: { text: '192.0.2.10' }, canApply: true });
    expect(probe.warnings[0]).toBe("firewalld is running: it may reload and drop Backline's rules; Backline adds its own chain and does not use firewall-cmd.");
  });

  it('Ubuntu with ufw active', () => {
    const probe = parseProbe(fixture('probe.ubuntu-ufw.hand.txt'));
    expect(probe).toMatchObject({ managers: { firewalld: 'absent', ufw: 'active' }, sessionPeer: { text: '10.20.0.5' }, canApply: true });
    expect(probe.warnings[0]).toContain('ufw is active');
  });

  it('CentOS 7: legacy without a suffix, iptables-services, a chain whose jump is gone', () => {
    const probe = parseProbe(fixture('probe.centos7-legacy.hand.txt'));
    expect(probe).toMatchObject({
      backend: 'legacy',
      restoreWait: false,
      managers: { firewalld: 'inactive' },
      persistence: { kind: 'iptables-services', files: ['/etc/sysconfig/iptables', '/etc/sysconfig/ip6tables', '/usr/libexec/iptables/iptables.init'] },
      canApply: true,
    });
    expect(probe.warnings).toContain('The BACKLINE-OUT chain exists but OUTPUT does not jump to it: its rules block nothing until the jump is restored.');
    expect(probe.warnings.some((w) => w.includes('`service iptables save`'))).toBe(true);
  });

  it('Debian on legacy with netfilter-persistent', () => {
    const probe = parseProbe(fixture('probe.debian-legacy-persistent.hand.txt'));
    expect(probe).toMatchObject({ backend: 'legacy', persistence: { kind: 'netfilter-persistent', savedBacklineRules: 0 } });
    expect(probe.warnings[0]).toContain('netfilter-persistent');
  });

  it('netfilter-persistent installed with no rules saved restores nothing at boot: not persistence, and said so', () => {
    const text = fixture('probe.debian-legacy-persistent.hand.txt').replace('/etc/iptables/rules.v4\n/etc/iptables/rules.v6\n', '');
    const probe = parseProbe(text);
    expect(probe.persistence).toEqual({ kind: null, files: [], savedBacklineRules: 0 });
    expect(probe.warnings[0]).toBe(
      "netfilter-persistent is installed but no rules are saved in /etc/iptables: nothing is restored at boot, so Backline's block lasts until the next reboot (and Backline does not start saving this server's rules).",
    );
  });

  it("counts Backline's rules among the saved ones, and reads what runs the rollback", () => {
    const text = fixture('probe.debian-legacy-persistent.hand.txt').replace('##bl:units', '##bl:saved-backline\n/etc/iptables/rules.v4 2\n/etc/iptables/rules.v6 1\n##bl:rollback-timer\nsystemd-run\n##bl:units');
    expect(parseProbe(text)).toMatchObject({ persistence: { savedBacklineRules: 3 }, rollbackTimer: 'systemd-run' });
    expect(parseProbe(text.replace('\nsystemd-run\n', '\nsetsid\n')).rollbackTimer).toBe('setsid');
    // Output of a probe from before the section: unknown, not guessed.
    expect(parseProbe(fixture('probe.debian-legacy-persistent.hand.txt')).rollbackTimer).toBeNull();
  });

  it('a server without iptables cannot apply, and says what is missing', () => {
    const probe = parseProbe(fixture('probe.no-iptables.hand.txt'));
    expect(probe).toMatchObject({ backend: 'unknown', canApply: false, families: { ipv4: false, ipv6: false } });
    expect(probe.missing).toEqual(['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore']);
    expect(probe.reasons[0]).toBe('iptables is not usable here: iptables, iptables-save, iptables-restore, ip6tables, ip6tables-save, ip6tables-restore are not installed.');
  });

  it('an IPv4-only server can still apply, with a warning for IPv6', () => {
    const text = fixture('probe.debian-nft-root.txt').replace('ip6tables-restore /usr/sbin/ip6tables-restore', 'ip6tables-restore -');
    const probe = parseProbe(text);
    expect(probe).toMatchObject({ canApply: true, families: { ipv4: true, ipv6: false }, missing: ['ip6tables-restore'] });
    expect(probe.warnings[0]).toBe('IPv6 addresses cannot be blocked: ip6tables-restore missing.');
  });

  it('ufw run without root is unknown, not inactive', () => {
    const text = fixture('probe.ubuntu-ufw.hand.txt').replace(/##bl:ufw\n[\s\S]*?##bl:files/, '##bl:ufw\nERROR: You need to be root to run this script\n##bl:files');
    expect(parseProbe(text).managers.ufw).toBe('unknown');
  });

  it('reads the session peer with the shared parser: canonical, a link-local zone dropped, nonsense as unknown', () => {
    const withPeer = (line: string) => parseProbe(fixture('probe.rhel9-firewalld.hand.txt').replace(/##bl:session\n.*\n/, `##bl:session\n${line}\n`)).sessionPeer?.text ?? null;
    expect(withPeer('2001:DB8:0::0010 50022 2001:db8::5 22')).toBe('2001:db8::10');
    expect(withPeer('fe80::1%eth0 50022 fe80::2%eth0 22')).toBe('fe80::1');
    expect(withPeer('not-an-address 1 2 3')).toBeNull();
    expect(withPeer('')).toBeNull();
  });
});

describe('probe script, run for real', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('prb');
    ns.must(['iptables-restore'], fixture('customer-rules.v4.restore'));
  });
  afterAll(() => ns?.destroy());

  it('sections its output and finds the SSH peer in an ancestor when sudo has dropped it from the environment', () => {
    // The outer sh keeps SSH_CONNECTION, as sudo does; the probe itself runs without it (env_reset).
    const argv = ['ip', 'netns', 'exec', ns.name, 'env', '-u', 'SSH_CONNECTION', ...probeArgv()];
    const result = spawnSync('sh', ['-c', '"$@"; exit $?', 'outer', ...argv], { encoding: 'utf8', env: { ...process.env, SSH_CONNECTION: '198.51.100.9 50022 10.0.0.5 22' } });
    expect(result.status).toBe(0);
    expect([...splitSections(result.stdout).keys()]).toEqual([
      'uid',
      'which',
      'iptables-version',
      'firewalld',
      'ufw',
      'files',
      'saved-backline',
      'rollback-timer',
      'units',
      'session',
      'iptables-save',
      'iptables-save:status',
      'ip6tables-save',
      'ip6tables-save:status',
      'end',
    ]);
    const probe = parseProbe(result.stdout);
    expect(probe).toMatchObject({ sessionPeer: { text: '198.51.100.9' }, isRoot: true, canApply: true });
    // This machine has systemd-run installed but does not run systemd (no /run/systemd/system): setsid.
    expect(probe.rollbackTimer).toBe(existsSync('/run/systemd/system') ? 'systemd-run' : 'setsid');
    expect(probe.saves.ipv4).toContain('ssh from anywhere');
  });
});
