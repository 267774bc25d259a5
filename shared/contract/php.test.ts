import { describe, expect, it } from 'vitest';
import { phpMethods } from './php.js';

/** The php.* inputs as the handlers receive them, and bad ones refused at their field. */

const issues = (method: keyof typeof phpMethods, input: unknown) => {
  const result = phpMethods[method].input.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
};

describe('php.* inputs', () => {
  it('give the handlers checked, canonical values and bounded defaults', () => {
    expect(phpMethods['php.scan'].input.parse({ serverId: 1 })).toEqual({ serverId: 1, docroots: [], limits: { maxFiles: 50_000, maxBytes: 1024 ** 3, timeS: 120 } });
    expect(phpMethods['php.scan'].input.parse({ serverId: 1, docroots: ['/srv/www/shop/'], limits: { maxFiles: 10 } }).limits).toEqual({ maxFiles: 10, maxBytes: 1024 ** 3, timeS: 120 });
    const heads = phpMethods['php.heads'].input.parse({ serverId: 1, url: 'http://Feeds.Lab.Test/feed.xml' });
    expect(heads).toMatchObject({ viaPhp: true, url: { host: 'feeds.lab.test', port: 80, text: 'http://feeds.lab.test/feed.xml' }, limits: { maxBytes: 8 * 1024 ** 2, timeS: 15 } });
    expect(phpMethods['php.heads.last'].input.parse({ serverId: 1, host: 'FEEDS.lab.test.' }).host).toBe('feeds.lab.test');
    expect(phpMethods['php.watch.start'].input.parse({ serverId: 1 })).toEqual({ serverId: 1, intervalS: 5, maxMinutes: 60 });
  });

  it.each([
    ['php.memory', { serverId: 0 }, 'serverId', ''],
    ['php.memory', { serverId: '1; reboot' }, 'serverId', ''],
    ['php.scan', { serverId: 1, docroots: Array.from({ length: 33 }, (_, i) => `/srv/${i}`) }, 'docroots', 'at most 32 docroots'],
    ['php.scan', { serverId: 1, docroots: ['/srv/www', '$(reboot)'] }, 'docroots.1', 'not an absolute path'],
    ['php.scan', { serverId: 1, limits: { timeS: 6000 } }, 'limits.timeS', 'at most 600 s'],
    ['php.heads', { serverId: 1, url: 'file:///etc/shadow' }, 'url', 'Only http and https'],
    ['php.heads', { serverId: 1, url: 'http://feeds.lab.test/', limits: { maxBytes: 2 ** 40 } }, 'limits.maxBytes', 'at most 256 MiB'],
    ['php.heads.last', { serverId: 1, host: '-oProxyCommand=x' }, 'host', ''],
    ['php.watch.start', { serverId: 1, intervalS: 0.5 }, 'intervalS', ''],
    ['php.watch.start', { serverId: 1, maxMinutes: 100_000 }, 'maxMinutes', 'at most 24 hours'],
    ['php.watch.stop', { watchId: 'w123; rm -rf /' }, 'watchId', 'A watch id looks like'],
  ] as const)('%s refuses %j at %s', (method, input, path, message) => {
    const found = issues(method, input);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)?.message).toContain(message);
  });
});
