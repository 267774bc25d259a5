import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backlineRules,
  customerOutputRules,
  filterTable,
  hasChain,
  hasJump,
  jumpIsFirst,
  normalizeForComparison,
  parseIptablesSave,
  parseTag,
  restoreQuote,
  splitRuleArgs,
  withoutBacklineRules,
} from './iptables-save.js';

// Real saves from iptables 1.8.9 in a throwaway namespace (fixtures/capture.ts), nf_tables and legacy.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const backends = ['nft', 'legacy'] as const;

describe('parseIptablesSave', () => {
  it.each(backends)('reads tables, chains, policies and rules of a customer rule set (%s)', (backend) => {
    const parsed = parseIptablesSave(fixture(`save.${backend}.v4.txt`));
    expect(parsed.problems).toEqual([]);
    expect(parsed.tables.map((t) => t.name)).toEqual(['filter', 'nat']);
    const filter = filterTable(parsed);
    expect(filter?.chains.map((c) => [c.name, c.policy])).toEqual([
      ['INPUT', 'DROP'],
      ['FORWARD', 'DROP'],
      ['OUTPUT', 'ACCEPT'],
      ['DOCKER', null],
      ['DOCKER-ISOLATION-STAGE-1', null],
      ['DOCKER-USER', null],
    ]);
    const output = filter?.rules.filter((r) => r.chain === 'OUTPUT') ?? [];
    expect(output.map((r) => [r.comment, r.target])).toEqual([
      ['loopback is always fine', 'ACCEPT'],
      ['resolver (ns1)', 'ACCEPT'],
      ['no direct mail: use the "smarthost"', 'REJECT'],
      [null, 'LOG'],
      [null, 'DROP'],
    ]);
    expect(output[3]?.args).toEqual(['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'LOG', '--log-prefix', 'OUT INVALID: ']);
    // The spec keeps the quoting exactly, so it can be fed back to iptables-restore.
    expect(output[2]?.spec).toBe('-p tcp -m tcp --dport 25 -m comment --comment "no direct mail: use the \\"smarthost\\"" -j REJECT --reject-with tcp-reset');
    expect(hasChain(parsed)).toBe(false);
    expect(hasJump(parsed)).toBe(false);
    expect(backlineRules(parsed)).toEqual([]);
  });

  it('reads rules saved with counters (-c)', () => {
    const parsed = parseIptablesSave(fixture('save.nft.counters.v4.txt'));
    expect(parsed.problems).toEqual([]);
    expect(filterTable(parsed)?.rules[0]).toMatchObject({ chain: 'INPUT', spec: '-i lo -j ACCEPT', target: 'ACCEPT' });
  });

  it('reports lines it cannot read instead of failing the whole save', () => {
    const parsed = parseIptablesSave('-A OUTPUT -j ACCEPT\n*filter\n:OUTPUT ACCEPT [0:0]\n-I OUTPUT 1 -j DROP\n-A OUTPUT -j ACCEPT\nCOMMIT\nCOMMIT\n');
    expect(parsed.problems).toEqual([
      { line: 1, message: 'outside a table: -A OUTPUT -j ACCEPT' },
      { line: 4, message: 'not a chain or rule line: -I OUTPUT 1 -j DROP' },
      { line: 7, message: 'COMMIT outside a table' },
    ]);
    expect(filterTable(parsed)?.rules).toHaveLength(1);
  });
});

describe('splitRuleArgs / restoreQuote', () => {
  it('splits like iptables-restore: double quotes group, backslash escapes, single quotes are plain', () => {
    expect(splitRuleArgs('-m comment --comment "say \\"hi\\" it\\\'s a\\\\b" -j ACCEPT')).toEqual(['-m', 'comment', '--comment', 'say "hi" it\'s a\\b', '-j', 'ACCEPT']);
    expect(splitRuleArgs('--comment "" -j  ACCEPT')).toEqual(['--comment', '', '-j', 'ACCEPT']);
  });

  it('round-trips any argument', () => {
    for (const arg of ['backline:TKT-1:p0123456789:exp=17', 'OUT INVALID: ', 'a"b', "it's", 'back\\slash', '', '!']) {
      expect(splitRuleArgs(`-x ${restoreQuote(arg)} -y`)).toEqual(['-x', arg, '-y']);
    }
  });
});

describe('Backline rules in a save', () => {
  it.each(backends)('finds the chain, the jump and the tagged rules with their tags (%s, IPv4)', (backend) => {
    const parsed = parseIptablesSave(fixture(`save.${backend}.backline.v4.txt`));
    expect(hasChain(parsed)).toBe(true);
    expect(hasJump(parsed)).toBe(true);
    expect(jumpIsFirst(parsed)).toBe(true);
    expect(backlineRules(parsed).map(({ tag, destination, protocol, port }) => ({ tag, destination, protocol, port }))).toEqual([
      { tag: { ticketId: 'TKT-48213', planId: 'p3f9a0c1b2d', expiresAt: 1764080000 }, destination: '203.0.113.7/32', protocol: 'tcp', port: 80 },
      { tag: { ticketId: 'TKT-50102', planId: 'p00aa11bb22', expiresAt: null }, destination: '198.51.100.0/24', protocol: 'tcp', port: null },
      { tag: { ticketId: 'TKT-50102', planId: 'p00aa11bb22', expiresAt: null }, destination: '198.51.100.0/24', protocol: null, port: null },
      { tag: { ticketId: 'TKT-50102', planId: 'p00aa11bb22', expiresAt: null }, destination: '192.0.2.80/32', protocol: 'tcp', port: null },
      { tag: { ticketId: 'TKT-50102', planId: 'p00aa11bb22', expiresAt: null }, destination: '192.0.2.80/32', protocol: null, port: null },
    ]);
  });

  it.each(backends)('finds them in ip6tables-save too (%s)', (backend) => {
    const rules = backlineRules(parseIptablesSave(fixture(`save.${backend}.backline.v6.txt`)));
    expect(rules.map((r) => [r.destination, r.tag?.ticketId])).toEqual([
      ['2001:db8::7/128', 'TKT-48213'],
      ['2001:db8:feed::/48', 'TKT-50102'],
      ['2001:db8:feed::/48', 'TKT-50102'],
    ]);
  });

  it('reads tags, and nothing from comments that are not Backline tags', () => {
    expect(parseTag('backline:TKT-1:p0123456789')).toEqual({ ticketId: 'TKT-1', planId: 'p0123456789', expiresAt: null });
    expect(parseTag('backline')).toBeNull();
    expect(parseTag('backline:TKT-1')).toBeNull();
    expect(parseTag('backline:TKT-1:p1:exp=soon')).toBeNull();
    expect(parseTag(null)).toBeNull();
  });

  it('keeps an untagged rule someone added to the chain by hand, with a null tag', () => {
    const parsed = parseIptablesSave('*filter\n:OUTPUT ACCEPT [0:0]\n:BACKLINE-OUT - [0:0]\n-A OUTPUT -o lo -j ACCEPT\n-A OUTPUT -j BACKLINE-OUT\n-A BACKLINE-OUT -d 10.0.0.1/32 -j DROP\nCOMMIT\n');
    expect(backlineRules(parsed)).toMatchObject([{ tag: null, destination: '10.0.0.1/32' }]);
    expect(hasJump(parsed)).toBe(true);
    expect(jumpIsFirst(parsed)).toBe(false);
  });
});

describe('withoutBacklineRules / normalizeForComparison', () => {
  it.each(backends)('turns the save with Backline rules back into the customer-only save (%s)', (backend) => {
    for (const family of [4, 6]) {
      const before = normalizeForComparison(fixture(`save.${backend}.v${family}.txt`));
      const after = normalizeForComparison(withoutBacklineRules(fixture(`save.${backend}.backline.v${family}.txt`)));
      expect(after).toBe(before);
      expect(after).not.toContain('backline');
      expect(after).not.toContain('BACKLINE');
    }
  });

  it('drops counters and the Generated/Completed stamps, nothing else', () => {
    const normalized = normalizeForComparison(fixture('save.legacy.counters.v4.txt'));
    expect(normalized).not.toMatch(/\[\d+:\d+\]|# Generated|# Completed/);
    expect(normalizeForComparison(withoutBacklineRules(fixture('save.legacy.counters.v4.txt')))).toBe(normalizeForComparison(fixture('save.legacy.v4.txt')));
    expect(normalizeForComparison('# Warning: iptables-legacy tables present\n:INPUT ACCEPT [12:345]\n[1:2] -A INPUT -j ACCEPT')).toBe('# Warning: iptables-legacy tables present\n:INPUT ACCEPT\n-A INPUT -j ACCEPT');
  });

  it('leaves another table with a chain of the same name alone', () => {
    const text = '*nat\n:BACKLINE-OUT - [0:0]\n-A OUTPUT -j BACKLINE-OUT\nCOMMIT\n';
    expect(withoutBacklineRules(text)).toBe(text);
  });
});

describe('customerOutputRules', () => {
  it.each(backends)("reads the customer's OUTPUT rules in order, without Backline's jump (%s)", (backend) => {
    const { policy, rules } = customerOutputRules(parseIptablesSave(fixture(`save.${backend}.backline.v4.txt`)));
    expect(policy).toBe('ACCEPT');
    expect(rules.map((r) => [r.target, r.destination, r.protocol, r.ports, r.comment])).toEqual([
      ['ACCEPT', null, null, null, 'loopback is always fine'],
      ['ACCEPT', '192.0.2.53/32', 'udp', '53', 'resolver (ns1)'],
      ['REJECT', null, 'tcp', '25', 'no direct mail: use the "smarthost"'],
      ['LOG', null, null, null, null],
      ['DROP', null, null, null, null],
    ]);
    expect(rules.every((r) => !r.spec.includes('BACKLINE-OUT'))).toBe(true);
  });

  it('reads IPv6 saves and a save without a filter table', () => {
    expect(customerOutputRules(parseIptablesSave(fixture('save.nft.backline.v6.txt'))).rules.length).toBeGreaterThan(0);
    expect(customerOutputRules(parseIptablesSave('*nat\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n'))).toEqual({ policy: null, rules: [] });
  });
});
