import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { ChannelRefused, execOnClient } from './remote-exec.js';

/**
 * execOnClient against what sshd does with an exec request, without a network: the exec text is run
 * as `<login shell> -c <text>` on this machine, the channel's data goes to its stdin. The login shells
 * here are the odd ones: one that is not a shell, one that exits 0 without running anything.
 */
function sshdWithLoginShell(shell: string, refuse = false): Client {
  const exec = (text: string, callback: (error: Error | undefined, channel: EventEmitter) => void) => {
    if (refuse) return callback(new ChannelRefused('(SSH) Channel open failure: open failed'), new EventEmitter());
    const child = spawn(shell, ['-c', text], { stdio: ['pipe', 'pipe', 'pipe'] });
    const channel = Object.assign(new EventEmitter(), {
      stderr: child.stderr,
      end: (data: string) => child.stdin.end(data),
      signal: () => child.kill('SIGKILL'),
      close: () => child.kill('SIGKILL'),
    });
    child.stdout.on('data', (chunk: Buffer) => channel.emit('data', chunk));
    child.stdin.on('error', () => undefined);
    child.on('close', (code, signal) => {
      channel.emit('exit', code, signal ?? undefined);
      channel.emit('close');
    });
    callback(undefined, channel);
  };
  return { exec } as unknown as Client;
}

const dir = tempDir('backline-shells-');
afterAll(() => dir.remove());
const fakeShell = (name: string, body: string) => {
  const path = join(dir.path, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
};

const options = { sudo: false, timeoutMs: 10_000, output: { headBytes: 64 * 1024, tailBytes: 0 } };

describe('execOnClient', () => {
  it('runs the command and strips what the login shell printed first', async () => {
    const chatty = fakeShell('chatty', 'echo "Welcome to web1"; echo "stty: not a tty" >&2; exec /bin/sh "$@"');
    const result = await execOnClient(sshdWithLoginShell(chatty), ['printf', '%s|', "it's", '!x'], options);
    expect(result).toMatchObject({ exitCode: 0, error: null });
    expect(result.stdout.text).toBe("it's|!x|");
    expect(result.stderr.text).toBe('');
  });

  it('sends a probe script on stdin to /bin/sh -s when asked, so the exec request holds no part of it', async () => {
    const recording = fakeShell('recording', `printf '%s' "$2" >> ${join(dir.path, 'exec-texts')}; printf '\\n' >> ${join(dir.path, 'exec-texts')}; exec /bin/sh "$@"`);
    const script = 'echo "one $1"; echo two';
    const result = await execOnClient(sshdWithLoginShell(recording), ['/bin/sh', '-c', script, 'sh', 'arg'], { ...options, viaStdin: true });
    expect(result).toMatchObject({ exitCode: 0, error: null });
    expect(result.stdout.text).toBe('one arg\ntwo\n');
    expect(readFileSync(join(dir.path, 'exec-texts'), 'utf8').trim().split('\n')).toEqual(['/bin/sh -s']);
  });

  it('reports a login shell that refuses commands as REMOTE_RUNNER_FAILED, with its words, and no exit status', async () => {
    const nologin = existsSync('/usr/sbin/nologin') ? '/usr/sbin/nologin' : fakeShell('nologin', 'echo "This account is currently not available."; exit 1');
    const result = await execOnClient(sshdWithLoginShell(nologin), ['true'], options);
    expect(result.exitCode).toBeNull();
    expect(result.error?.code).toBe('REMOTE_RUNNER_FAILED');
    expect(result.error?.message).toMatch(/not available/);
  });

  it('never reports exit 0 for a command that did not run, even when the login shell exits 0', async () => {
    const silent = fakeShell('silent', 'echo "fish: Unknown command: /bin/sh" >&2; exit 0');
    const result = await execOnClient(sshdWithLoginShell(silent), ['rm', '-rf', '/tmp/x'], options);
    expect(result.exitCode).toBeNull();
    expect(result.error?.code).toBe('REMOTE_RUNNER_FAILED');
    expect(result.error?.message).toContain('Unknown command');
  });

  it('tells sudo refusing from the command failing', async () => {
    // A login shell whose PATH has a sudo that always refuses: the command never runs.
    const bin = join(dir.path, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'sudo'), '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n');
    chmodSync(join(bin, 'sudo'), 0o755);
    const shell = fakeShell('with-sudo', `PATH="${bin}:$PATH"; export PATH; exec /bin/sh "$@"`);
    const result = await execOnClient(sshdWithLoginShell(shell), ['id', '-u'], { ...options, sudo: true });
    expect(result.exitCode).toBeNull();
    expect(result.error?.code).toBe('SUDO_NEEDS_PASSWORD');
    expect(result.stdout.text).toBe('');
  });

  it('passes a refused channel up as ChannelRefused, for the session to queue', async () => {
    await expect(execOnClient(sshdWithLoginShell('/bin/sh', true), ['true'], options)).rejects.toBeInstanceOf(ChannelRefused);
  });
});
