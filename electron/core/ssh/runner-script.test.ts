import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOSTILE_ARGV, HEX_ARGS_ARGV, hexArgs } from './testing/hostile-argv.js';
import { INLINE_ESCAPED, INLINE_LIMIT, isLiteral, markersFor, MarkerGate, runnerFailure, runnerRequest, STDIN_EXEC_TEXT } from './runner-script.js';

/** Login shells sshd may hand the exec text to; CI installs them all (e2e/lab/install.sh). */
const LOGIN_SHELLS = ['/bin/sh', '/bin/dash', '/bin/bash', '/usr/bin/zsh', '/usr/bin/tcsh', '/bin/csh', '/usr/bin/fish', '/bin/ksh'];
const present = LOGIN_SHELLS.filter((shell) => existsSync(shell));
const NONCE = 'a1b2c3d4e5f6';
const MARKERS = markersFor(NONCE);

type Way = 'inline' | 'stdin';
const request = (argv: readonly string[], sudo: boolean, way: Way) =>
  runnerRequest(argv, sudo, { nonce: NONCE, ...(way === 'inline' ? { inlineLimit: Infinity, inlineEscaped: Infinity } : { inlineLimit: 0 }) });

/** What sshd does with an exec request: `$SHELL -c <text>`, the channel's data on stdin. */
function asSshdWould(shell: string, argv: readonly string[], way: Way) {
  const sent = request(argv, false, way);
  const result = spawnSync(shell, ['-c', sent.execText], { input: sent.stdin, env: { PATH: process.env.PATH, HOME: '/nonexistent', SHELL: shell } });
  return { status: result.status, stdout: result.stdout.toString('latin1'), stderr: result.stderr.toString('latin1') };
}

const afterMarker = (text: string, marker: string) => text.slice(text.indexOf(marker) + marker.length);

describe('the exec text', () => {
  it('holds only characters that every login shell reads the same way', () => {
    for (const sudo of [false, true]) {
      const inline = request(['printf', '%s', ...HOSTILE_ARGV], sudo, 'inline').execText;
      // Every backslash starts a printf %b octal escape inside single quotes; outside them, only plain words.
      const words = inline.replace(/\\0[0-7]{3}/g, '').split(/'([^']*)'/);
      words.forEach((word, index) => expect(index % 2 === 1 ? isLiteral(word) : /^[A-Za-z0-9/ -]*$/.test(word)).toBe(true));
    }
    expect(STDIN_EXEC_TEXT).toMatch(/^[A-Za-z0-9/ -]+$/);
  });

  it('passes plain arguments as they are, so a plain command costs /bin/sh no extra process', () => {
    expect(request(['hostname'], false, 'inline').execText).not.toContain("'E");
    expect(request(['ls', '-la', '/var/log/nginx'], false, 'inline').execText).toMatch(/'P-la' 'P\/var\/log\/nginx'$/);
  });

  it('carries a short command inline, and a long one on stdin', () => {
    expect(runnerRequest(['hostname'], false, { nonce: NONCE }).stdin).toBe('');
    const long = runnerRequest(['echo', 'x'.repeat(INLINE_LIMIT)], false, { nonce: NONCE });
    expect(long.execText).toBe(STDIN_EXEC_TEXT);
    expect(long.stdin).toContain('x'.repeat(INLINE_LIMIT));
    const quoted = Array.from({ length: INLINE_ESCAPED + 1 }, (_, i) => `it's ${i}`);
    expect(runnerRequest(['echo', ...quoted.slice(1)], false, { nonce: NONCE }).stdin).toBe('');
    expect(runnerRequest(['echo', ...quoted], false, { nonce: NONCE }).execText).toBe(STDIN_EXEC_TEXT);
  });

  it('refuses a NUL byte, an empty argv and a nonce that is not plain', () => {
    expect(() => runnerRequest(['echo', 'a\0b'], false, { nonce: NONCE })).toThrow(/NUL/);
    expect(() => runnerRequest([], false, { nonce: NONCE })).toThrow(/empty/);
    expect(() => runnerRequest(['true'], false, { nonce: "x'; rm" })).toThrow(/nonce/);
  });

  it('is run where CI runs it under tcsh, fish and zsh', () => {
    if (process.env.CI) for (const shell of ['/usr/bin/tcsh', '/usr/bin/fish', '/usr/bin/zsh']) expect(present).toContain(shell);
  });
});

