import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectArgv, parseConnect } from './connectivity.js';
import { backlineRules, jumpIsFirst, normalizeForComparison, parseIptablesSave, withoutBacklineRules } from './iptables-save.js';
import { type BlockRequest, FirewallInputError, blockChange, previewLines, restoreArgv, unblockChange } from './rules.js';
import { familyNames, type AddressFamily } from '../../../shared/domain/address.js';
import { Netns, availableBackends, fixtureSuffix, tool } from './testing/netns.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const customerV4 = parseIptablesSave(fixture('save.nft.v4.txt'));
const withBacklineV4 = parseIptablesSave(fixture('save.nft.backline.v4.txt'));

const request = (overrides: Partial<BlockRequest> = {}): BlockRequest => ({
  family: 'ipv4',
  current: customerV4,
  ticketId: 'TKT-48213',
  planId: 'p3f9a0c1b2d',
  destinations: ['203.0.113.7'],
  protocol: 'tcp',
  port: 80,
  expiresAt: 1764080000,
  ...overrides,
});

describe('blockChange (text)', () => {
  it('creates the chain, inserts the jump first in OUTPUT and adds a tagged REJECT per address', () => {
    const change = blockChange(request({ destinations: ['203.0.113.7', '203.0.113.8'] }));
    expect(change.restoreText).toBe(
      [
        '*filter',
        ':BACKLINE-OUT - [0:0]',
        '-A BACKLINE-OUT -d 203.0.113.7/32 -p tcp -m tcp --dport 80 -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with tcp-reset',
        '-A BACKLINE-OUT -d 203.0.113.8/32 -p tcp -m tcp --dport 80 -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with tcp-reset',
        '-I OUTPUT 1 -m comment --comment backline -j BACKLINE-OUT',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(change).toMatchObject({ createsChain: true, insertsJump: true, deletesChain: false, deletedJumps: [] });
    expect(previewLines(change)).toEqual([
      'iptables -N BACKLINE-OUT',
      'iptables -A BACKLINE-OUT -d 203.0.113.7/32 -p tcp -m tcp --dport 80 -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with tcp-reset',
      'iptables -A BACKLINE-OUT -d 203.0.113.8/32 -p tcp -m tcp --dport 80 -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with tcp-reset',
      'iptables -I OUTPUT 1 -m comment --comment backline -j BACKLINE-OUT',
    ]);
  });

  it('re-emits the rules already in the chain (declaring it flushes it) and leaves a first jump alone', () => {
    const change = blockChange(request({ current: withBacklineV4, planId: 'p0000000001', ticketId: 'tkt-7', destinations: ['192.0.2.9'], protocol: 'udp', port: 53, expiresAt: null }));
    const lines = change.restoreText?.split('\n') ?? [];
    expect(lines.slice(1, 8)).toEqual([
      ':BACKLINE-OUT - [0:0]',
      '-A BACKLINE-OUT -d 203.0.113.7/32 -p tcp -m tcp --dport 80 -m comment --comment "backline:TKT-48213:p3f9a0c1b2d:exp=1764080000" -j REJECT --reject-with tcp-reset',
      '-A BACKLINE-OUT -d 198.51.100.0/24 -p tcp -m comment --comment "backline:TKT-50102:p00aa11bb22" -j REJECT --reject-with tcp-reset',
      '-A BACKLINE-OUT -d 198.51.100.0/24 -m comment --comment "backline:TKT-50102:p00aa11bb22" -j REJECT --reject-with icmp-port-unreachable',
      '-A BACKLINE-OUT -d 192.0.2.80/32 -p tcp -m comment --comment "backline:TKT-50102:p00aa11bb22" -j REJECT --reject-with tcp-reset',
      '-A BACKLINE-OUT -d 192.0.2.80/32 -m comment --comment "backline:TKT-50102:p00aa11bb22" -j REJECT --reject-with icmp-port-unreachable',
      '-A BACKLINE-OUT -d 192.0.2.9/32 -p udp -m udp --dport 53 -m comment --comment backline:TKT-7:p0000000001 -j REJECT --reject-with icmp-port-unreachable',
    ]);
    expect(lines).not.toContain('-I OUTPUT 1 -m comment --comment backline -j BACKLINE-OUT');
    expect(change).toMatchObject({ createsChain: false, insertsJump: false });
    expect(previewLines(change)).toEqual([
      'iptables -A BACKLINE-OUT -d 192.0.2.9/32 -p udp -m udp --dport 53 -m comment --comment backline:TKT-7:p0000000001 -j REJECT --reject-with icmp-port-unreachable',
    ]);
  });

  it('is a no-op when the same plan is applied again', () => {
    expect(blockChange(request({ current: withBacklineV4 })).restoreText).toBeNull();
  });

  it('moves the jump back to the top of OUTPUT when a rule was inserted above it', () => {
    const text = fixture('save.nft.backline.v4.txt').replace('-A OUTPUT -m comment --comment backline', '-A OUTPUT -o lo -j ACCEPT\n-A OUTPUT -m comment --comment backline');
    const change = blockChange(request({ current: parseIptablesSave(text), planId: 'p0000000002' }));
    expect(change.restoreText).toContain('-D OUTPUT -m comment --comment backline -j BACKLINE-OUT\n-I OUTPUT 1 -m comment --comment backline -j BACKLINE-OUT\nCOMMIT');
    expect(previewLines(change).slice(-2)).toEqual(['iptables -D OUTPUT -m comment --comment backline -j BACKLINE-OUT', 'iptables -I OUTPUT 1 -m comment --comment backline -j BACKLINE-OUT']);
  });

  it('restores a missing jump to a chain that is still there', () => {
    const text = fixture('save.nft.backline.v4.txt').replace('-A OUTPUT -m comment --comment backline -j BACKLINE-OUT\n', '');
    const change = blockChange(request({ current: parseIptablesSave(text), planId: 'p0000000004' }));
    expect(change).toMatchObject({ createsChain: false, insertsJump: true, deletedJumps: [] });
    expect(change.restoreText).toMatch(/-I OUTPUT 1 -m comment --comment backline -j BACKLINE-OUT\nCOMMIT\n$/);
  });

  it('writes IPv6 rules with /128; any protocol gets a tcp-reset rule then an icmp6 one', () => {
    const change = blockChange(request({ family: 'ipv6', current: parseIptablesSave(fixture('save.nft.v6.txt')), destinations: ['2001:DB8:0::7', '2001:db8:feed::/48'], protocol: 'any', port: null }));
    expect(previewLines(change).slice(1, 5)).toEqual([
      'ip6tables -A BACKLINE-OUT -d 2001:db8::7/128 -p tcp -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with tcp-reset',
      'ip6tables -A BACKLINE-OUT -d 2001:db8::7/128 -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with icmp6-port-unreachable',
      'ip6tables -A BACKLINE-OUT -d 2001:db8:feed::/48 -p tcp -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with tcp-reset',
      'ip6tables -A BACKLINE-OUT -d 2001:db8:feed::/48 -m comment --comment backline:TKT-48213:p3f9a0c1b2d:exp=1764080000 -j REJECT --reject-with icmp6-port-unreachable',
    ]);
  });

  it.each([
    [{ destinations: ['feeds.example.net'] }, 'resolve it on the server'],
    [{ destinations: ['2001:db8::7'] }, 'IPv6 address; this rule set is IPv4'],
    [{ destinations: ['203.0.113.7; reboot'] }, 'not an IPv4 address'],
    [{ destinations: ['203.0.113.7/24'] }, 'the network is 203.0.113.0/24'],
    [{ destinations: ['0.0.0.0/0'] }, 'every outbound connection'],
    [{ destinations: [] }, 'at least one address'],
    [{ ticketId: 'TKT-1"\n-F' }, 'not a ticket id'],
    [{ planId: 'p1:exp=1' }, 'not a plan id'],
    [{ protocol: 'any' as const }, 'needs a protocol'],
    [{ port: 70000 }, 'not between 1 and 65535'],
    [{ expiresAt: -5 }, 'expiry'],
  ])('refuses bad input %j', (overrides, message) => {
    expect(() => blockChange(request(overrides))).toThrow(FirewallInputError);
    expect(() => blockChange(request(overrides))).toThrow(message);
  });
});

describe('unblockChange (text)', () => {
  it("keeps the other tickets' rules when one ticket's go", () => {
    const change = unblockChange('ipv4', withBacklineV4, { ticketId: 'tkt-50102' });
    expect(change.restoreText).toBe(
      '*filter\n:BACKLINE-OUT - [0:0]\n-A BACKLINE-OUT -d 203.0.113.7/32 -p tcp -m tcp --dport 80 -m comment --comment "backline:TKT-48213:p3f9a0c1b2d:exp=1764080000" -j REJECT --reject-with tcp-reset\nCOMMIT\n',
    );
    expect(change.removed).toHaveLength(4);
    expect(previewLines(change)).toEqual([
      'iptables -D BACKLINE-OUT -d 198.51.100.0/24 -p tcp -m comment --comment backline:TKT-50102:p00aa11bb22 -j REJECT --reject-with tcp-reset',
      'iptables -D BACKLINE-OUT -d 198.51.100.0/24 -m comment --comment backline:TKT-50102:p00aa11bb22 -j REJECT --reject-with icmp-port-unreachable',
      'iptables -D BACKLINE-OUT -d 192.0.2.80/32 -p tcp -m comment --comment backline:TKT-50102:p00aa11bb22 -j REJECT --reject-with tcp-reset',
      'iptables -D BACKLINE-OUT -d 192.0.2.80/32 -m comment --comment backline:TKT-50102:p00aa11bb22 -j REJECT --reject-with icmp-port-unreachable',
    ]);
  });

  it('removes the jump, then flushes and deletes the chain when nothing remains', () => {
    const change = unblockChange('ipv4', withBacklineV4, { all: true });
    expect(change.restoreText).toBe('*filter\n-D OUTPUT -m comment --comment backline -j BACKLINE-OUT\n-F BACKLINE-OUT\n-X BACKLINE-OUT\nCOMMIT\n');
    expect(previewLines(change).slice(-2)).toEqual(['iptables -D OUTPUT -m comment --comment backline -j BACKLINE-OUT', 'iptables -X BACKLINE-OUT']);
  });

  it('lifts expired blocks only', () => {
    expect(unblockChange('ipv4', withBacklineV4, { expiredAt: 1764079999 }).restoreText).toBeNull();
    const change = unblockChange('ipv4', withBacklineV4, { expiredAt: 1764080000 });
    expect(change.removed.map((args) => args[1])).toEqual(['203.0.113.7/32']);
    expect(change.remaining).toHaveLength(4);
  });

  it('changes nothing when nothing matches or there is no chain', () => {
    expect(unblockChange('ipv4', withBacklineV4, { planId: 'p9999999999' }).restoreText).toBeNull();
    expect(unblockChange('ipv4', customerV4, { all: true }).restoreText).toBeNull();
  });

  it("never removes a hand-made rule in the chain unless asked for all", () => {
    const parsed = parseIptablesSave('*filter\n:OUTPUT ACCEPT [0:0]\n:BACKLINE-OUT - [0:0]\n-A OUTPUT -j BACKLINE-OUT\n-A BACKLINE-OUT -d 10.0.0.1/32 -j DROP\n-A BACKLINE-OUT -d 10.0.0.2/32 -m comment --comment "backline:TKT-1:p0000000001" -j REJECT\nCOMMIT\n');
    expect(unblockChange('ipv4', parsed, { ticketId: 'TKT-1' }).restoreText).toBe('*filter\n:BACKLINE-OUT - [0:0]\n-A BACKLINE-OUT -d 10.0.0.1/32 -j DROP\nCOMMIT\n');
  });
});

describe('restoreArgv', () => {
  it('passes the text as an argument to a fixed script', () => {
    expect(restoreArgv('ipv6', 'TEXT', { test: true })).toEqual(['sh', '-c', expect.stringContaining('"$@"') as unknown, 'backline-restore', 'TEXT', 'ip6tables-restore', '--noflush', '--test']);
    expect(restoreArgv('ipv4', 'TEXT', { waitSeconds: 5 }).slice(4)).toEqual(['TEXT', 'iptables-restore', '-w', '5', '--noflush']);
  });
});

/**
 * The generated text against real iptables, in a throwaway namespace per backend: needs root and
 * `ip netns` (this machine and CI have both). Legacy runs when Debian's iptables-legacy binaries exist.
 */
const backends = availableBackends();
it('has at least the nf_tables iptables binaries to test against', () => {
  expect(backends).toContain('nft');
});

describe.each(backends)('real iptables-restore --noflush (%s): what the design relies on', (backend) => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create(`nf${backend.slice(0, 1)}`);
  });
  afterAll(() => ns?.destroy());

  it('declaring an existing chain flushes it; -D, -F and -X work in restore input', () => {
    const restore = (text: string) => ns.must([tool(backend, 'ipv4', 'restore'), '-w', '5', '--noflush'], text);
    const chain = () => ns.must([tool(backend, 'ipv4', 'cli'), '-S', 'BACKLINE-OUT']);
    restore('*filter\n:BACKLINE-OUT - [0:0]\n-A BACKLINE-OUT -d 192.0.2.1/32 -j REJECT\n-I OUTPUT 1 -j BACKLINE-OUT\nCOMMIT\n');
    restore('*filter\n:BACKLINE-OUT - [0:0]\n-A BACKLINE-OUT -d 192.0.2.2/32 -j REJECT\nCOMMIT\n');
    expect(chain()).not.toContain('192.0.2.1');
    expect(chain()).toContain('192.0.2.2');
    restore('*filter\n-D OUTPUT -j BACKLINE-OUT\n-F BACKLINE-OUT\n-X BACKLINE-OUT\nCOMMIT\n');
    expect(ns.run([tool(backend, 'ipv4', 'cli'), '-S', 'BACKLINE-OUT']).status).not.toBe(0);
  });

  it('writes IPv6 destinations as ip6tables-save prints them back, mixed notation included, so applying again changes nothing', () => {
    const current = () => parseIptablesSave(ns.must([tool(backend, 'ipv6', 'save')]));
    const destinations = ['::FFFF:192.0.2.1', '::1.2.3.4', '::ffff:1:2', '2001:DB8:0:0:1::1', '0:0:1::', '64:ff9b::198.51.100.0/120'];
    const change = blockChange(request({ family: 'ipv6', current: current(), destinations, protocol: 'tcp', port: 80 }));
    expect(ns.run(restoreArgv('ipv6', change.restoreText ?? '', { binary: tool(backend, 'ipv6', 'restore'), waitSeconds: 5 }))).toMatchObject({ status: 0, stderr: '' });
    expect(backlineRules(current()).map((r) => r.destination)).toEqual(['::ffff:192.0.2.1/128', '::1.2.3.4/128', '::ffff:0.1.0.2/128', '2001:db8::1:0:0:1/128', '0:0:1::/128', '64:ff9b::c633:6400/120']);
    expect(blockChange(request({ family: 'ipv6', current: current(), destinations, protocol: 'tcp', port: 80 })).restoreText).toBeNull();
    const cleanup = unblockChange('ipv6', current(), { all: true });
    expect(ns.run(restoreArgv('ipv6', cleanup.restoreText ?? '', { binary: tool(backend, 'ipv6', 'restore'), waitSeconds: 5 })).status).toBe(0);
  });
});

