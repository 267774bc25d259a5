import { describe, expect, it } from 'vitest';
import {
  blockCidr,
  blockContains,
  canonicalIp,
  cidrContains,
  hostPort,
  hostnameProblem,
  ipAddressTextSchema,
  ipBlockTextSchema,
  parseHost,
  parseIpAddress,
  parseIpBlock,
  parseIpNetwork,
  type IpAddress,
  type Parsed,
} from './address.js';

const value = <T>(parsed: Parsed<T>): T => {
  if (!parsed.ok) throw new Error(`expected a value, got: ${parsed.problem}`);
  return parsed.value;
};
const problemOf = (parsed: Parsed<unknown>): string => {
  if (parsed.ok) throw new Error(`expected a problem, got ${JSON.stringify(parsed.value)}`);
  return parsed.problem;
};
const address = (text: string): IpAddress => value(parseIpAddress(text));

describe('parseIpAddress: IPv4', () => {
  it('reads dotted quads', () => {
    expect(parseIpAddress(' 203.0.113.7 ')).toEqual({ ok: true, value: { kind: 'address', family: 'ipv4', text: '203.0.113.7', bytes: [203, 0, 113, 7] } });
    expect(address('0.0.0.0').text).toBe('0.0.0.0');
    expect(address('255.255.255.255').bytes).toEqual([255, 255, 255, 255]);
  });

  it.each([
    ['1.2.3', 'four numbers'],
    ['1.2.3.4.5', 'four numbers'],
    ['1.2.3.', 'four numbers'],
    ['1..3.4', 'four numbers'],
    ['1.2.3.999', '999 is more than 255'],
    ['256.1.1.1', '256 is more than 255'],
    ['010.0.0.1', 'leading zeros'],
    ['1.2.3.0x1', 'four numbers'],
    ['1.2.3.-1', 'four numbers'],
    ['1.2.3.4 ', null],
    ['', 'Give an IPv4 or IPv6 address'],
    ['[1.2.3.4]', 'without the brackets'],
  ])('%j: %s', (text, message) => {
    const parsed = parseIpAddress(text);
    if (message === null) expect(parsed.ok).toBe(true);
    else expect(problemOf(parsed)).toContain(message);
  });
});