describe.each(present.flatMap((shell) => (['inline', 'stdin'] as const).map((way) => [shell, way] as const)))('under the login shell %s, command %s', (shell, way) => {
  it('carries hostile arguments to the program byte for byte', () => {
    const out = asSshdWould(shell, [...HEX_ARGS_ARGV, ...HOSTILE_ARGV], way);
    expect(out.stderr).not.toContain('INJECTED');
    expect(out.status).toBe(0);
    expect(afterMarker(out.stdout, MARKERS.stdout)).toBe(hexArgs(HOSTILE_ARGV));
  });

  it('carries a 64 KiB argument and 1,000 arguments', () => {
    const big = 'x'.repeat(64 * 1024 - 3) + "'\\\n";
    const many = Array.from({ length: 1000 }, (_, i) => `arg ${i} $((${i}+1)) !${i}`);
    const out = asSshdWould(shell, [...HEX_ARGS_ARGV, big, ...many], way);
    expect(afterMarker(out.stdout, MARKERS.stdout)).toBe(hexArgs([big, ...many]));
  });

  it('reports the process group before the command runs, and gives the command an empty stdin', () => {
    const out = asSshdWould(shell, ['sh', '-c', 'cat; echo "rc=$?"'], way);
    expect(out.stderr).toMatch(new RegExp(`^${MARKERS.pgidPrefix}\\d+\\n`));
    expect(afterMarker(out.stdout, MARKERS.stdout)).toBe('rc=0\n');
  });

  it('passes the exit status through', () => {
    expect(asSshdWould(shell, ['sh', '-c', 'exit 7'], way).status).toBe(7);
  });
});

describe('MarkerGate', () => {
  const collect = (marker: string, onValue?: (value: string) => void) => {
    const passed: string[] = [];
    const gate = new MarkerGate(marker, (chunk) => passed.push(chunk.toString('utf8')), onValue);
    return { gate, passed: () => passed.join('') };
  };

  it('drops login-shell noise before the marker and keeps it for errors', () => {
    const { gate, passed } = collect(MARKERS.stdout);
    gate.write(Buffer.from('Welcome to web1\n'));
    gate.write(Buffer.from(`${MARKERS.stdout}hello`));
    gate.write(Buffer.from(' world'));
    expect(passed()).toBe('hello world');
    expect(gate.noise).toBe('Welcome to web1\n');
  });

  it('finds a marker split across chunks, with its value', () => {
    const values: string[] = [];
    const { gate, passed } = collect(MARKERS.pgidPrefix, (value) => values.push(value));
    const line = `${MARKERS.pgidPrefix}4242\n`;
    for (const char of line) gate.write(Buffer.from(char, 'latin1'));
    expect(values).toEqual(['4242']);
    gate.write(Buffer.from('err'));
    expect(passed()).toBe('err');
  });

  it('keeps everything as noise when the marker never comes', () => {
    const { gate, passed } = collect(MARKERS.stdout);
    gate.write(Buffer.from('This account is currently not available.\n'));
    expect(gate.seen).toBe(false);
    expect(passed()).toBe('');
    expect(gate.noise).toContain('not available');
  });

  it('bounds what it holds while waiting', () => {
    const { gate } = collect(MARKERS.stdout);
    for (let i = 0; i < 100; i++) gate.write(Buffer.alloc(10_000, 'n'));
    expect(gate.noise.length).toBeLessThan(80_000);
  });
});

describe('runnerFailure', () => {
  const base = { sudo: false, started: true, sudoEntered: false, stderrNoise: '', stderrText: '', exitCode: 0 };

  it('is nothing when the command ran', () => {
    expect(runnerFailure(base)).toBeNull();
    expect(runnerFailure({ ...base, sudo: true, sudoEntered: true, exitCode: 3 })).toBeNull();
  });

  it('names a runner that never started, even when the login shell exited 0', () => {
    const error = runnerFailure({ ...base, started: false, stderrNoise: 'fish: Unknown command: /bin/sh\n', exitCode: 0 });
    expect(error?.code).toBe('REMOTE_RUNNER_FAILED');
    expect(error?.message).toContain('Unknown command');
  });

  it('tells a password prompt from another sudo refusal', () => {
    expect(runnerFailure({ ...base, sudo: true, stderrText: 'sudo: a password is required\n', exitCode: 1 })?.code).toBe('SUDO_NEEDS_PASSWORD');
    const refused = runnerFailure({ ...base, sudo: true, stderrText: 'sudo: not installed on this server\n', exitCode: 127 });
    expect(refused?.code).toBe('SUDO_FAILED');
    expect(refused?.message).toContain('not installed');
  });
});
