import { describe, expect, it } from 'vitest';
import { issuesToFields } from '../app/issueFields.js';
import {
  addressIssues,
  blockFieldFor,
  emptyBlockForm,
  keepReachableFrom,
  literalAddress,
  pickedAddresses,
  refusedForOwnSession,
  sessionCutOf,
  targetProblem,
  toPreviewInput,
  type BlockAddress,
} from './blockForm.js';

const heads: BlockAddress[] = [
  { address: '10.77.0.41', family: 'ipv4' },
  { address: '10.77.0.42', family: 'ipv4' },
  { address: '10.77.0.43', family: 'ipv4' },
  { address: '2001:db8::43', family: 'ipv6' },
];

describe('literalAddress', () => {
  it('takes addresses and CIDR blocks, written as the main side will write them', () => {
    expect(literalAddress(' 203.0.113.7 ')).toEqual({ address: '203.0.113.7', family: 'ipv4' });
    expect(literalAddress('203.0.113.0/24')).toEqual({ address: '203.0.113.0/24', family: 'ipv4' });
    expect(literalAddress('2001:DB8:0::1')).toEqual({ address: '2001:db8::1', family: 'ipv6' });
    expect(literalAddress('[2001:db8::1]')).toEqual({ address: '2001:db8::1', family: 'ipv6' });
    expect(literalAddress('2001:db8::/32')).toEqual({ address: '2001:db8::/32', family: 'ipv6' });
    expect(literalAddress('::ffff:10.0.0.1')).toEqual({ address: '::ffff:10.0.0.1', family: 'ipv6' });
  });
  it('leaves names to the server, and nonsense to targetProblem', () => {
    expect(literalAddress('feeds.lab.test')).toBeNull();
    expect(literalAddress('256.1.1.1')).toBeNull();
    expect(literalAddress('10.0.0.1/33')).toBeNull();
    expect(literalAddress('10.0.0.1/24/1')).toBeNull();
    expect(literalAddress('1:2:3')).toBeNull();
    expect(literalAddress('')).toBeNull();
  });
});

describe('targetProblem', () => {
  it('says why, with the same words as the main side, and nothing for what can be used', () => {
    expect(targetProblem('feeds.lab.test')).toBeNull();
    expect(targetProblem('203.0.113.0/24')).toBeNull();
    expect(targetProblem('')).toBeNull();
    expect(targetProblem('256.1.1.1')).toContain('256 is more than 255');
    expect(targetProblem('10.0.0.1/24')).toBe('10.0.0.1/24 has bits set after the prefix; the network is 10.0.0.0/24.');
    expect(targetProblem('10.0.0.0/33')).toContain('from 0 to 32');
    expect(targetProblem('0.0.0.0/0')).toContain('every outbound connection');
    expect(targetProblem('1:2:3')).toContain('not an IPv6 address');
    expect(targetProblem('a;reboot')).toContain('characters a host name cannot contain');
  });
});

describe('picked and kept addresses', () => {
  it('blocks the picked head and keeps the others reachable', () => {
    const picked = new Set(['10.77.0.43']);
    expect(pickedAddresses(heads, picked)).toEqual(['10.77.0.43']);
    expect(keepReachableFrom(heads, picked)).toEqual(['10.77.0.41', '10.77.0.42', '2001:db8::43']);
  });
  it('keeps the listed order, drops duplicates and never checks a CIDR block', () => {
    const all: BlockAddress[] = [...heads, { address: '10.77.0.43', family: 'ipv4' }, { address: '203.0.113.0/24', family: 'ipv4' }];
    expect(pickedAddresses(all, new Set(['2001:db8::43', '10.77.0.41']))).toEqual(['10.77.0.41', '2001:db8::43']);
    expect(keepReachableFrom(all, new Set(['10.77.0.41']))).toEqual(['10.77.0.42', '10.77.0.43', '2001:db8::43']);
  });
  it('does not keep an address that a picked block holds', () => {
    const all: BlockAddress[] = [...heads, { address: '10.77.0.40/30', family: 'ipv4' }];
    expect(keepReachableFrom(all, new Set(['10.77.0.40/30']))).toEqual(['2001:db8::43']);
  });
});

