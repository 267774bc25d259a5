import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryPictureSchema } from '../../../../shared/domain/php-memory.js';
import { buildMemoryPicture } from './picture.js';
import { MEMORY_PROBE_SCRIPT } from './probe-script.js';

/** The probe as the runner starts it, here: `/bin/sh -c SCRIPT sh`, stdin from /dev/null. */
const runHere = () => execFileSync('/bin/sh', ['-c', MEMORY_PROBE_SCRIPT, 'sh'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
const php = (code: string) => execFileSync('php', ['-r', code]).toString();

describe('MEMORY_PROBE_SCRIPT on this machine (php-cli and php-fpm installed)', () => {
  const output = runHere();
  const picture = memoryPictureSchema.parse(buildMemoryPicture(output, new Date().toISOString()));

  it('runs to its end, every line parsed', () => {
    expect(output).toMatch(/^##bl:end$/m);
    expect(picture.unparsed).toEqual([]);
    expect(picture.phpFound).toBe(true);
  });

  it("reports the CLI's own memory_limit and version, as php itself says them", () => {
    const cli = picture.clis.find((c) => c.binary === 'php');
    expect(cli?.version).toBe(php('echo PHP_VERSION;'));
    expect(cli?.settings.find((s) => s.name === 'memory_limit')?.value).toBe(php('echo ini_get("memory_limit");'));
    expect(cli?.loadedIni).toBe(php('echo php_ini_loaded_file();'));
  });

  it("reads Debian's FPM configuration and FPM's own php.ini, not the CLI's", () => {
    const www = picture.pools.find((p) => p.file === '/etc/php/8.2/fpm/pool.d/www.conf');
    expect(www).toMatchObject({ name: 'www', pm: 'dynamic', listen: '/run/php/php8.2-fpm.sock' });
    const fpmLimit = execFileSync('php-fpm8.2', ['-i']).toString().match(/^memory_limit => (\S+)/m)?.[1];
    expect(www?.settings.find((s) => s.name === 'memory_limit')?.value).toBe(fpmLimit);
  });

  it("reads the machine's memory", () => {
    const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;
    expect(picture.memory?.totalBytes).toBe(total);
  });

  it('changes nothing: writes only to /dev/null, runs no command that changes a system, never php-fpm -tt (it appends to the FPM log)', () => {
    expect(MEMORY_PROBE_SCRIPT).not.toMatch(/-tt\b/);
    expect(MEMORY_PROBE_SCRIPT).not.toMatch(/>>/);
    expect(MEMORY_PROBE_SCRIPT.match(/(?<![=-])[0-9&]?>\s*\/\S+/g)?.every((redirect) => /^[0-9&]?>\s*\/dev\/null\b/.test(redirect))).toBe(true);
    expect(MEMORY_PROBE_SCRIPT).not.toMatch(/(^|[;&|(]\s*|\bthen\s+|\bdo\s+)(rm|mv|cp|tee|kill|pkill|mkdir|touch|truncate|systemctl|service|chmod|chown|mount|sed -i)\b/m);
  });
});
