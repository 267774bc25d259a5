import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docrootsResultSchema } from '../../../../shared/domain/php-scan.js';
import { parseApacheVhosts } from './apache-config.js';
import { readDocroots } from './docroots-output.js';
import { parseNginxDump } from './nginx-config.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('nginx -T', () => {
  it("finds Debian's default site and a PHP site's roots, locations' aliases and fastcgi_pass through an upstream and a snippet", () => {
    const reading = readDocroots(fixture('docroots.debian12-nginx-php.txt'), 'web1');
    expect(reading.unparsed).toEqual([]);
    expect(reading.webServers).toEqual([
      { server: 'nginx', command: '/usr/sbin/nginx -T', state: 'found', detail: '8 configuration files, 3 server blocks' },
      { server: 'apache', command: 'apache2ctl -S', state: 'absent', detail: null },
    ]);
    expect(reading.docroots.map((d) => d.path)).toEqual(['/var/www/html', '/var/www/shop/public', '/srv/legacy-app', '/var/www/blog']);
    const shop = reading.docroots.find((d) => d.path === '/var/www/shop/public')!;
    expect(shop).toMatchObject({
      serverNames: ['shop.example.test', 'www.shop.example.test'],
      listen: ['80', '[::]:80'],
      phpHandlers: ['shop_php (unix:/run/php/php8.2-fpm.sock)', 'unix:/run/php/php8.2-fpm-legacy.sock'],
      origins: [{ server: 'nginx', file: '/etc/nginx/sites-enabled/shop', line: 10, directive: 'root /var/www/shop/public;' }],
    });
    expect(reading.docroots.find((d) => d.path === '/srv/legacy-app')!.origins[0]).toMatchObject({ line: 24, directive: 'location /legacy/: alias /srv/legacy-app/;' });
    expect(reading.docroots.find((d) => d.path === '/var/www/blog')).toMatchObject({ listen: ['8080'], phpHandlers: ['127.0.0.1:9000'] });
    expect(reading.docroots.find((d) => d.path === '/var/www/html')).toMatchObject({ serverNames: ['_'], listen: ['80 default_server', '[::]:80 default_server'], phpHandlers: [] });
    expect(reading.statements).toEqual([]);
    expect(() => docrootsResultSchema.parse({ ...reading, sudo: true })).not.toThrow();
  });

  it('says why nginx -T failed without root, and that the docroot must be typed', () => {
    const reading = readDocroots(fixture('docroots.debian12-nginx-nonroot.txt'), 'web1');
    expect(reading.docroots).toEqual([]);
    expect(reading.webServers[0]).toMatchObject({ server: 'nginx', state: 'failed', detail: '[emerg] open() "/run/nginx.pid" failed (13: Permission denied)' });
    expect(reading.statements[0]).toContain('nginx -T failed (exit 1): [emerg] open() "/run/nginx.pid" failed (13: Permission denied). Without root it cannot open its files');
    expect(reading.statements[1]).toBe('No docroot was found in the web server configuration on web1: type the docroot to scan.');
  });

  it('keeps quoted values with braces and semicolons whole, and reports broken syntax as unparsed', () => {
    const dump = [
      '# configuration file /etc/nginx/nginx.conf:',
      'http {',
      '  root /srv/default;',
      '  server { listen 81; location = /x { return 200 "a;b{c}#d"; } }',
      '  server { listen 82; root /srv/${site}x; }',
      '}',
      '# configuration file /etc/nginx/conf.d/broken.conf:',
      'server { listen 83; root /srv/broken',
    ].join('\n');
    const parsed = parseNginxDump(dump);
    expect(parsed.servers.map((s) => [s.listen, s.roots.map((r) => [r.path, r.inherited])])).toEqual([
      [['81'], [['/srv/default', true]]],
      [['82'], [['/srv/${site}x', false]]],
      [['83'], [['/srv/default', true]]],
    ]);
    expect(parsed.unparsed).toEqual(['/etc/nginx/conf.d/broken.conf:1: "root /srv/broken" has no ";" at the end of the file', '/etc/nginx/conf.d/broken.conf: 1 block(s) are never closed']);
    const reading = readDocroots(`@@backline nginx /usr/sbin/nginx\n${dump}\n@@backline nginx-exit 0\n@@backline apache-absent\n@@backline end\n`, 'web9');
    expect(reading.statements).toContain('nginx root "/srv/${site}x" (/etc/nginx/nginx.conf:4) is built from variables at request time: type the directory it stands for.');
    expect(reading.unparsed).toHaveLength(2);
  });
});

