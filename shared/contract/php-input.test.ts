import { describe, expect, it } from 'vitest';
import { docrootPathSchema, feedUrlSchema, headLimitsInputSchema, parseFeedUrl, scanLimitsInputSchema, watchIntervalSchema } from './php-input.js';

/** The PHP tab's inputs are checked here, before any handler runs: a bad one is refused with a reason a person can act on. */

const problem = (text: string) => {
  const parsed = parseFeedUrl(text);
  return parsed.ok ? null : parsed.problem;
};

describe('parseFeedUrl', () => {
  it('takes http and https URLs to their parts, the host canonical', () => {
    expect(parseFeedUrl('http://feeds.lab.test/feed.php')).toEqual({
      ok: true,
      value: { scheme: 'http', host: 'feeds.lab.test', hostKind: 'hostname', port: 80, explicitPort: false, path: '/feed.php', text: 'http://feeds.lab.test/feed.php' },
    });
    expect(parseFeedUrl('HTTPS://Feeds.Example.NET.:8443?x=1#top')).toMatchObject({
      ok: true,
      value: { scheme: 'https', host: 'feeds.example.net', port: 8443, explicitPort: true, path: '/?x=1', text: 'https://feeds.example.net:8443/?x=1' },
    });
    expect(parseFeedUrl('http://[2001:DB8::43]/a%20b')).toMatchObject({ ok: true, value: { host: '2001:db8::43', hostKind: 'address', port: 80, text: 'http://[2001:db8::43]/a%20b' } });
    expect(parseFeedUrl(' http://10.77.0.43 ')).toMatchObject({ ok: true, value: { host: '10.77.0.43', path: '/', text: 'http://10.77.0.43/' } });
  });

  it.each([
    ['', 'Give the URL'],
    ['feeds.lab.test/feed.php', 'starts with http:// or https://'],
    ['ftp://feeds.lab.test/x', 'Only http and https'],
    ['file:///etc/passwd', 'Only http and https'],
    ['gopher://x/', 'Only http and https'],
    ['http://user:pw@feeds.lab.test/', 'user name or password'],
    ['http:///x', 'names no host'],
    ['http://feeds lab.test/', 'spaces'],
    ['http://feeds.lab.test/\nHost: evil', 'newlines'],
    ['http://$(reboot)/', 'characters a host name cannot contain'],
    ['http://-oProxyCommand=x/', 'start or end with a dash'],
    ['http://feeds.lab.test:0/', 'from 1 to 65535'],
    ['http://feeds.lab.test:99999/', 'from 1 to 65535'],
    ['http://feeds.lab.test:/', 'from 1 to 65535'],
    ['http://1.2.3.999/', 'more than 255'],
    ['http://[fe80::1%eth0]/', 'zone'],
    ['http://2001:db8::1/', 'is not a host'],
    ['http://feeds.lab.test/a"b', 'percent-encode'],
    ['http://feeds.lab.test/{1..9}', 'percent-encode'],
    ['http://feeds.lab.test/%zz', 'two hex digits'],
    [`http://feeds.lab.test/${'a'.repeat(2100)}`, 'at most 2048'],
  ])('refuses %j: %s', (text, expected) => {
    expect(problem(text)).toContain(expected);
  });

  it('gives the reason through the schema, at the field', () => {
    const result = feedUrlSchema.safeParse('ftp://x/');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('Only http and https');
    expect(feedUrlSchema.safeParse(42).success).toBe(false);
  });
});

describe('docrootPathSchema', () => {
  it('keeps an absolute path, tidied', () => {
    expect(docrootPathSchema.parse(' /var/www//site/ ')).toBe('/var/www/site');
    expect(docrootPathSchema.parse('/')).toBe('/');
    expect(docrootPathSchema.parse("/srv/it's here")).toBe("/srv/it's here");
  });

  it.each([
    ['', 'absolute path'],
    ['var/www', 'not an absolute path'],
    ['~/www', 'not an absolute path'],
    ['-rf', 'not an absolute path'],
    ['/var/www\n/etc', 'newline'],
    ['/var/www\0', 'NUL'],
    ['/var/\u001bwww', 'control characters'],
    ['/var/www/../../etc', '".."'],
    [`/${'a'.repeat(1100)}`, 'at most 1024'],
  ])('refuses %j: %s', (text, expected) => {
    const result = docrootPathSchema.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(expected);
  });
});

describe('limits', () => {
  it('default to bounds that keep the server safe', () => {
    expect(scanLimitsInputSchema.parse({})).toEqual({ maxFiles: 50_000, maxBytes: 1024 ** 3, timeS: 120 });
    expect(headLimitsInputSchema.parse({})).toEqual({ maxBytes: 8 * 1024 ** 2, timeS: 15 });
  });

  it.each([
    [scanLimitsInputSchema, { maxFiles: 0 }, 'at least one file'],
    [scanLimitsInputSchema, { maxFiles: 1e9 }, 'at most 500,000 files'],
    [scanLimitsInputSchema, { timeS: 3600 }, 'at most 600 s'],
    [scanLimitsInputSchema, { maxBytes: 1.5 }, ''],
    [headLimitsInputSchema, { maxBytes: 1024 ** 3 }, 'at most 256 MiB'],
    [headLimitsInputSchema, { timeS: 0 }, 'at least 1 s'],
  ] as const)('refuses %#', (schema, input, expected) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(expected);
  });

  it('keeps the watch between once a second and once a minute', () => {
    expect(watchIntervalSchema.safeParse(0).error?.issues[0]?.message).toContain('at most once a second');
    expect(watchIntervalSchema.safeParse(61).error?.issues[0]?.message).toContain('at least once a minute');
    expect(watchIntervalSchema.safeParse(1.5).success).toBe(false);
    expect(watchIntervalSchema.parse(5)).toBe(5);
  });
});