describe('parseIpAddress: IPv6', () => {
  it('reads every spelling, to the canonical text', () => {
    expect(address('2001:0DB8:0000:0000:0000:0000:0000:0001')).toMatchObject({ family: 'ipv6', text: '2001:db8::1' });
    expect(address('::').bytes).toEqual(Array(16).fill(0));
    expect(address('::1').text).toBe('::1');
    expect(address('1::').text).toBe('1::');
    expect(address('1:2:3:4:5:6:7::').text).toBe('1:2:3:4:5:6:7:0');
    expect(address('::2:3:4:5:6:7:8').text).toBe('0:2:3:4:5:6:7:8');
    expect(address('::ffff:192.0.2.1').text).toBe('::ffff:192.0.2.1');
    expect(address('::FFFF:c000:0201').text).toBe('::ffff:192.0.2.1');
    expect(address('64:ff9b::192.0.2.1').text).toBe('64:ff9b::c000:201');
    expect(address('1:2:3:4:5:6:1.2.3.4').text).toBe('1:2:3:4:5:6:102:304');
  });

  it('takes brackets only when asked, and a zone never unless it is to be dropped', () => {
    expect(problemOf(parseIpAddress('[::1]'))).toContain('without the brackets');
    expect(value(parseIpAddress('[2001:DB8::7]', { brackets: true })).text).toBe('2001:db8::7');
    expect(problemOf(parseIpAddress('[::1', { brackets: true }))).toContain('unmatched');
    expect(problemOf(parseIpAddress('fe80::1%eth0'))).toContain('zone (%eth0)');
    expect(problemOf(parseIpAddress('[fe80::1%eth0]', { brackets: true }))).toContain('zone');
    expect(value(parseIpAddress('fe80::1%eth0', { zone: 'drop' })).text).toBe('fe80::1');
    expect(problemOf(parseIpAddress('fe80::1%', { zone: 'drop' }))).toContain('empty zone');
  });

  it.each([
    ['1:2:3:4:5:6:7', 'it has 7 groups'],
    ['1:2:3:4:5:6:7:8:9', 'it has 9 groups'],
    ['1:2:3:4:5:6:7:8::', 'already 8'],
    ['1::2::3', 'only once'],
    [':1::2', 'empty group'],
    ['1::2:', 'empty group'],
    ['1:::2', 'empty group'],
    ['12345::', 'one to four hex digits'],
    ['g::1', 'only hex digits'],
    ['::1.2.3.4:5', 'may only come last'],
    ['1.2.3.4::', 'may only come last'],
    ['::1.2.3.256', 'IPv4 tail'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'it has 9 groups'],
    ['2001:db8::1 ; reboot', 'only hex digits'],
  ])('refuses %j (%s)', (text, message) => {
    expect(problemOf(parseIpAddress(text))).toContain(message);
  });

  // Expected outputs from glibc's inet_ntop (python3 socket.inet_ntop on Debian 13), which ip6tables-save
  // (iptables 1.8.9, nf_tables and legacy) was seen to print identically for ::ffff:192.0.2.1, ::1.2.3.4,
  // ::ffff:0.1.0.2, ::2, 2001:db8::1:0:0:1 and 0:0:1::.
  it.each([
    ['0:0:0:0:0:0:1:0', '::0.1.0.0'],
    ['0:0:0:ffff:0:0:0:0', '0:0:0:ffff::'],
    ['ffff:ffff:0:0:ffff:ffff:ffff:1', 'ffff:ffff::ffff:ffff:ffff:1'],
    ['0:ffff:0:0:5c0a:0:ffff:0', '0:ffff::5c0a:0:ffff:0'],
    ['0:0:0:0:1:1412:ffff:0', '::1:1412:ffff:0'],
    ['0:0:0:0:0:ffff:9e84:0', '::ffff:158.132.0.0'],
    ['c586:0:0:ffff:1:0:0:1', 'c586::ffff:1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:76c3:0:ffff:0:0:1', '::76c3:0:ffff:0:0:1'],
    ['ffff:0:1:1:1:1:0:0', 'ffff:0:1:1:1:1::'],
    ['0:0:0:0:0:ffff:0:0', '::ffff:0.0.0.0'],
    ['ffff:0:0:1:0:1:1:0', 'ffff::1:0:1:1:0'],
    ['0:af6d:1:ffff:0:0:ffff:989f', '0:af6d:1:ffff::ffff:989f'],
    ['0:0:0:0:0:ffff:2b68:1', '::ffff:43.104.0.1'],
    ['1:1:0:1:cd82:2b7a:0:0', '1:1:0:1:cd82:2b7a::'],
    ['1:0:0:0:ffff:0:0:1f2e', '1::ffff:0:0:1f2e'],
    ['0:0:0:0:0:ffff:0:ffff', '::ffff:0.0.255.255'],
    ['0:0:0:0:0:0:ffff:1', '::255.255.0.1'],
    ['0:0:0:1:0:0:ffff:0', '::1:0:0:ffff:0'],
    ['ffff:0:0:0:ffff:0:0:0', 'ffff::ffff:0:0:0'],
    ['0:0:ffff:0:0:dd46:ffff:ffff', '::ffff:0:0:dd46:ffff:ffff'],
    ['0:0:ffff:0:0:0:0:1', '0:0:ffff::1'],
    ['0:0:0:0:0:0:1:19ff', '::0.1.25.255'],
    ['9a5:1:0:0:2f13:21d1:0:0', '9a5:1::2f13:21d1:0:0'],
    ['0:0:0:0:0:0:0:2', '::2'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:1::', '0:0:1::'],
  ])('%s is written %s, as glibc and iptables-save write it', (text, expected) => {
    expect(address(text).text).toBe(expected);
    expect(address(expected).text).toBe(expected);
  });
});

describe('parseIpNetwork', () => {
  it('reads CIDR blocks of both families', () => {
    expect(value(parseIpNetwork('198.51.100.0/24'))).toEqual({ kind: 'network', family: 'ipv4', address: '198.51.100.0', prefix: 24, text: '198.51.100.0/24', bytes: [198, 51, 100, 0] });
    expect(value(parseIpNetwork('2001:DB8:FEED::/48'))).toMatchObject({ family: 'ipv6', address: '2001:db8:feed::', prefix: 48, text: '2001:db8:feed::/48' });
    expect(value(parseIpNetwork('0.0.0.0/0')).text).toBe('0.0.0.0/0');
    expect(value(parseIpNetwork('10.0.0.1/32')).text).toBe('10.0.0.1/32');
    expect(value(parseIpNetwork('::/0')).text).toBe('::/0');
  });

  it('refuses host bits after the prefix, naming the network', () => {
    expect(problemOf(parseIpNetwork('198.51.100.7/24'))).toBe('198.51.100.7/24 has bits set after the prefix; the network is 198.51.100.0/24.');
    expect(problemOf(parseIpNetwork('2001:db8:feed:1::/48'))).toContain('the network is 2001:db8:feed::/48');
  });

  it.each([
    ['10.0.0.0/33', 'from 0 to 32 for an IPv4 network'],
    ['2001:db8::/129', 'from 0 to 128 for an IPv6 network'],
    ['10.0.0.0/', 'from 0 to 32'],
    ['10.0.0.0/x', 'from 0 to 32'],
    ['10.0.0.0/024', 'from 0 to 32'],
    ['10.0.0.0/+8', 'from 0 to 32'],
    ['10.0.0.0/8/8', '"10.0.0.0/8/8" has more than one slash'],
    ['10.94.0.43/32/$(reboot)', '"10.94.0.43/32/$(reboot)" has more than one slash: a CIDR block is an address, one slash and a prefix length'],
    ['10.0.0.0/x', 'from 0 to 32 for an IPv4 network, not "x"'],
    ['example.com/24', 'Before the slash'],
    ['10.0.0.0', 'needs a prefix length'],
  ])('refuses %j', (text, message) => {
    expect(problemOf(parseIpNetwork(text))).toContain(message);
  });
});

describe('containment and forms', () => {
  it('knows which addresses a block holds, in both families', () => {
    expect(cidrContains('10.77.0.0/16', '10.77.3.4')).toBe(true);
    expect(cidrContains('10.77.0.0/16', '10.78.0.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '192.0.2.1')).toBe(true);
    expect(cidrContains('10.0.0.128/25', '10.0.0.127')).toBe(false);
    expect(cidrContains('10.0.0.128/25', '10.0.0.255')).toBe(true);
    expect(cidrContains('2001:db8:feed::/48', '2001:db8:feed:1::7')).toBe(true);
    expect(cidrContains('2001:db8:feed::/48', '2001:db8:fee0::7')).toBe(false);
    expect(cidrContains('2001:db8::/33', '2001:db8:7fff::1')).toBe(true);
    expect(cidrContains('2001:db8::/33', '2001:db8:8000::1')).toBe(false);
    expect(cidrContains('::/0', '::1')).toBe(true);
    // A single address is a block of one.
    expect(cidrContains('2001:DB8::7', '2001:db8:0::7')).toBe(true);
    expect(cidrContains('10.0.0.1', '10.0.0.2')).toBe(false);
  });

  it('never mixes families, and refuses what does not parse', () => {
    expect(cidrContains('0.0.0.0/0', '::ffff:10.0.0.1')).toBe(false);
    expect(cidrContains('::/0', '10.0.0.1')).toBe(false);
    expect(cidrContains('10.0.0.0/8', 'ten')).toBe(false);
    expect(blockContains(value(parseIpBlock('10.0.0.0/8')), address('10.1.2.3'))).toBe(true);
  });

  it('writes blocks with their prefix and host:port as clients do', () => {
    expect(blockCidr(value(parseIpBlock('203.0.113.7')))).toBe('203.0.113.7/32');
    expect(blockCidr(value(parseIpBlock('2001:DB8::7')))).toBe('2001:db8::7/128');
    expect(blockCidr(value(parseIpBlock('198.51.100.0/24')))).toBe('198.51.100.0/24');
    expect(canonicalIp('2001:0db8::0001')).toBe('2001:db8::1');
    expect(canonicalIp('feeds.example.net')).toBeNull();
    expect(hostPort('10.77.0.43', 80)).toBe('10.77.0.43:80');
    expect(hostPort('2001:db8::1', 443)).toBe('[2001:db8::1]:443');
    expect(hostPort('feeds.example.net', 80)).toBe('feeds.example.net:80');
  });
});

describe('parseHost', () => {
  it('reads names, lower-cased and without the trailing dot', () => {
    expect(value(parseHost('Feeds.Example.NET.'))).toEqual({ kind: 'hostname', name: 'feeds.example.net' });
  });

  it('reads addresses, brackets allowed, and networks only when asked', () => {
    expect(value(parseHost('[2001:DB8:0:0:0:0:0:7]'))).toMatchObject({ kind: 'address', text: '2001:db8::7', family: 'ipv6' });
    expect(problemOf(parseHost('198.51.100.0/24'))).toContain('is a CIDR block');
    expect(value(parseHost('198.51.100.0/24', { networks: true }))).toMatchObject({ kind: 'network', text: '198.51.100.0/24' });
  });

  it.each([
    ['-bad.example.com', 'start or end with a dash'],
    ['bad-.example.com', 'start or end with a dash'],
    ['a..b', 'empty parts'],
    ['under_score.example', 'characters a host name cannot contain'],
    ['a;reboot', 'characters a host name cannot contain'],
    ['$(reboot)', 'characters a host name cannot contain'],
    ['1.2.3.999', 'more than 255'],
    ['example.123', 'neither a valid IPv4 address nor a host name'],
    ['fe80::1%eth0', 'zone'],
    ['', 'Enter a host name'],
    [`${'a'.repeat(64)}.example`, 'at most 63'],
    [Array(64).fill('abcd').join('.'), 'at most 253'],
  ])('refuses %j with a human reason', (text, message) => {
    expect(problemOf(parseHost(text, { networks: true }))).toContain(message);
  });

  it('accepts a 253-character name made of 63-character labels', () => {
    const name = [63, 63, 63, 61].map((n) => 'a'.repeat(n)).join('.');
    expect(name).toHaveLength(253);
    expect(hostnameProblem(name)).toBeNull();
  });
});

describe('zod schemas', () => {
  it('canonicalise what they accept and name the reason for what they refuse', () => {
    expect(ipAddressTextSchema.parse(' [2001:DB8::1] ')).toBe('2001:db8::1');
    expect(ipBlockTextSchema.parse('2001:DB8:FEED::/48')).toBe('2001:db8:feed::/48');
    const refused = ipBlockTextSchema.safeParse('10.0.0.1/24');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('10.0.0.1/24 has bits set after the prefix; the network is 10.0.0.0/24.');
    expect(ipAddressTextSchema.safeParse('10.0.0.0/8').success).toBe(false);
  });
});
