import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandLine, quoteArg, sudoCommand } from './shell-quote.js';

describe('quoteArg', () => {
  it.each([
    ['ls', 'ls'],
    ['/var/log/nginx/error.log', '/var/log/nginx/error.log'],
    ['user@host:22', 'user@host:22'],
    ['a,b=c+d%e', 'a,b=c+d%e'],
    ['--color=auto', '--color=auto'],
  ])('leaves the safe word %j bare', (arg, quoted) => {
    expect(quoteArg(arg)).toBe(quoted);
  });

  it.each([
    ['', "''"],
    ['two words', "'two words'"],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
    ['`reboot`', "'`reboot`'"],
    ['; reboot', "'; reboot'"],
    ["'", `''\\'''`],
    ["it's", `'it'\\''s'`],
    ['"', `'"'`],
    ['a\nb', "'a\nb'"],
    ['back\\slash', "'back\\slash'"],
    ['*', "'*'"],
    ['~root', "'~root'"],
    ['=ls', "'=ls'"],
    ['héllo', "'héllo'"],
    ['$HOME', "'$HOME'"],
  ])('quotes %j', (arg, quoted) => {
    expect(quoteArg(arg)).toBe(quoted);
  });

  it('refuses a NUL byte', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
  });
});

describe('commandLine', () => {
  it('joins quoted arguments with single spaces', () => {
    expect(commandLine(['grep', '-r', 'needle in', '/etc'])).toBe("grep -r 'needle in' /etc");
  });

  it('throws on an empty argv', () => {
    expect(() => commandLine([])).toThrow(/empty/);
  });

  it('throws on a NUL byte in any argument', () => {
    expect(() => commandLine(['echo', 'ok', 'bad\0'])).toThrow(/NUL/);
  });
});

describe('sudoCommand', () => {
  it('builds non-interactive sudo as another user, ending options with --', () => {
    expect(sudoCommand(['-rf-looking', 'x'], { user: 'www-data', nonInteractive: true })).toEqual([
      'sudo', '-n', '-u', 'www-data', '--', '-rf-looking', 'x',
    ]);
  });

  it('builds interactive sudo as root', () => {
    expect(sudoCommand(['id'], { nonInteractive: false })).toEqual(['sudo', '--', 'id']);
  });

  it('quotes through commandLine like any other command', () => {
    expect(commandLine(sudoCommand(['cat', '/root/my file'], { nonInteractive: true }))).toBe("sudo -n -- cat '/root/my file'");
  });

  it('rejects an empty argv and a user that is empty or looks like an option', () => {
    expect(() => sudoCommand([], { nonInteractive: true })).toThrow(/empty/);
    expect(() => sudoCommand(['id'], { user: '', nonInteractive: true })).toThrow(/invalid user/);
    expect(() => sudoCommand(['id'], { user: '-s', nonInteractive: true })).toThrow(/invalid user/);
  });
});

/** Deterministic PRNG (mulberry32) so a failure is reproducible from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_PIECES = [
  '$(rm -rf /)', '`reboot`', '; reboot', '&& halt', '| sh', "'", '"', "'\\''", '\\', '\\\\', '\n', '\r\n', '\t', ' ',
  '*', '?', '[a-z]', '{a,b}', '~', '~root', '$HOME', '${IFS}', '$1', '$@', '$$', '!', '!!', '#', '-', '--', '-rf', '=',
  '%', '%s', '\\0', '<', '>', '>>', '2>&1', '(', ')', '&', 'é', '日本', '🙂', '\u00a0', '\u202e', '\x01', '\x1b[31m', '\x7f',
];

function hostileArg(random: () => number): string {
  const pick = random();
  if (pick < 0.05) return '';
  if (pick < 0.1) return 'x'.repeat(1000 + Math.floor(random() * 20000));
  let arg = '';
  const pieces = 1 + Math.floor(random() * 6);
  for (let i = 0; i < pieces; i++) {
    if (random() < 0.6) arg += HOSTILE_PIECES[Math.floor(random() * HOSTILE_PIECES.length)];
    else arg += String.fromCodePoint(1 + Math.floor(random() * 0x2ff));
  }
  return arg;
}

function hostileArgv(random: () => number): string[] {
  const count = 1 + Math.floor(random() * 6);
  return Array.from({ length: count }, () => hostileArg(random));
}

/** Runs printf through the shell with our quoted argv and returns the words the shell handed it. */
function roundTrip(shell: string, argv: readonly string[]): string[] {
  const script = `printf '%s\\0' ${commandLine(argv)}`;
  const out = execFileSync(shell, ['-c', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const words = out.split('\0');
  words.pop(); // printf terminates every word, including the last, with \0
  return words;
}

const SHELLS = ['/bin/sh', '/bin/bash', '/bin/dash', '/usr/bin/bash', '/usr/bin/dash']
  .filter((path, index, all) => existsSync(path) && all.findIndex((other) => other.split('/').pop() === path.split('/').pop()) === index);

describe.each(SHELLS)('round trip through %s -c', (shell) => {
  it('hands hostile argv back unchanged (300 generated cases)', () => {
    const random = prng(0x5eed_0001);
    for (let i = 0; i < 300; i++) {
      const argv = hostileArgv(random);
      expect(roundTrip(shell, argv), `case ${i}: ${JSON.stringify(argv).slice(0, 300)}`).toEqual(argv);
    }
  });

  it('hands the named hostile strings back unchanged', () => {
    const argv = ['$(rm -rf /)', '`id`', '; reboot', "'", '"', 'a\nb', '\\', '*', '-n', '-e', '', 'ünïcödé 🙂', "'$(x)'\"`y`\""];
    expect(roundTrip(shell, argv)).toEqual(argv);
  });
});
