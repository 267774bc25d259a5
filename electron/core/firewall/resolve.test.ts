import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGetentAhosts } from './resolve.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parseGetentAhosts', () => {
  it('reads the real output for localhost (captured on this machine)', () => {
    expect(parseGetentAhosts(fixture('getent-ahosts-localhost.txt'))).toEqual([{ address: '127.0.0.1', family: 'ipv4' }]);
  });

  it('lists every address of a multi-head name once, in resolver order (hand-written fixture)', () => {
    expect(parseGetentAhosts(fixture('getent-ahosts-feeds.hand.txt'))).toEqual([
      { address: '203.0.113.7', family: 'ipv4' },
      { address: '203.0.113.8', family: 'ipv4' },
      { address: '198.51.100.23', family: 'ipv4' },
      { address: '2001:db8::7', family: 'ipv6' },
      { address: '2001:db8::8', family: 'ipv6' },
    ]);
  });

  it('writes addresses canonically, drops a zone, and skips lines that are not addresses', () => {
    const output = ['2001:DB8:0:0::7  STREAM feeds', '2001:db8::7     DGRAM', 'fe80::1%eth0    STREAM', 'garbage line', ''].join('\n');
    expect(parseGetentAhosts(output)).toEqual([
      { address: '2001:db8::7', family: 'ipv6' },
      { address: 'fe80::1', family: 'ipv6' },
    ]);
  });

  it('returns nothing for a name that does not resolve (getent prints nothing)', () => {
    expect(parseGetentAhosts('')).toEqual([]);
  });
});
