import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalAddress, hostnameProblem, parseGetentAhosts, parseTarget } from './target.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parseTarget', () => {
  it('reads host names, lower-cased and without the trailing dot', () => {
    expect(parseTarget({ host: 'Feeds.Example.NET.', port: '80', protocol: 'tcp' })).toEqual({
      ok: true,
      target: { host: { kind: 'hostname', name: 'feeds.example.net' }, port: 80, protocol: 'tcp' },
    });
  });

  it('reads IPv4 and IPv6 addresses, IPv6 in the compressed form iptables-save prints', () => {
    expect(parseTarget({ host: '203.0.113.7' })).toEqual({ ok: true, target: { host: { kind: 'address', address: '203.0.113.7', family: 4 }, port: null, protocol: 'any' } });
    const v6 = parseTarget({ host: '[2001:DB8:0:0:0:0:0:7]', port: 443, protocol: 'TCP' });
    expect(v6).toEqual({ ok: true, target: { host: { kind: 'address', address: '2001:db8::7', family: 6 }, port: 443, protocol: 'tcp' } });
  });

  it('reads CIDR networks and refuses host bits after the prefix, naming the network', () => {
    expect(parseTarget({ host: '198.51.100.0/24' })).toMatchObject({ ok: true, target: { host: { kind: 'network', address: '198.51.100.0', prefix: 24, family: 4 } } });
    expect(parseTarget({ host: '2001:db8:feed::/48' })).toMatchObject({ ok: true, target: { host: { kind: 'network', address: '2001:db8:feed::', prefix: 48, family: 6 } } });
    expect(parseTarget({ host: '198.51.100.7/24' })).toEqual({
      ok: false,
      errors: [{ field: 'host', message: '198.51.100.7/24 has bits set after the prefix; the network is 198.51.100.0/24.' }],
    });
    expect(parseTarget({ host: '2001:db8:feed:1::/48' })).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining('2001:db8:feed::/48') as unknown }] });
  });

  it.each([
    ['10.0.0.0/33', 'from 0 to 32'],
    ['2001:db8::/129', 'from 0 to 128'],
    ['10.0.0.0/', 'from 0 to 32'],
    ['10.0.0.0/x', 'from 0 to 32'],
    ['0.0.0.0/0', 'every outbound connection'],
    ['example.com/24', 'not an IPv4 or IPv6 address'],
    ['-bad.example.com', 'start or end with a dash'],
    ['bad-.example.com', 'start or end with a dash'],
    ['a..b', 'empty parts'],
    ['under_score.example', 'characters a host name cannot contain'],
    ['1.2.3.999', 'neither a valid IPv4'],
    ['fe80::1%eth0', 'zone'],
    ['', 'Enter a host name'],
    [`${'a'.repeat(64)}.example`, 'at most 63'],
    [Array(64).fill('abcd').join('.'), 'at most 253'],
  ])('refuses host %j with a human message', (host, message) => {
    const result = parseTarget({ host });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toContain(message);
  });

  it('accepts a 253-character name made of 63-character labels', () => {
    const name = [63, 63, 63, 61].map((n) => 'a'.repeat(n)).join('.');
    expect(name).toHaveLength(253);
    expect(hostnameProblem(name)).toBeNull();
  });

  it('validates port and protocol, reporting every field at once', () => {
    expect(parseTarget({ host: 'x.example', port: '0', protocol: 'icmp' })).toEqual({
      ok: false,
      errors: [
        { field: 'protocol', message: 'Protocol must be tcp, udp or any, not "icmp".' },
        { field: 'port', message: 'A port is a whole number from 1 to 65535, not "0".' },
      ],
    });
    expect(parseTarget({ host: 'x.example', port: 65536, protocol: 'udp' })).toMatchObject({ ok: false, errors: [{ field: 'port' }] });
    expect(parseTarget({ host: 'x.example', port: '8o', protocol: 'tcp' })).toMatchObject({ ok: false, errors: [{ field: 'port' }] });
    expect(parseTarget({ host: 'x.example', port: 80 })).toEqual({ ok: false, errors: [{ field: 'protocol', message: 'A port needs a protocol: choose tcp or udp.' }] });
    expect(parseTarget({ host: 'x.example', port: ' ', protocol: '' })).toMatchObject({ ok: true, target: { port: null, protocol: 'any' } });
    expect(parseTarget({ host: 'x.example', port: 65535, protocol: 'udp' })).toMatchObject({ ok: true, target: { port: 65535, protocol: 'udp' } });
  });
});

describe('canonicalAddress', () => {
  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalAddress(input, 6)).toBe(expected);
  });
});

describe('parseGetentAhosts', () => {
  it('reads the real output for localhost (captured on this machine)', () => {
    expect(parseGetentAhosts(fixture('getent-ahosts-localhost.txt'))).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('lists every address of a multi-head name once, in resolver order (hand-written fixture)', () => {
    expect(parseGetentAhosts(fixture('getent-ahosts-feeds.hand.txt'))).toEqual([
      { address: '203.0.113.7', family: 4 },
      { address: '203.0.113.8', family: 4 },
      { address: '198.51.100.23', family: 4 },
      { address: '2001:db8::7', family: 6 },
      { address: '2001:db8::8', family: 6 },
    ]);
  });

  it('returns nothing for a name that does not resolve (getent prints nothing)', () => {
    expect(parseGetentAhosts('')).toEqual([]);
  });
});