const addresses: Record<AddressFamily, { client: string; bad: string; good: string; prefix: number }> = {
  ipv4: { client: '10.99.0.1', bad: '10.99.0.7', good: '10.99.0.8', prefix: 24 },
  ipv6: { client: 'fd00:99::1', bad: 'fd00:99::7', good: 'fd00:99::8', prefix: 64 },
};

describe.each(backends.flatMap((backend) => (['ipv4', 'ipv6'] as const).map((family) => ({ backend, family, name: familyNames[family] }))))('real iptables: $backend, $name', ({ backend, family }) => {
  // The customer's server, and a second namespace playing the upstream web heads, joined by a veth
  // pair: on loopback the reset would be addressed to the blocked address itself and be blocked too.
  let ns: Netns;
  let heads: Netns;
  let listener: ChildProcess | undefined;
  const { client, bad, good, prefix } = addresses[family];
  const save = () => ns.must([tool(backend, family, 'save')]);
  const customerOnly = (text: string) => normalizeForComparison(withoutBacklineRules(text));
  const restore = (text: string | null, test = false) => {
    if (text === null) throw new Error('expected a change');
    return ns.run(restoreArgv(family, text, { binary: tool(backend, family, 'restore'), test, waitSeconds: 5 }));
  };
  const apply = (text: string | null) => expect(restore(text)).toMatchObject({ stderr: '', status: 0 });
  const connect = (host: string) => parseConnect(ns.run(connectArgv(host, 8080)).stdout, host, 8080);
  let original = '';

  beforeAll(async () => {
    ns = Netns.create(backend.slice(0, 3));
    heads = Netns.create('hd');
    ns.link(heads, { name: 'blc0', addresses: [`${client}/${prefix}`] }, { name: 'blh0', addresses: [`${bad}/${prefix}`, `${good}/${prefix}`] });
    ns.must([tool(backend, family, 'restore')], fixture(`customer-rules.${fixtureSuffix[family]}.restore`));
    const server = `require('net').createServer((s) => s.end('HTTP/1.0 200 OK\\r\\n\\r\\nok')).listen(8080, '${family === 'ipv4' ? '0.0.0.0' : '::'}', () => console.log('listening'))`;
    listener = spawn('ip', ['netns', 'exec', heads.name, process.execPath, '-e', server], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      listener?.stdout?.once('data', () => resolve());
      listener?.once('exit', (code) => reject(new Error(`listener exited (${code})`)));
    });
    original = save();
  });

  afterAll(() => {
    listener?.kill();
    ns?.destroy();
    heads?.destroy();
  });

  it('both heads answer before any block', () => {
    expect(connect(bad)).toMatchObject({ reachable: true, httpStatus: 200 });
    expect(connect(good)).toMatchObject({ reachable: true });
  });

  it('--test checks the text without changing anything', () => {
    const change = blockChange(request({ family, current: parseIptablesSave(save()), destinations: [bad], port: 8080 }));
    expect(restore(change.restoreText, true).status).toBe(0);
    expect(normalizeForComparison(save())).toBe(normalizeForComparison(original));
  });

  it('a failing line leaves the previous rules untouched (one transaction)', () => {
    const change = blockChange(request({ family, current: parseIptablesSave(save()), destinations: [bad], port: 8080 }));
    const broken = change.restoreText?.replace('COMMIT', '-A BACKLINE-OUT -d not..an.address -j REJECT\nCOMMIT') ?? null;
    const result = restore(broken);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Error occurred at line/);
    expect(normalizeForComparison(save())).toBe(normalizeForComparison(original));
  });

  it('blocks the bad head for one ticket: jump first, customer rules unchanged, connection refused at once', () => {
    const change = blockChange(request({ family, current: parseIptablesSave(save()), destinations: [bad], port: 8080 }));
    apply(change.restoreText);
    const after = save();
    const parsed = parseIptablesSave(after);
    expect(jumpIsFirst(parsed)).toBe(true);
    expect(backlineRules(parsed).map((r) => r.tag?.ticketId)).toEqual(['TKT-48213']);
    expect(customerOnly(after)).toBe(customerOnly(original));
    // What iptables-save prints back is exactly what was generated.
    expect(backlineRules(parsed).map((r) => r.rule.args)).toEqual(change.added);
    const started = performance.now();
    expect(connect(bad)).toMatchObject({ reachable: false, conclusive: true, detail: expect.stringMatching(/Cannot connect to .*8080/) as unknown });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(connect(good)).toMatchObject({ reachable: true });
  });

  it('applying the same plan again changes nothing', () => {
    expect(blockChange(request({ family, current: parseIptablesSave(save()), destinations: [bad], port: 8080 })).restoreText).toBeNull();
  });

  it("a second ticket's block keeps the first one's rules", () => {
    const change = blockChange(request({ family, current: parseIptablesSave(save()), ticketId: 'TKT-50102', planId: 'p00aa11bb22', destinations: [good], protocol: 'any', port: null, expiresAt: null }));
    apply(change.restoreText);
    const parsed = parseIptablesSave(save());
    expect(backlineRules(parsed).map((r) => r.tag?.ticketId)).toEqual(['TKT-48213', 'TKT-50102', 'TKT-50102']);
    expect(connect(bad).reachable).toBe(false);
    const started = performance.now();
    expect(connect(good)).toMatchObject({ reachable: false, detail: expect.stringContaining('Cannot connect') as unknown });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(customerOnly(save())).toBe(customerOnly(original));
  });

  it('moves the jump back to the top when someone inserted a rule above it', () => {
    ns.must([tool(backend, family, 'cli'), '-I', 'OUTPUT', '1', '-o', 'blc0', '-j', 'ACCEPT']);
    expect(connect(bad).reachable).toBe(true); // the customer's ACCEPT now comes first
    const change = blockChange(request({ family, current: parseIptablesSave(save()), planId: 'p0000000003', destinations: [bad], port: 8080 }));
    apply(change.restoreText);
    expect(jumpIsFirst(parseIptablesSave(save()))).toBe(true);
    expect(connect(bad).reachable).toBe(false);
    ns.must([tool(backend, family, 'cli'), '-D', 'OUTPUT', '-o', 'blc0', '-j', 'ACCEPT']);
    const cleanup = unblockChange(family, parseIptablesSave(save()), { planId: 'p0000000003' });
    apply(cleanup.restoreText);
  });

  it("removing one ticket leaves the other's block in place", () => {
    const change = unblockChange(family, parseIptablesSave(save()), { ticketId: 'TKT-48213' });
    apply(change.restoreText);
    const parsed = parseIptablesSave(save());
    expect(backlineRules(parsed).map((r) => r.tag?.ticketId)).toEqual(['TKT-50102', 'TKT-50102']);
    expect(jumpIsFirst(parsed)).toBe(true);
    expect(connect(bad).reachable).toBe(true);
    expect(connect(good).reachable).toBe(false);
    expect(customerOnly(save())).toBe(customerOnly(original));
  });

  it('removing the last block takes the jump and the chain away: the save is as it was', () => {
    const change = unblockChange(family, parseIptablesSave(save()), { all: true });
    expect(change.deletesChain).toBe(true);
    apply(change.restoreText);
    expect(normalizeForComparison(save())).toBe(normalizeForComparison(original));
    expect(connect(good).reachable).toBe(true);
  });
});
