/**
 * Docroots and the remote-include scan against the lab (bash e2e/lab/up.sh): web1 with a docroot made
 * under /tmp for the test (the lab's namespaces share this machine's filesystem), and php1, whose
 * nginx -T names its shop's docroot, where the scan must find the includes of feeds.lab.test.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { labSuite } from '../../testing/lab-core.js';
import { findDocroots } from '../docroots/find-docroots.js';
import { labRemote } from '../heads/testing/lab-remote.js';
import { scanIncludes } from './include-scan.js';

const suite = labSuite('backline-php-scan-');
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

let dir: ReturnType<typeof tempDir>;
let site: string;
beforeAll(() => {
  dir = tempDir('backline-scan-lab-');
  chmodSync(dir.path, 0o755);
  site = join(dir.path, 'shop');
  mkdirSync(join(site, 'lib'), { recursive: true });
  writeFileSync(join(site, 'index.php'), "<?php\n$feed = file_get_contents('http://feeds.lab.test/feed.xml');\n");
  writeFileSync(join(site, 'lib', 'promo.inc'), "<?php\ninclude 'http://feeds.lab.test/promo.php';\n");
  mkdirSync(join(site, 'private'));
  writeFileSync(join(site, 'private', 'secret.php'), "<?php\nreadfile('http://secret.lab.test/');\n");
  // Only root may read it: the scan under sudo reads it, without sudo it is reported as denied.
  chmodSync(join(site, 'private'), 0o700);
});
afterAll(() => dir.remove());

describe('the remote-include scan on web1', () => {
  it('as bl-tcsh with sudo: finds every include, reads the root-only folder, says a missing docroot', async () => {
    const { remote, server, audit, close } = await labRemote(suite, 'web1', 'bl-tcsh');
    closers.push(close);
    const scan = await scanIncludes(remote, server, { docroots: [site, '/srv/nowhere'], timeS: 30 });
    expect(scan.unparsed).toEqual([]);
    expect(scan.sudo).toBe(true);
    expect(scan.hits.map((h) => `${h.file.slice(site.length)}:${h.line} ${h.function} ${h.host}`).sort()).toEqual([
      '/index.php:2 file_get_contents feeds.lab.test',
      '/lib/promo.inc:2 include feeds.lab.test',
      '/private/secret.php:2 readfile secret.lab.test',
    ]);
    expect(scan.docroots).toEqual([
      { path: site, state: 'scanned', files: 3 },
      { path: '/srv/nowhere', state: 'missing', files: 0 },
    ]);
    expect(scan.stopped).toMatchObject({ reason: 'done', filesSeen: 3 });
    expect(scan.statements).toEqual(['The docroot /srv/nowhere does not exist on web1.']);
    expect(audit()[0]!.summary).toContain('Scanning PHP files for remote includes');
  });

  it('as bl-ops, whose sudo asks for a password: scans without sudo, says so, and names the folder it could not read', async () => {
    const { remote, server, close } = await labRemote(suite, 'web1', 'bl-ops');
    closers.push(close);
    const scan = await scanIncludes(remote, server, { docroots: [site] });
    expect(scan.sudo).toBe(false);
    expect(scan.hits.map((h) => h.file.slice(site.length)).sort()).toEqual(['/index.php', '/lib/promo.inc']);
    expect(scan.unreadable).toEqual([join(site, 'private')]);
    expect(scan.statements[0]).toMatch(/^No sudo on web1 \(sudo on this server asks for a password.*\): this ran as bl-ops without it, and saw only what bl-ops may read\.$/);
    expect(scan.statements).toContain('1 file(s) or folder(s) could not be read on web1 (permission denied); they were not scanned.');
  });

  it('as bl-tcsh at the file limit: stops there and says so', async () => {
    const { remote, server, close } = await labRemote(suite, 'web1', 'bl-tcsh');
    closers.push(close);
    const scan = await scanIncludes(remote, server, { docroots: [site], maxFiles: 1 });
    expect(scan.stopped).toMatchObject({ reason: 'files', filesSeen: 1 });
    expect(scan.hits.length).toBeLessThanOrEqual(1);
  });
});

describe('docroots and the scan on php1', () => {
  it("reads the shop's docroot from nginx -T and finds the feed includes in its code", async () => {
    const { remote, server, close } = await labRemote(suite, 'php1', 'bl-tcsh');
    closers.push(close);
    const found = await findDocroots(remote, server);
    expect(found.unparsed).toEqual([]);
    expect(found.webServers.find((w) => w.server === 'nginx')).toMatchObject({ state: 'found' });
    const shop = found.docroots.find((d) => d.path === '/srv/www/shop');
    expect(shop).toBeDefined();
    expect(shop!.serverNames).toEqual(['shop.lab.test', 'php1']);
    expect(shop!.phpHandlers.some((h) => /php8\.\d-fpm-shop\.sock/.test(h))).toBe(true);
    expect(shop!.origins[0]).toMatchObject({ server: 'nginx', file: '/etc/nginx/sites-enabled/shop', directive: 'root /srv/www/shop;' });

    const scan = await scanIncludes(remote, server, { docroots: found.docroots.map((d) => d.path) });
    const feeds = scan.hits.filter((h) => h.host === suite.lab.feedsName).map((h) => `${h.file}:${h.function}`).sort();
    expect(feeds).toEqual(['/srv/www/shop/legacy/promo.php:include', '/srv/www/shop/lib/feed.php:curl_init', '/srv/www/shop/news.php:file_get_contents']);
    expect(scan.stopped.reason).toBe('done');
  });
});