describe('nginx includes', () => {
  it("follows a server's include (relative to nginx's prefix, globs too) to the fastcgi_pass in a snippet", () => {
    const parsed = parseNginxDump(
      [
        '# configuration file /etc/nginx/nginx.conf:',
        'http { include /etc/nginx/sites-enabled/*; }',
        '# configuration file /etc/nginx/sites-enabled/shop:',
        'server { server_name shop; root /srv/shop; location ~ \\.php$ { include snippets/php-*.conf; } }',
        '# configuration file /etc/nginx/snippets/php-fpm.conf:',
        'fastcgi_pass unix:/run/php/php8.2-fpm.sock;',
        '',
      ].join('\n'),
    );
    expect(parsed.unparsed).toEqual([]);
    expect(parsed.servers).toMatchObject([{ serverNames: ['shop'], fastcgiPass: ['unix:/run/php/php8.2-fpm.sock'], roots: [{ path: '/srv/shop', file: '/etc/nginx/sites-enabled/shop', line: 1 }] }]);
  });
});

describe('apache2ctl -S', () => {
  it('reads the vhosts, aliases and main DocumentRoot of a real openSUSE listing', () => {
    const dump = parseApacheVhosts(fixture('apache-S.opensuse-vhosts.txt'));
    expect(dump.unparsed).toEqual([]);
    expect(dump.messages).toHaveLength(1);
    expect(dump.mainDocumentRoot).toBe('/srv/www/htdocs');
    expect(dump.vhosts).toHaveLength(16);
    expect(dump.vhosts.find((v) => v.file === '/etc/apache2/vhosts.d/mydeal.dev.conf')).toEqual({
      address: '*:80',
      names: ['mydeal.dev', 'www.mydeal.dev', 'static.mydeal.dev', '*.mydeal.dev'],
      file: '/etc/apache2/vhosts.d/mydeal.dev.conf',
      line: 20,
      isDefault: false,
    });
    expect(dump.vhosts.find((v) => v.file === '/etc/apache2/vhosts.d/00-oldadmin.mydeal.dev-ssl.conf')).toMatchObject({ address: '*:443', isDefault: true, names: ['oldadmin.mydeal.dev'] });
  });

  it('reads the 2.2 DUMP_VHOSTS listing', () => {
    const dump = parseApacheVhosts(fixture('apache-dump-vhosts.debian-2.2.txt'));
    expect(dump.unparsed).toEqual([]);
    expect(dump.vhosts.map((v) => v.names[0])).toEqual(['a.dyndns.org', 'k.dyndns.org']);
  });

  it('joins the vhost files DocumentRoot lines to their vhosts, with the FPM handler, and says which file could not be read', () => {
    const reading = readDocroots(fixture('docroots.debian-apache-fpm.hand.txt'), 'web2');
    expect(reading.unparsed).toEqual([]);
    expect(reading.docroots.map((d) => d.path)).toEqual(['/var/www/html', '/var/www/shop/public']);
    const shop = reading.docroots[1]!;
    expect(shop.serverNames).toEqual(['shop.example.test', 'www.shop.example.test']);
    expect(shop.listen).toEqual(['*:443', '*:80']);
    expect(shop.phpHandlers).toEqual(['proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost', '^/(.*\\.php(/.*)?)$ fcgi://127.0.0.1:9000/var/www/shop/public/$1']);
    expect(shop.origins.map((o) => `${o.file}:${o.line}`)).toEqual(['/etc/apache2/sites-enabled/shop-ssl.conf:5', '/etc/apache2/sites-enabled/shop.conf:4']);
    expect(reading.docroots[0]!.origins.map((o) => o.directive)).toEqual(['DocumentRoot /var/www/html', 'Main DocumentRoot: "/var/www/html"']);
    expect(reading.statements).toEqual(["Apache's vhost file /etc/apache2/sites-enabled/old-unreadable.conf could not be read on web2: its DocumentRoot is unknown (allow sudo, or type it)."]);
  });

  it('says plainly when neither web server is there, and keeps lines it does not know', () => {
    const reading = readDocroots('\n@@backline nginx-absent\n\n@@backline apache-absent\n\n@@backline end\n', 'db1');
    expect(reading.statements).toEqual(['Neither nginx nor Apache is installed on db1 (no nginx, apache2ctl, apachectl or httpd on the PATH or in /usr/sbin): type the docroot to scan.']);
    expect(parseApacheVhosts('VirtualHost configuration:\nsomething new here\n').unparsed).toEqual(['something new here']);
    expect(readDocroots('garbage first\n@@backline nginx-absent\n', 'x')).toMatchObject({ unparsed: ['garbage first'], statements: ['The docroots script did not finish on x: what it printed before it stopped is used.', expect.stringContaining("Neither nginx nor Apache")] });
  });
});
