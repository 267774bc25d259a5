import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { methods, type MethodInput } from '../../../shared/contract/index.js';
import { sessionCutDetailSchema } from '../../../shared/contract/firewall.js';
import { parseIpAddress } from '../../../shared/domain/address.js';
import { networkSamples, planSchema, untestedNotes, type FirewallBlockPlan } from '../../../shared/domain/plan.js';
import { parseProbe, type FirewallBackend } from './backend.js';
import { parseIpNetwork } from '../../../shared/domain/address.js';
import {
  blockEndedFinding,
  blockFinding,
  isBlockEnding,
  buildBlockPlan,
  expiryCommands,
  refusalError,
  verificationChecks,
  verificationSummary,
  type BlockPlanRequest,
  type PlanRefusal,
} from './plan.js';

/** Plans built from captured probe output, without root or SSH. */

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
// RHEL 9 with firewalld, both families readable, the session from 192.0.2.10.
const rhel = parseProbe(fixture('probe.rhel9-firewalld.hand.txt'));
const withPeer = (backend: FirewallBackend, peer: string): FirewallBackend => {
  const parsed = parseIpAddress(peer);
  if (!parsed.ok) throw new Error(parsed.problem);
  return { ...backend, sessionPeer: parsed.value };
};

const NOW = '2026-11-24T09:00:00.000Z';
const input = (overrides: Partial<MethodInput<'firewall.preview'>> = {}) =>
  methods['firewall.preview'].input.parse({ ticketId: 'TKT-48213', serverId: 3, target: 'feeds.example.net', addresses: ['203.0.113.7'], keepReachable: ['203.0.113.8'], port: 80, ...overrides });
const request = (overrides: Partial<BlockPlanRequest> = {}): BlockPlanRequest => ({
  input: input(),
  server: { id: 3, label: 'web1' },
  backend: rhel,
  asRoot: false,
  id: 'p3f9a0c1b2d',
  now: NOW,
  ...overrides,
});
const built = (overrides: Partial<BlockPlanRequest> = {}): FirewallBlockPlan => {
  const result = buildBlockPlan(request(overrides));
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.value;
};
const refused = (overrides: Partial<BlockPlanRequest> = {}): PlanRefusal => {
  const result = buildBlockPlan(request(overrides));
  if (result.ok) throw new Error('expected a refusal');
  return result.refusal;
};

