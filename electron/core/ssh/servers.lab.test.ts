/**
 * Issue 11 against the lab's real OpenSSH (`bash e2e/lab/up.sh`, as root): ~/.ssh/config Includes on the
 * connect path, the first login question of a password-only server, and connection problems on the record.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labHost, labUser, readLab, type Lab } from '../../../e2e/lab/lab.js';
import { connectTrusting, labCore, type LabApp } from '../testing/lab-core.js';
import { tempDir } from '../testing/temp-dir.js';

const lab: Lab = readLab();
let home: ReturnType<typeof tempDir>;
const apps: LabApp[] = [];

beforeEach(() => {
  home = tempDir('backline-home-');
  mkdirSync(join(home.path, '.ssh', 'config.d'), { recursive: true, mode: 0o700 });
});
afterEach(() => {
  for (const app of apps.splice(0)) app.close();
  home.remove();
});

function newCore() {
  const app = labCore({ home: home.path });
  apps.push(app);
  return app;
}

describe('~/.ssh/config Include on the connect path', () => {
  it('connects to db1 through the bastion with both named only in ~/.ssh/config.d/lab (it used to be ENOTFOUND)', async () => {
    writeFileSync(join(home.path, '.ssh', 'config'), 'Include ~/.ssh/config.d/*\n');
    writeFileSync(join(home.path, '.ssh', 'config.d', 'lab'), readFileSync(lab.sshConfig, 'utf8'));
    const app = newCore();
    await app.call('tickets.create', { id: 'TKT-1', title: 'include' });
    const server = await app.call('servers.add', { ticketId: 'TKT-1', host: 'db1' });
    const route = await app.call('servers.resolve', { id: server.id });
    expect(route.map((hop) => `${hop.label} ${hop.user}@${hop.host}`)).toEqual([`bastion root@${labHost(lab, 'bastion').address}`, `db1 root@${labHost(lab, 'db1').address}`]);
    await connectTrusting(app, server.id);
    const run = await app.call('commands.run', { ticketId: 'TKT-1', runId: `include-${Date.now()}`, serverIds: [server.id], argv: ['hostname'], sudo: false, timeoutS: 30 });
    expect(run.results[0]!.stdout.text.trim()).toBe('db1');
  });
});

describe('the first login question', () => {
  it('asks a password-only login for the password, having sent sshd nothing but `none`', async () => {
    const web1 = labHost(lab, 'web1');
    const app = newCore();
    await app.call('tickets.create', { id: 'TKT-2', title: 'password' });
    const server = await app.call('servers.add', { ticketId: 'TKT-2', label: 'ops', host: web1.address, user: 'bl-ops', auth: 'password' });
    await connectTrusting(app, server.id).catch(() => undefined);
    const logBefore = readFileSync(web1.sshdLog, 'utf8').length;
    const question = await app.failure('servers.connect', { id: server.id });
    expect(question).toMatchObject({ code: 'SSH_CREDENTIALS_NEEDED', message: `bl-ops@${web1.address}:22 asks for a password.`, detail: { needs: 'password' } });
    expect(question.message).not.toMatch(/refused|Tried/);
    // sshd (LogLevel VERBOSE) logs each method tried: no password, no key.
    expect(readFileSync(web1.sshdLog, 'utf8').slice(logBefore)).not.toMatch(/Failed (password|publickey)|Accepted/);
    // A question, not a failure: nothing on the record, nothing on the row.
    expect((await app.call('audit.list', { ticketId: 'TKT-2' })).map((e) => e.action)).not.toContain('ssh.connect-failed');
    expect((await app.call('servers.list', { ticketId: 'TKT-2' }))[0]!.lastError).toBeNull();
    const connected = await app.call('servers.connect', { id: server.id, secrets: { password: labUser(lab, 'bl-ops').password! } });
    expect(connected.connection).toBe('connected');
  });
});

describe('connection problems on the record', () => {
  it('records a connection the server dropped, and keeps it on the row', async () => {
    const web2 = labHost(lab, 'web2');
    const app = newCore();
    await app.call('tickets.create', { id: 'TKT-3', title: 'lost' });
    const rootKey = lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
    const server = await app.call('servers.add', { ticketId: 'TKT-3', label: 'web2', host: web2.address, user: 'root', auth: 'key', keyFile: rootKey });
    await connectTrusting(app, server.id);
    // End the sshd serving this process's own connection (found by our client port), by its id: no one else's.
    const mine = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :22 and dst ${web2.address} )`], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`pid=${process.pid},`));
    expect(mine).toHaveLength(1);
    const port = /:(\d+)\s+\S+:22\s/.exec(mine[0]!)![1];
    const serving = execFileSync('ip', ['netns', 'exec', web2.namespace, 'ss', '-tnpH', 'state', 'established', `( sport = :22 and dport = :${port} )`], { encoding: 'utf8' });
    for (const pid of new Set([...serving.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))) process.kill(pid, 'SIGTERM');
    await expect.poll(async () => (await app.call('servers.list', { ticketId: 'TKT-3' }))[0]!.connection, { timeout: 10_000 }).toBe('lost');
    const [row] = await app.call('servers.list', { ticketId: 'TKT-3' });
    expect(row!.lastError).toMatchObject({ kind: 'lost', code: 'SSH_CONNECTION_LOST', message: `The connection to web2 (root@${web2.address}:22) was lost.` });
    const audit = await app.call('audit.list', { ticketId: 'TKT-3' });
    expect(audit[0]).toMatchObject({ action: 'ssh.connection-lost', detail: { serverId: server.id } });
    // Connecting again clears the row.
    expect(await app.call('servers.connect', { id: server.id })).toMatchObject({ connection: 'connected', lastError: null });
  });
});
