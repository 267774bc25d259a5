import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { includeScanResultSchema } from '../../../../shared/domain/php-scan.js';
import { tempDir } from '../../testing/temp-dir.js';
import { INCLUDE_PATTERN, SCAN_SCRIPT, SCAN_WALK } from './scan-script.js';
import { readScan } from './scan-output.js';

/** The scan script run here by /bin/sh exactly as the server runs it, over a docroot made for the test. */

const run = promisify(execFile);
let dir: ReturnType<typeof tempDir>;
let site: string;

beforeAll(() => {
  dir = tempDir('backline-scan-');
  site = join(dir.path, 'shop');
  mkdirSync(join(site, 'lib'), { recursive: true });
  mkdirSync(join(site, 'templates'), { recursive: true });
  writeFileSync(join(site, 'index.php'), "<?php\nrequire __DIR__ . '/lib/feed.inc';\n$feed = file_get_contents('http://feeds.lab.test/latest.xml');\necho $feed;\n");
  writeFileSync(join(site, 'lib', 'feed.inc'), "<?php\ninclude 'https://cdn.example.test:8443/lib.php';\nREQUIRE_ONCE(\"ftp://files.example.test/x.php\");\ninclude 'header.php';\n");
  writeFileSync(join(site, 'lib', 'curl.php'), "<?php\n$ch = curl_init();\ncurl_setopt($ch, CURLOPT_URL, \"http://$host/feed\");\n$ch2 = curl_init('http://[2001:db8::5]:8080/x');\n// read the file from 'http://docs.example.test/'\n");
  writeFileSync(join(site, 'templates', 'banner.phtml'), '<?php readfile("HTTP://Feeds.Lab.Test/banner.html"); ?>\n');
  writeFileSync(join(site, 'lib', 'min.php'), `<?php $x=file_get_contents("http://min.example.test/a");${'$y=1;'.repeat(600)}\n`);
  writeFileSync(join(site, 'notes.txt'), "file_get_contents('http://not-php.example.test/')\n");
  writeFileSync(join(dir.path, 'plain-file'), 'x');
});
afterAll(() => dir.remove());

async function scan(docroots: string[], limits: { maxFiles?: number; maxBytes?: number; timeS?: number; maxHits?: number } = {}, env: NodeJS.ProcessEnv = process.env) {
  const l = { maxFiles: 1000, maxBytes: 1 << 30, timeS: 30, maxHits: 100, ...limits };
  const out = await run('/bin/sh', ['-c', SCAN_SCRIPT, 'backline-scan', SCAN_WALK, INCLUDE_PATTERN, String(l.maxFiles), String(l.maxBytes), String(l.timeS), String(l.maxHits), ...docroots], { env });
  return readScan({ stdout: out.stdout, stderr: out.stderr, limits: { maxFiles: l.maxFiles, maxBytes: l.maxBytes, timeS: l.timeS }, maxHits: l.maxHits, errorCode: null, label: 'here' });
}