describe('buildBlockPlan', () => {
  it('builds the plan: arm for the apply, add the rules atomically, verify from the server, ask, confirm; every command as it will run', () => {
    const plan = built();
    expect(planSchema.parse(plan)).toEqual(plan);
    expect(plan).toMatchObject({
      id: 'p3f9a0c1b2d',
      ticketId: 'TKT-48213',
      serverId: 3,
      kind: 'firewall.block',
      status: 'previewed',
      title: 'Block outbound 203.0.113.7 port 80/tcp from web1',
      rollbackAt: null,
      createdAt: NOW,
      updatedAt: NOW,
      log: [],
    });
    expect(plan.detail).toEqual({
      target: 'feeds.example.net',
      addresses: [{ address: '203.0.113.7', family: 'ipv4' }],
      keepReachable: ['203.0.113.8'],
      port: 80,
      protocol: 'tcp',
      expiresAt: null,
      persist: false,
      savedForReboot: false,
      confirmWithinS: 60,
      rules: [
        {
          family: 'ipv4',
          preview: [
            'iptables -N BACKLINE-OUT',
            'iptables -A BACKLINE-OUT -d 203.0.113.7/32 -p tcp -m tcp --dport 80 -m comment --comment backline:TKT-48213:p3f9a0c1b2d -j REJECT --reject-with tcp-reset',
            'iptables -I OUTPUT 1 -m comment --comment backline -j BACKLINE-OUT',
          ],
        },
      ],
      verification: null,
    });
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Save the current rules and arm the server-side rollback: it restores them 30 s later unless Backline moves the deadline on',
      'Add 1 IPv4 rule(s) to BACKLINE-OUT, atomically',
      'Verify from the server: blocked addresses refuse, the others still answer (the rollback deadline kept 45 s ahead meanwhile)',
      'Ask you to confirm: the server restores the saved rules 60 s from then',
      'Confirm within 60 s, or the server restores the saved rules',
    ]);
    // Armed for the apply (one family: 15 s, and a margin), not for the engineer's window.
    expect(plan.steps[0]?.command).toMatch(/^sudo -n -- sh -c .* backline-arm \/var\/lib\/backline\/plans\/p3f9a0c1b2d 30 \/run\/systemd\/system 'd=\$1; n=0\n/s);
    expect(plan.steps[1]?.command).toBe(plan.detail.rules[0]?.preview.join('\n'));
    expect(plan.steps[1]?.check).toBe('sudo -n -- iptables-save -t filter');
    expect(plan.steps[2]?.command).toMatch(/^sudo -n -- sh -c .*' backline-extend \/var\/lib\/backline\/plans\/p3f9a0c1b2d 45\nsh -c .*' backline-connect 203\.0\.113\.7 80 auto\nsh -c .*' backline-connect 203\.0\.113\.8 80 auto$/s);
    // The confirmation window starts when the engineer is asked: after applying and verifying.
    expect(plan.steps[3]?.command).toMatch(/^sudo -n -- sh -c .*' backline-extend \/var\/lib\/backline\/plans\/p3f9a0c1b2d 60$/s);
    expect(plan.steps[4]?.command).toMatch(/' backline-disarm \/var\/lib\/backline\/plans\/p3f9a0c1b2d$/);
    expect(plan.warnings).toEqual(rhel.warnings);
  });

  it('runs without sudo as root, computes the expiry from the clock it is given, and warns when persisting cannot work', () => {
    const plan = built({ asRoot: true, input: input({ expiresInMinutes: 30, persist: true }) });
    expect(plan.steps[0]?.command).toMatch(/^sh -c /);
    expect(plan.detail.expiresAt).toBe(Date.parse(NOW) / 1000 + 1800);
    expect(plan.detail.rules[0]?.preview[1]).toContain(`backline:TKT-48213:p3f9a0c1b2d:exp=${Date.parse(NOW) / 1000 + 1800}`);
    expect(plan.warnings.at(-1)).toBe('This server does not persist its rules with netfilter-persistent: the block will not survive a reboot.');
  });

  it('writes a rule set per family, canonical, and verifies networks at addresses inside them', () => {
    const plan = built({ input: input({ addresses: ['2001:DB8:0::7', '198.51.100.0/24'], keepReachable: ['[2001:db8::8]'], protocol: 'any', port: undefined }) });
    expect(plan.detail.addresses).toEqual([
      { address: '2001:db8::7', family: 'ipv6' },
      { address: '198.51.100.0/24', family: 'ipv4' },
    ]);
    expect(plan.detail.rules.map((r) => r.family)).toEqual(['ipv4', 'ipv6']);
    expect(plan.steps.map((s) => s.title)).toContain('Add 2 IPv6 rule(s) to BACKLINE-OUT, atomically');
    expect(verificationChecks(plan.detail)).toEqual([
      { address: '2001:db8::7', port: 80, expected: 'blocked', network: null },
      { address: '198.51.100.1', port: 80, expected: 'blocked', network: '198.51.100.0/24' },
      { address: '198.51.100.254', port: 80, expected: 'blocked', network: '198.51.100.0/24' },
      { address: '2001:db8::8', port: 80, expected: 'reachable', network: null },
    ]);
    expect(untestedNotes(plan.detail)).toEqual(['198.51.100.0/24: tested 198.51.100.1 and 198.51.100.254, not its other 254 addresses']);
  });

  it('previews a plan for a CIDR block of either family, testing addresses inside it and saying what it leaves untested (was INTERNAL)', () => {
    const plan = built({ input: input({ target: '10.94.0.40/30', addresses: ['10.94.0.40/30', 'fd94::40/126'], keepReachable: [], port: 443 }) });
    const verify = plan.steps.find((s) => s.title.startsWith('Verify from the server'));
    expect(verify?.title).toContain('not tested: 10.94.0.40/30: tested 10.94.0.41 and 10.94.0.42, not its other 2 addresses; fd94::40/126: tested fd94::41 and fd94::42, not its other 2 addresses');
    expect(verify?.command).toMatch(/backline-connect 10\.94\.0\.41 443 auto\n.*backline-connect 10\.94\.0\.42 443 auto\n.*backline-connect fd94::41 443 auto\n.*backline-connect fd94::42 443 auto$/s);
    const summary = verificationSummary(
      [{ address: '10.94.0.41', port: 443, expected: 'blocked', reachable: false, detail: 'Connection refused', network: '10.94.0.40/30' }],
      untestedNotes({ ...plan.detail, addresses: [{ address: '10.94.0.40/30', family: 'ipv4' }] }),
    );
    expect(summary).toEqual({
      ok: true,
      unexpected: 0,
      message: '10.94.0.41:443 (in 10.94.0.40/30) refused (should be blocked): Connection refused. Not tested: 10.94.0.40/30: tested 10.94.0.41 and 10.94.0.42, not its other 2 addresses.',
    });
  });

  it('refuses a server Backline will not change', () => {
    expect(refused({ backend: parseProbe(fixture('probe.debian-nft-nonroot.txt')) })).toMatchObject({ kind: 'cannot-apply', reasons: [expect.stringContaining('did not run as root') as unknown] });
  });

  it('refuses a family whose rules could not be read, naming the addresses', () => {
    const backend = { ...rhel, saves: { ...rhel.saves, ipv6: null } };
    expect(refused({ backend, input: input({ addresses: ['203.0.113.7', '2001:db8::7', '2001:db8::8'], keepReachable: [] }) })).toEqual({ kind: 'family-unreadable', family: 'ipv6', indexes: [1, 2] });
  });
});

describe("the session's own address", () => {
  const everyPort = { port: undefined, keepReachable: [] };

  it('is refused when blocked on every TCP port: as an address or inside a block, IPv4 or IPv6', () => {
    expect(refused({ input: input({ ...everyPort, addresses: ['203.0.113.7', '192.0.2.10'] }) })).toEqual({ kind: 'session-would-be-cut', peer: '192.0.2.10', indexes: [1] });
    expect(refused({ input: input({ ...everyPort, addresses: ['192.0.2.0/24'], protocol: 'any' }) })).toMatchObject({ kind: 'session-would-be-cut', indexes: [0] });
    const v6 = withPeer(rhel, '2001:db8:feed::10');
    expect(refused({ backend: v6, input: input({ ...everyPort, addresses: ['2001:db8:feed::/48'] }) })).toEqual({ kind: 'session-would-be-cut', peer: '2001:db8:feed::10', indexes: [0] });
  });

  it('is not cut by one port, by UDP, by another family, or when the peer is unknown', () => {
    expect(built({ input: input({ addresses: ['192.0.2.10'], keepReachable: [] }) }).status).toBe('previewed');
    expect(built({ input: input({ ...everyPort, addresses: ['192.0.2.10'], protocol: 'udp' }) }).status).toBe('previewed');
    expect(built({ input: input({ ...everyPort, addresses: ['::ffff:192.0.2.10'] }) }).status).toBe('previewed');
    expect(built({ backend: { ...rhel, sessionPeer: null }, input: input({ ...everyPort, addresses: ['192.0.2.10'] }) }).status).toBe('previewed');
  });

  it('is blocked when forced, with a warning', () => {
    const plan = built({ input: input({ ...everyPort, addresses: ['192.0.2.10'], force: true, confirmWithinS: 20 }) });
    expect(plan.warnings.at(-1)).toBe('This blocks 192.0.2.10, the address of your own SSH session: expect to be cut off; the server restores its rules after 20 s.');
  });
});

describe('refusalError', () => {
  it('gives the cut session its own code, the peer as a typed field and the address as the issue', () => {
    const error = refusalError({ kind: 'session-would-be-cut', peer: '192.0.2.10', indexes: [1] }, 'web1');
    expect(error.code).toBe('SESSION_WOULD_BE_CUT');
    expect(error.message).toBe('Blocking 192.0.2.10 would cut this SSH session to web1: it is the address the server sees you connect from.');
    expect(sessionCutDetailSchema.parse(error.detail)).toEqual({ server: 'web1', peer: '192.0.2.10' });
    expect(error.issues).toEqual([{ path: 'addresses.1', message: "This holds 192.0.2.10, this session's own address." }]);
  });

  it('says what else stands in the way', () => {
    expect(refusalError({ kind: 'cannot-apply', reasons: ['a', 'b'] }, 'web1')).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Backline will not change the firewall on web1: a; b' });
    expect(refusalError({ kind: 'family-unreadable', family: 'ipv6', indexes: [0] }, 'web1')).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'IPv6 rules could not be read on web1.',
      hint: expect.stringContaining('ip6tables may be missing') as unknown,
      issues: [{ path: 'addresses.0', message: 'IPv6 rules cannot be changed on this server.' }],
    });
    expect(refusalError({ kind: 'invalid-rule', message: 'nope' }, 'web1')).toMatchObject({ code: 'VALIDATION_FAILED', message: 'The rules cannot be written: nope' });
  });
});

