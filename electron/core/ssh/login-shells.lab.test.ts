/**
 * Remote commands mean the same under every login shell: customer users on the lab's real sshd whose
 * login shells are tcsh, fish, zsh, and bash with a chatty .bashrc receive hostile argv byte for byte,
 * with and without sudo, and what each run did is on the audit log. Also sshd's MaxSessions.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLab, type Lab } from '../../../e2e/lab/lab.js';
import { connectTrusting, labCore, type LabApp } from '../testing/lab-core.js';
import { tempDir } from '../testing/temp-dir.js';
import { HEX_ARGS_ARGV, HOSTILE_ARGV, hexArgs } from './testing/hostile-argv.js';

let lab: Lab;
let home: ReturnType<typeof tempDir>;
let app: LabApp;
let runs = 0;
const runId = () => `shells-${process.pid}-${++runs}`;

beforeAll(() => {
  lab = readLab();
  home = tempDir('backline-home-');
  mkdirSync(join(home.path, '.ssh'), { mode: 0o700 });
  app = labCore({ home: home.path });
});
afterAll(() => {
  app.close();
  home.remove();
});

const host = (name: string) => lab.hosts.find((h) => h.name === name) ?? expect.fail(`lab host ${name} missing`);
const user = (name: string) => lab.users.find((u) => u.name === name) ?? expect.fail(`lab user ${name} missing`);
const keyFile = (name: string) => lab.keys.find((k) => k.name === name)?.privateKey ?? expect.fail(`lab key ${name} missing`);

let tickets = 0;
async function serverAs(userName: string, hostName = 'web1') {
  const ticketId = `SHELL-${++tickets}`;
  await app.call('tickets.create', { id: ticketId, title: `as ${userName}` });
  const account = user(userName);
  const server = await app.call('servers.add', { ticketId, label: `${hostName}-${userName}`, host: host(hostName).address, user: userName, auth: 'key', keyFile: keyFile(account.keys[0]!) });
  await connectTrusting(app, server.id);
  return { ticketId, serverId: server.id };
}

const run = async (target: { ticketId: string; serverId: number }, argv: readonly string[], sudo = false) => {
  const { results } = await app.call('commands.run', { ticketId: target.ticketId, runId: runId(), serverIds: [target.serverId], argv: [...argv], sudo, timeoutS: 60 });
  return results[0]!;
};

/** The same argv run here, without any shell: what the remote program must also have received. */
const locally = (argv: readonly string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout;

describe.each(['bl-tcsh', 'bl-fish', 'bl-zsh', 'bl-chatty', 'root'])('as %s', (userName) => {
  let target: { ticketId: string; serverId: number };
  beforeAll(async () => {
    expect(user(userName).shell).toBeTruthy();
    target = await serverAs(userName);
  });

  it('the program receives hostile arguments exactly as it would here, and nothing else runs', async () => {
    const argv = [...HEX_ARGS_ARGV, ...HOSTILE_ARGV];
    const result = await run(target, argv);
    expect(result.error).toBeNull();
    expect(result.exitCode).toBe(0);
    expect(result.stdout.text).toBe(locally(argv));
    expect(result.stdout.text).toBe(hexArgs(HOSTILE_ARGV));
    expect(result.stderr.text).toBe('');
  });

  it('a 64 KiB argument and 1,000 arguments arrive whole', async () => {
    const args = ['y'.repeat(64 * 1024 - 2) + '\\\n', ...Array.from({ length: 999 }, (_, i) => `!${i} '$x' \\`)];
    const result = await run(target, [...HEX_ARGS_ARGV, ...args]);
    expect(result.stdout.text).toBe(hexArgs(args));
  });

  it('a lone argument ending in a backslash runs, and its exit status is its own', async () => {
    const result = await run(target, ['sh', '-c', 'printf %s "$1"; exit 3', 'x', 'C:\\']);
    expect(result.stdout.text).toBe('C:\\');
    expect(result.exitCode).toBe(3);
    expect(result.error).toBeNull();
  });

  if (userName !== 'root') {
    it('under sudo, the same bytes reach the program, as root', async () => {
      const argv = ['sh', '-c', 'id -u; shift; printf "%s\\0" "$@" | od -An -v -tx1 | tr -d " \\n"; echo', 'x', 'ignored', ...HOSTILE_ARGV];
      const result = await run(target, argv, true);
      expect(result.error).toBeNull();
      expect(result.stdout.text).toBe(`0\n${hexArgs(HOSTILE_ARGV)}`);
    });
  }
});

describe('cancel under another login shell and sudo', () => {
  it('kills the command and everything it started, as root, leaving no orphans', async () => {
    const target = await serverAs('bl-tcsh');
    const seconds = 50_000 + Math.floor(Math.random() * 10_000);
    const mine = `^sleep (${seconds}|${seconds + 1})$`;
    const id = runId();
    const running = app.call('commands.run', { ticketId: target.ticketId, runId: id, serverIds: [target.serverId], argv: ['sh', '-c', `sleep ${seconds} & sleep ${seconds + 1}`], sudo: true, timeoutS: 60 });
    const count = async () => (await run(target, ['pgrep', '-c', '-u', 'root', '-f', mine])).stdout.text.trim();
    await expect.poll(count, { timeout: 5000 }).toBe('2');
    await app.call('commands.cancel', { runId: id });
    expect((await running).results[0]!.error?.code).toBe('CANCELLED');
    await expect.poll(count, { timeout: 5000 }).toBe('0');
  });
});

describe('what the audit shows is what ran', () => {
  it('records argv, purpose, exit status and output of every run', async () => {
    const target = await serverAs('bl-tcsh');
    await run(target, ['printf', '%s|', '!event', 'a; echo INJECTED']);
    const audit = await app.call('audit.list', { ticketId: target.ticketId, limit: 50 });
    const exec = audit.find((entry) => entry.action === 'ssh.exec');
    expect(exec?.detail).toMatchObject({ argv: ['printf', '%s|', '!event', 'a; echo INJECTED'], purpose: 'Command', exitCode: 0, stdout: '!event|a; echo INJECTED|' });
  });
});

describe('a login shell that prints on startup', () => {
  it('does not leak into the output of a command', async () => {
    const target = await serverAs('bl-chatty');
    const result = await run(target, ['echo', 'only this']);
    expect(result.stdout.text).toBe('only this\n');
    expect(result.stderr.text).toBe('');
  });
});

describe('a server with sshd MaxSessions 2', () => {
  it('runs 12 commands at once on one connection: all of them complete', async () => {
    const web3 = host('web3');
    expect(web3.maxSessions).toBe(2);
    const target = await serverAs('root', 'web3');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => run(target, ['sh', '-c', `sleep 0.3; echo ${i}`])));
    expect(results.map((r) => r.error)).toEqual(Array(12).fill(null));
    expect(results.map((r) => r.stdout.text)).toEqual(Array.from({ length: 12 }, (_, i) => `${i}\n`));
  });
});