describe('the scan script, run here by /bin/sh', () => {
  it('finds every call that reads a literal remote URL in .php, .inc and .phtml files, with file, line, URL, host and call', async () => {
    const reading = await scan([site, join(dir.path, 'nowhere'), join(dir.path, 'plain-file')]);
    expect(reading.unparsed).toEqual([]);
    const hits = reading.hits.map((h) => `${h.file.slice(site.length)}:${h.line} ${h.function} ${h.url} ${h.host ?? `(${h.hostProblem})`}:${h.port}`).sort();
    expect(hits).toEqual([
      '/index.php:3 file_get_contents http://feeds.lab.test/latest.xml feeds.lab.test:80',
      '/lib/curl.php:3 CURLOPT_URL http://$host/feed (The host "$host" is built by PHP at run time: look at the code for its value.):80',
      '/lib/curl.php:4 curl_init http://[2001:db8::5]:8080/x 2001:db8::5:8080',
      "/lib/curl.php:5 null http://docs.example.test/ docs.example.test:80",
      '/lib/feed.inc:2 include https://cdn.example.test:8443/lib.php cdn.example.test:8443',
      '/lib/feed.inc:3 require_once ftp://files.example.test/x.php files.example.test:21',
      '/lib/min.php:1 file_get_contents http://min.example.test/a min.example.test:80',
      '/templates/banner.phtml:1 readfile HTTP://Feeds.Lab.Test/banner.html feeds.lab.test:80',
    ]);
    const index = reading.hits.find((h) => h.file.endsWith('/index.php'))!;
    expect(index).toMatchObject({ code: "$feed = file_get_contents('http://feeds.lab.test/latest.xml');", codeTruncated: false, docroot: site, scheme: 'http' });
    const min = reading.hits.find((h) => h.file.endsWith('/min.php'))!;
    expect(min.codeTruncated).toBe(true);
    expect(min.code.length).toBeLessThanOrEqual(402);
    expect(reading.docroots).toEqual([
      { path: site, state: 'scanned', files: 5 },
      { path: join(dir.path, 'nowhere'), state: 'missing', files: 0 },
      { path: join(dir.path, 'plain-file'), state: 'not-a-directory', files: 0 },
    ]);
    expect(reading.stopped).toMatchObject({ reason: 'done', filesSeen: 5 });
    expect(reading.stopped.bytesSeen).toBeGreaterThan(3000);
    expect(reading.statements).toEqual([`The docroot ${join(dir.path, 'nowhere')} does not exist on here.`, `${join(dir.path, 'plain-file')} on here is not a directory.`]);
    expect(() => includeScanResultSchema.parse({ ...reading, limits: { maxFiles: 1, maxBytes: 1, timeS: 1 }, sudo: false, durationMs: 1 })).not.toThrow();
  });

  it('stops at the file limit and at the byte limit, and says where', async () => {
    const byFiles = await scan([site], { maxFiles: 2 });
    expect(byFiles.stopped).toMatchObject({ reason: 'files', filesSeen: 2 });
    expect(byFiles.stopped.message).toMatch(/^Stopped at the 2-file limit after 2 files \(.*\); the next file was \//);
    expect(byFiles.docroots[0]!.files).toBe(2);
    const byBytes = await scan([site], { maxBytes: 200 });
    expect(byBytes.stopped.reason).toBe('bytes');
    expect(byBytes.stopped.bytesSeen).toBeLessThanOrEqual(200);
  });

  it('keeps the first hits and counts the rest', async () => {
    const reading = await scan([site], { maxHits: 2 });
    expect(new Set(reading.hits.map((h) => `${h.file}:${h.line}`)).size).toBe(2);
    expect(reading.hitsLeftOut).toBe(6);
    expect(reading.statements).toContain('6 more matching line(s) were found than the 2 kept.');
  });

  it('ends on the server side at the time limit, with the hits so far', async () => {
    // A grep that takes its time: found first on the PATH, as a slow disk would make the real one.
    const bin = join(dir.path, 'slow-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'grep'), '#!/bin/sh\nsleep 30\n');
    chmodSync(join(bin, 'grep'), 0o755);
    const started = Date.now();
    const reading = await scan([site], { timeS: 1 }, { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(reading.stopped.reason).toBe('time');
    expect(reading.stopped.message).toContain('Stopped by the 1 s time limit');
  });
});

describe('reading scan output', () => {
  it('reports denied paths, unknown lines, and a cancelled run', () => {
    const reading = readScan({
      stdout: 'D ok /var/www/shop\nD unreadable /var/www/secret\nM /var/www/shop/a.php:7:  $x = fopen("https://feeds.lab.test/a", "r");\nwhat is this\nX 0\nC 1 /var/www/shop\nP 1 120\n',
      stderr: "find: '/var/www/shop/private': Permission denied\ngrep: /var/www/shop/b.php: Permission denied\nsomething else\n",
      limits: { maxFiles: 10, maxBytes: 1000, timeS: 5 },
      maxHits: 10,
      errorCode: 'CANCELLED',
      label: 'web1',
    });
    expect(reading.hits).toMatchObject([{ function: 'fopen', host: 'feeds.lab.test', port: 443, scheme: 'https', line: 7, docroot: '/var/www/shop' }]);
    expect(reading.unreadable).toEqual(['/var/www/shop/private', '/var/www/shop/b.php']);
    expect(reading.unparsed).toEqual(['what is this', 'stderr: something else']);
    expect(reading.stopped.reason).toBe('cancelled');
    expect(reading.statements).toEqual([
      'The docroot /var/www/secret cannot be read on web1 by the user the scan ran as: allow sudo, or scan as a user that can read it.',
      '2 file(s) or folder(s) could not be read on web1 (permission denied); they were not scanned.',
    ]);
  });
});