describe('toPreviewInput', () => {
  it('sends what was picked and leaves blank optional fields out', () => {
    const input = toPreviewInput('TKT-1', 3, { ...emptyBlockForm(), target: ' feeds.lab.test ', port: 80 }, heads.slice(0, 3), new Set(['10.77.0.43']));
    expect(input).toEqual({
      ticketId: 'TKT-1',
      serverId: 3,
      target: 'feeds.lab.test',
      addresses: ['10.77.0.43'],
      keepReachable: ['10.77.0.41', '10.77.0.42'],
      port: 80,
      protocol: 'tcp',
      persist: false,
      force: false,
      confirmWithinS: 60,
    });
  });
  it('passes expiry, persistence, force and the confirm window', () => {
    const input = toPreviewInput(
      'TKT-1',
      3,
      { ...emptyBlockForm(), target: '10.77.0.1', protocol: 'any', expiresInMinutes: '30', persist: true, force: true, confirmWithinS: 20 },
      [{ address: '10.77.0.1', family: 'ipv4' }],
      new Set(['10.77.0.1']),
    );
    expect(input).toMatchObject({ addresses: ['10.77.0.1'], keepReachable: [], expiresInMinutes: 30, persist: true, force: true, confirmWithinS: 20, protocol: 'any' });
    expect(input).not.toHaveProperty('port');
  });
});

describe('issues', () => {
  it('maps preview and resolve paths onto the form', () => {
    const mapped = issuesToFields(
      [
        { path: 'target', message: 'bad target' },
        { path: 'addresses.1', message: 'not an address' },
        { path: 'port', message: 'bad port' },
        { path: 'confirmWithinS', message: 'too short' },
        { path: 'ticketId', message: 'odd' },
      ],
      blockFieldFor,
    );
    expect(mapped.fields).toEqual({ target: 'bad target', addresses: 'not an address', port: 'bad port', confirm: 'too short' });
    expect(mapped.general).toEqual(['ticketId: odd']);
    expect(issuesToFields([{ path: 'host', message: 'bad name' }], blockFieldFor).fields).toEqual({ target: 'bad name' });
  });
  it('points an addresses.N or keepReachable.N issue at the address sent at N in that list', () => {
    const issues = [
      { path: 'addresses.1', message: 'no' },
      { path: 'addresses', message: 'whole' },
      { path: 'addresses.7', message: '?' },
      { path: 'keepReachable.0', message: 'also blocked' },
    ];
    expect(addressIssues(issues, { addresses: ['a', 'b'], keepReachable: ['c'] })).toEqual({ b: 'no', c: 'also blocked' });
    expect(addressIssues(issues, { addresses: ['a', 'b'] })).toEqual({ b: 'no' });
  });
  it('recognises the refusal to cut the own session by its code, and reads the peer from its detail', () => {
    const message = 'Blocking 10.77.0.1 would cut this SSH session to web1: it is the address the server sees you connect from.';
    const refusal = { code: 'SESSION_WOULD_BE_CUT' as const, message, detail: { server: 'web1', peer: '10.77.0.1' } };
    expect(refusedForOwnSession(refusal)).toBe(true);
    expect(sessionCutOf(refusal)).toEqual({ server: 'web1', peer: '10.77.0.1' });
    // The words do not matter, the code does.
    expect(refusedForOwnSession({ code: 'VALIDATION_FAILED', message })).toBe(false);
    expect(sessionCutOf({ code: 'VALIDATION_FAILED', message, detail: { server: 'web1', peer: '10.77.0.1' } })).toBeNull();
    expect(sessionCutOf({ code: 'SESSION_WOULD_BE_CUT', message, detail: { peer: 'nonsense' } })).toBeNull();
    expect(refusedForOwnSession(null)).toBe(false);
  });
});
