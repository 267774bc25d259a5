import { describe, expect, it } from 'vitest';
import { hostSchema } from './server.js';

describe('hostSchema', () => {
  it.each(['web1', 'web1.example.net', 'my_alias', '10.77.0.11', '2001:db8::1', 'fe80::1%eth0'])('takes %j', (host) => {
    expect(hostSchema.safeParse(host).success).toBe(true);
  });

  it.each([
    ['10.77.0.300', /IPv4/],
    ['010.1.1.1', /leading zeros/],
    ['2001:db8:::1', /./],
    ['-oProxyCommand=x', /letters, digits/],
  ])('refuses %j with the address parser’s reason', (host, reason) => {
    const parsed = hostSchema.safeParse(host);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(reason);
  });
});
