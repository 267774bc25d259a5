import { describe, expect, it } from 'vitest';
import { firewallMethods, parseBlockTarget } from './firewall.js';

/** The firewall's inputs are checked here, before any handler runs: a bad one names its field. */

const preview = firewallMethods['firewall.preview'].input;
const base = { ticketId: 'TKT-48213', serverId: 1, target: 'feeds.example.net', addresses: ['203.0.113.7'] };
const issues = (input: unknown) => {
  const result = preview.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
};

describe('firewall.preview input', () => {
  it('parses addresses to blocks and keeps the target canonical', () => {
    const input = preview.parse({ ...base, target: 'Feeds.Example.NET.', addresses: ['2001:DB8::7', '198.51.100.0/24'], keepReachable: ['[2001:db8::8]'] });
    expect(input.target).toBe('feeds.example.net');
    expect(input.addresses.map((a) => [a.kind, a.family, a.text])).toEqual([
      ['address', 'ipv6', '2001:db8::7'],
      ['network', 'ipv4', '198.51.100.0/24'],
    ]);
    expect(input.keepReachable.map((a) => a.text)).toEqual(['2001:db8::8']);
    expect(input).toMatchObject({ protocol: 'tcp', persist: false, force: false, confirmWithinS: 60 });
  });

  it.each([
    [{ target: '$(reboot)' }, 'target', 'characters a host name cannot contain'],
    [{ target: 'a;reboot' }, 'target', 'characters a host name cannot contain'],
    [{ target: '' }, 'target', 'Give a host name, an address or a CIDR block'],
    [{ target: '10.0.0.0/33' }, 'target', 'from 0 to 32'],
    [{ target: '0.0.0.0/0' }, 'target', 'every outbound connection'],
    [{ addresses: ['203.0.113.7; reboot'] }, 'addresses.0', 'not an IPv4 address'],
    [{ addresses: ['203.0.113.7', '203.0.113.7 -j ACCEPT'] }, 'addresses.1', 'not an IPv4 address'],
    [{ addresses: ['feeds.example.net'] }, 'addresses.0', 'resolve it on the server'],
    [{ addresses: ['198.51.100.7/24'] }, 'addresses.0', 'the network is 198.51.100.0/24'],
    [{ addresses: ['::/0'] }, 'addresses.0', 'every outbound connection'],
    [{ addresses: ['fe80::1%eth0'] }, 'addresses.0', 'zone'],
    [{ addresses: [] }, 'addresses', 'Pick at least one address'],
    [{ keepReachable: ['198.51.100.0/24'] }, 'keepReachable.0', 'only a single address'],
    [{ keepReachable: ['203.0.113.8', '203.0.113.7'] }, 'keepReachable.1', '203.0.113.7 is blocked (203.0.113.7)'],
    [{ addresses: ['203.0.113.0/24'], keepReachable: ['203.0.113.9'] }, 'keepReachable.0', 'is blocked (203.0.113.0/24)'],
    [{ port: 80, protocol: 'any' }, 'protocol', 'A port needs a protocol'],
    [{ port: 0 }, 'port', 'Ports run from 1 to 65535'],
    [{ port: '80; reboot' }, 'port', ''],
    [{ ticketId: 'TKT-1"; reboot; "' }, 'ticketId', ''],
  ])('refuses %j at %s', (overrides, path, message) => {
    const found = issues({ ...base, ...overrides });
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)?.message).toContain(message);
  });
});

describe('firewall.resolve input', () => {
  const resolve = firewallMethods['firewall.resolve'].input;
  it('takes a host name or an address, never a block or an option', () => {
    expect(resolve.parse({ serverId: 1, host: 'Feeds.Example.NET' }).host).toBe('feeds.example.net');
    expect(resolve.parse({ serverId: 1, host: '[2001:DB8::1]' }).host).toBe('2001:db8::1');
    expect(resolve.safeParse({ serverId: 1, host: '-oProxyCommand=x' }).success).toBe(false);
    expect(resolve.safeParse({ serverId: 1, host: '10.0.0.0/8' }).error?.issues[0]).toMatchObject({ path: ['host'], message: expect.stringContaining('is a CIDR block') as unknown });
  });
});

describe('parseBlockTarget', () => {
  it('tells a name from an address from a block', () => {
    expect(parseBlockTarget('feeds.example.net')).toMatchObject({ ok: true, value: { kind: 'hostname' } });
    expect(parseBlockTarget('203.0.113.7')).toMatchObject({ ok: true, value: { kind: 'address', family: 'ipv4' } });
    expect(parseBlockTarget('2001:db8:feed::/48')).toMatchObject({ ok: true, value: { kind: 'network', family: 'ipv6', prefix: 48 } });
    expect(parseBlockTarget('1.2.3.999')).toMatchObject({ ok: false });
  });
});
