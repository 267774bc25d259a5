import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePhpLog } from './php-logs.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').trimEnd().split('\n');

describe('parsePhpLog', () => {
  it("reads PHP's error_log (real, php_admin_value[error_log]): memory exhausted with file, line, limit and allocation", () => {
    const reading = parsePhpLog(fixture('php-error.www.log'), 'php-error', '/var/log/php/www-error.log');
    expect(reading.unparsed).toEqual([]);
    expect(reading.exhausted).toHaveLength(3);
    expect(reading.exhausted[0]).toEqual({ file: '/tmp/blm-fix/site/eat.php', line: 2, limitBytes: 67108864, triedBytes: 314576896, at: expect.stringMatching(/^\d{2}-Dec-2026 \d{2}:\d{2}:\d{2} UTC$/) as unknown, log: '/var/log/php/www-error.log' });
  });

  it("reads FPM's error_log (real): a child killed by SIGKILL, pm.max_children reached, the rest counted", () => {
    const lines = fixture('fpm-error.php8.2.log');
    const reading = parsePhpLog(lines, 'fpm-error', '/var/log/php8.2-fpm.log');
    expect(reading.unparsed).toEqual([]);
    expect(reading.childSignals).toEqual([{ pool: 'www', pid: expect.any(Number) as unknown, signal: 'SIGKILL', at: expect.stringMatching(/^02-Dec-2026 /) as unknown }]);
    expect(reading.maxChildren).toEqual([{ pool: 'api', at: expect.stringMatching(/^02-Dec-2026 /) as unknown }]);
    expect(reading.otherLines).toBe(lines.length - 2);
  });

  it("reads nginx's error log (real): PHP's message sent on FastCGI's stderr by a pool with no error_log", () => {
    const reading = parsePhpLog(fixture('web-error.nginx.log'), 'web-error', '/var/log/nginx/error.log');
    expect(reading.unparsed).toEqual([]);
    expect(reading.exhausted).toEqual([{ file: '/tmp/blm-fix/site/eat.php', line: 2, limitBytes: 268435456, triedBytes: 314576896, at: expect.stringMatching(/^2026\/12\/02 /) as unknown, log: '/var/log/nginx/error.log' }]);
  });

  it("reads Apache's error log: mod_php and proxy_fcgi, two PHP messages in one line", () => {
    const reading = parsePhpLog(fixture('web-error.apache.hand.txt'), 'web-error', '/var/log/apache2/error.log');
    expect(reading.unparsed).toEqual([]);
    expect(reading.exhausted.map((e) => `${e.file}:${e.line} ${e.triedBytes}`)).toEqual([
      '/var/www/html/lib/feed.php:18 67112960',
      '/var/www/html/lib/feed.php:18 67112960',
      '/var/www/html/news.php:7 20480',
    ]);
    expect(reading.exhausted[0]?.at).toBe('Wed Dec 02 01:31:07.412096 2026');
  });

  it('reads a slowlog (real): pool, pid, script and stack', () => {
    const reading = parsePhpLog(fixture('slowlog.www.log'), 'slowlog', '/var/log/php/www-slow.log');
    expect(reading.unparsed).toEqual([]);
    expect(reading.slowlog).toEqual([
      { at: expect.stringMatching(/^02-Dec-2026 /) as unknown, pool: 'www', pid: expect.any(Number) as unknown, scriptFilename: '/tmp/blm-fix/site/slow.php', stack: [expect.stringMatching(/^usleep\(\) \/tmp\/blm-fix\/site\/slow\.php:2$/) as unknown], log: '/var/log/php/www-slow.log' },
    ]);
  });

  it('keeps lines of no known shape as unparsed, with the log they came from', () => {
    const reading = parsePhpLog(['garbage that is not a log line', '[02-Dec-2026 01:00:00] NOTICE: ready to handle connections'], 'fpm-error', '/x.log');
    expect(reading.unparsed).toEqual([{ section: 'log /x.log', line: 'garbage that is not a log line' }]);
    expect(reading.otherLines).toBe(1);
  });
});