describe('after applying', () => {
  it('sums up the verification: ok only when every check went as expected', () => {
    const summary = verificationSummary([
      { address: '203.0.113.7', port: 80, expected: 'blocked', reachable: false, detail: 'refused', network: null },
      { address: '2001:db8::8', port: 80, expected: 'reachable', reachable: false, detail: 'timed out', network: null },
    ]);
    expect(summary).toEqual({ ok: false, unexpected: 1, message: '203.0.113.7:80 refused (should be blocked): refused; [2001:db8::8]:80 refused (should answer): timed out' });
  });

  it('lifts exactly the added rules at expiry, then the chain if it is empty', () => {
    const plan = built({ input: input({ expiresInMinutes: 5 }) });
    const commands = expiryCommands(plan.detail);
    expect(commands[0]).toBe(plan.detail.rules[0]?.preview[1]?.replace(' -A BACKLINE-OUT ', ' -D BACKLINE-OUT '));
    expect(commands[1]).toMatch(/^sh -c .* backline-cleanup iptables$/s);
    expect(commands).toHaveLength(2);
  });

  it('saves the rules for reboot again after lifting them, when they were saved for reboot (else the block would come back at boot)', () => {
    const plan = built({ input: input({ expiresInMinutes: 5, persist: true }) });
    const commands = expiryCommands({ ...plan.detail, savedForReboot: true });
    expect(commands).toHaveLength(3);
    expect(commands[2]).toMatch(/^sh -c .*netfilter-persistent save.*' backline-resave$/s);
  });

  it('leaves a finding that says what is blocked, where, until when, with the rules and the verification', () => {
    const plan = built();
    const verified = { ...plan, detail: { ...plan.detail, verification: [{ address: '203.0.113.7', port: 80, expected: 'blocked' as const, reachable: false, detail: 'refused', network: null }] } };
    const finding = blockFinding(verified, 'web1');
    expect(finding).toMatchObject({ ticketId: 'TKT-48213', kind: 'action', severity: 'medium', title: 'Outbound to 203.0.113.7:80 blocked from web1 until removed' });
    expect(finding.evidence.map((e) => e.label)).toEqual(['Rules', 'Verification from the server']);
  });

  it('writes an IPv6 address with its port in brackets in the finding, as clients do', () => {
    const plan = built({ input: input({ addresses: ['203.0.113.7', '2001:db8::7'], keepReachable: [] }) });
    expect(blockFinding(plan, 'web1').title).toBe('Outbound to 203.0.113.7:80, [2001:db8::7]:80 blocked from web1 until removed');
    expect(blockFinding(built({ input: input({ addresses: ['2001:db8::7'], keepReachable: [], port: undefined }) }), 'web1').title).toBe('Outbound to 2001:db8::7 blocked from web1 until removed');
  });

  it('ties the finding to its plan, and says once the block ended that it no longer holds', () => {
    const plan = built();
    const finding = blockFinding(plan, 'web1');
    expect(finding.planId).toBe(plan.id);
    const at = '2026-11-25T11:00:00.000Z';
    const ended = blockEndedFinding(plan, 'web1', 'removed', at, '2026-11-25T10:00:00.000Z');
    expect(ended.title).toBe(`Outbound to 203.0.113.7:80 no longer blocked from web1: the block was removed at ${at}`);
    expect(ended.note).toBe(`The block was in place from 2026-11-25T10:00:00.000Z until it was removed at ${at} (plan ${plan.id}).`);
    // What is true now, only: nothing of "blocked ... until removed" is left to paste.
    expect(`${ended.title} ${ended.note}`).not.toMatch(/blocked from web1 until/);
    expect(blockEndedFinding(plan, 'web1', 'rolled-back', at, '').title).toContain('the block was rolled back at');
    expect(['removed', 'expired', 'rolled-back', 'confirmed', 'failed'].map((s) => isBlockEnding(s as 'removed'))).toEqual([true, true, true, false, false]);
  });
});

describe('networkSamples', () => {
  const samples = (text: string) => {
    const network = parseIpNetwork(text);
    if (!network.ok) throw new Error(network.problem);
    const { samples: addresses, size } = networkSamples(network.value);
    return { addresses, size: size.toString() };
  };

  it('picks the first and last host of a network, and every address of the smallest ones', () => {
    expect(samples('10.94.0.40/30')).toEqual({ addresses: ['10.94.0.41', '10.94.0.42'], size: '4' });
    expect(samples('10.94.0.40/31')).toEqual({ addresses: ['10.94.0.40', '10.94.0.41'], size: '2' });
    expect(samples('10.0.0.0/8')).toEqual({ addresses: ['10.0.0.1', '10.255.255.254'], size: '16777216' });
    expect(samples('fd94::40/126')).toEqual({ addresses: ['fd94::41', 'fd94::42'], size: '4' });
    expect(samples('fd94::42/127')).toEqual({ addresses: ['fd94::42', 'fd94::43'], size: '2' });
    expect(samples('fd77::/64')).toEqual({ addresses: ['fd77::1', 'fd77::ffff:ffff:ffff:fffe'], size: (2n ** 64n).toString() });
  });

  it('says how much of a huge network was not tried, without counting to 2^64', () => {
    const plan = built({ input: input({ addresses: ['fd77::/64'], keepReachable: [] }) });
    expect(untestedNotes(plan.detail)).toEqual(['fd77::/64: tested fd77::1 and fd77::ffff:ffff:ffff:fffe, not its other 2^64 - 2 addresses']);
  });
});
