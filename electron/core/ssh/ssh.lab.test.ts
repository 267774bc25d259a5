/**
 * The SSH layer against the lab's real OpenSSH servers (e2e/lab: `bash e2e/lab/up.sh`, as root).
 * Every error an engineer can meet is produced for real here, not mocked.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MethodInput } from '../../../shared/contract/index.js';
import { connectTrusting, type LabApp, type LabCoreOptions, labSuite } from '../testing/lab-core.js';
import { tempDir } from '../testing/temp-dir.js';

const suite = labSuite('backline-home-');

const hostOf = (name: string) => {
  const host = suite.lab.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`lab host ${name} missing`);
  return host;
};
const keyOf = (name: string) => {
  const key = suite.lab.keys.find((k) => k.name === name);
  if (!key) throw new Error(`lab key ${name} missing`);
  return key;
};

function newCore(options: Omit<LabCoreOptions, 'home'> = {}) {
  const app = suite.open(options);
  return app;
}

type App = LabApp;
let runCounter = 0;
const runId = () => `run-${process.pid}-${++runCounter}-${Date.now()}`;

async function ticketWith(app: App, id: string, servers: MethodInput<'servers.add'>[]) {
  await app.call('tickets.create', { id, title: 'lab' });
  const added = [];
  for (const server of servers) added.push(await app.call('servers.add', server));
  return added;
}

const run = (app: App, ticketId: string, serverIds: number[], argv: string[], extra: { sudo?: boolean; timeoutS?: number; runId?: string } = {}) =>
  app.call('commands.run', { ticketId, runId: extra.runId ?? runId(), serverIds, argv, sudo: extra.sudo ?? false, timeoutS: extra.timeoutS ?? 60 });

const rootKey = () => keyOf('lab_root').privateKey;
const web1 = () => ({ host: hostOf('web1').address, user: 'root', auth: 'key' as const, keyFile: rootKey() });

describe('host keys', () => {
  it('asks about an unknown host with its SHA256 fingerprint, before offering any credential', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-1', [{ ticketId: 'TKT-1', label: 'web1', ...web1() }]);
    const logBefore = readFileSync(hostOf('web1').sshdLog, 'utf8').length;
    const error = await app.failure('servers.connect', { id: server!.id });
    expect(error.code).toBe('SSH_HOST_UNKNOWN');
    const fingerprints = hostOf('web1').hostKeys.map((k) => k.fingerprint);
    expect(fingerprints).toContain((error.detail as { fingerprint: string }).fingerprint);
    expect(error.message).toContain((error.detail as { fingerprint: string }).fingerprint);
    // sshd (LogLevel VERBOSE) logs every key offered and every password tried: nothing was.
    const logAfter = readFileSync(hostOf('web1').sshdLog, 'utf8').slice(logBefore);
    expect(logAfter).not.toMatch(/publickey|password|Accepted|Failed/i);
  });

  it('remembers an accepted key: the question is asked once per host', async () => {
    const first = newCore();
    const [server] = await ticketWith(first, 'TKT-2', [{ ticketId: 'TKT-2', label: 'web1', ...web1() }]);
    await connectTrusting(first, server!.id);
    const again = newCore({ dataDir: first.dataDir });
    const reconnected = await again.call('servers.connect', { id: server!.id });
    expect(reconnected.connection).toBe('connected');
  });

  it('refuses a changed host key loudly, and sends nothing', async () => {
    writeFileSync(
      join(suite.home, '.ssh', 'known_hosts'),
      `${hostOf('web2').address} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n` +
        `${hostOf('web2').address} ssh-rsa ${hostOf('web1').hostKeys.find((k) => k.type === 'RSA')!.publicKey.split(' ')[1]}\n`,
    );
    try {
      const app = newCore();
      const [server] = await ticketWith(app, 'TKT-3', [{ ticketId: 'TKT-3', label: 'web2', host: hostOf('web2').address, user: 'root', auth: 'key', keyFile: rootKey() }]);
      const logBefore = readFileSync(hostOf('web2').sshdLog, 'utf8').length;
      const error = await app.failure('servers.connect', { id: server!.id });
      expect(error.code).toBe('SSH_HOST_KEY_CHANGED');
      expect(error.message).toMatch(/HOST KEY CHANGED/);
      expect(error.message).toContain(join(suite.home, '.ssh', 'known_hosts'));
      expect(readFileSync(hostOf('web2').sshdLog, 'utf8').slice(logBefore)).not.toMatch(/publickey|password|Accepted|Failed/i);
      // Trusting is only for unknown keys: a changed one can't be waved through.
      const trust = await app.failure('servers.trustHostKey', { id: server!.id, host: hostOf('web2').address, port: 22, fingerprint: hostOf('web2').hostKeys[0]!.fingerprint });
      expect(trust.code).toBe('NOT_FOUND');
    } finally {
      writeFileSync(join(suite.home, '.ssh', 'known_hosts'), '');
    }
  });
});

describe('logging in', () => {
  it('says which methods were tried when every one is refused', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-4', [{ ticketId: 'TKT-4', label: 'ops', host: hostOf('web1').address, user: 'bl-ops', auth: 'key', keyFile: rootKey() }]);
    await connectTrusting(app, server!.id).catch(() => undefined);
    const error = await app.failure('servers.connect', { id: server!.id });
    expect(error.code).toBe('SSH_AUTH_FAILED');
    expect(error.message).toContain('Tried: public key');
  });

  it('logs in with a password held in memory, and reports that sudo wants one', async () => {
    const app = newCore();
    const password = readFileSync(suite.lab.users.find((u) => u.name === 'bl-ops')!.passwordFile!, 'utf8').trim();
    const [server] = await ticketWith(app, 'TKT-5', [{ ticketId: 'TKT-5', label: 'ops', host: hostOf('web1').address, user: 'bl-ops', auth: 'password' }]);
    await connectTrusting(app, server!.id, { password });
    const whoami = await run(app, 'TKT-5', [server!.id], ['id', '-un']);
    expect(whoami.results[0]!.stdout.text.trim()).toBe('bl-ops');
    const sudo = await run(app, 'TKT-5', [server!.id], ['id', '-u'], { sudo: true });
    expect(sudo.results[0]!.error?.code).toBe('SUDO_NEEDS_PASSWORD');
    // The password is nowhere on disk.
    const dbBytes = readFileSync(join(app.dataDir, 'backline.sqlite'));
    expect(dbBytes.includes(Buffer.from(password))).toBe(false);
  });

  it('logs in with a passphrase-protected key, and runs sudo where it needs no password', async () => {
    const app = newCore();
    const key = keyOf('lab_passphrase');
    const passphrase = readFileSync(key.passphraseFile!, 'utf8').trim();
    const [server] = await ticketWith(app, 'TKT-6', [{ ticketId: 'TKT-6', label: 'deploy', host: hostOf('web2').address, user: 'bl-deploy', auth: 'key', keyFile: key.privateKey }]);
    await connectTrusting(app, server!.id, { passphrase });
    const result = await run(app, 'TKT-6', [server!.id], ['id', '-u'], { sudo: true });
    expect(result.results[0]).toMatchObject({ exitCode: 0, error: null });
    expect(result.results[0]!.stdout.text.trim()).toBe('0');
  });
});

describe('ssh-agent', () => {
  it("uses the engineer's agent when SSH_AUTH_SOCK is set, without reading any key file", async () => {
    const dir = tempDir('backline-agent-');
    const socket = join(dir.path, 'agent.sock');
    const agent = execFileSync('ssh-agent', ['-a', socket, '-s']).toString();
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent)![1]!;
    try {
      execFileSync('ssh-add', [rootKey()], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      const app = newCore({ agentSocket: socket });
      const [server] = await ticketWith(app, 'TKT-17', [{ ticketId: 'TKT-17', label: 'web1', host: hostOf('web1').address, user: 'root', auth: 'agent' }]);
      const chain = await app.call('servers.resolve', { id: server!.id });
      expect(chain[0]).toMatchObject({ usesAgent: true, identityFiles: [] });
      await connectTrusting(app, server!.id);
      const result = await run(app, 'TKT-17', [server!.id], ['hostname']);
      expect(result.results[0]!.stdout.text.trim()).toBe('web1');
    } finally {
      process.kill(Number(pid));
      dir.remove();
    }
  });
});

describe('reaching servers', () => {
  it('says a server is unreachable when nothing listens on the port', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-7', [{ ticketId: 'TKT-7', label: 'closed', host: hostOf('web1').address, port: 2222, user: 'root', auth: 'key', keyFile: rootKey() }]);
    const error = await app.failure('servers.connect', { id: server!.id });
    expect(error.code).toBe('SSH_UNREACHABLE');
    expect(error.hint).toMatch(/Nothing listens on that port/);
  });

  it('times out on an address where nothing answers', async () => {
    const app = newCore({ connectTimeoutMs: 1500 });
    const [server] = await ticketWith(app, 'TKT-8', [{ ticketId: 'TKT-8', label: 'void', host: suite.lab.unusedAddress, user: 'root', auth: 'key', keyFile: rootKey() }]);
    const error = await app.failure('servers.connect', { id: server!.id });
    expect(['SSH_TIMEOUT', 'SSH_UNREACHABLE']).toContain(error.code);
    expect(error.message).toContain(suite.lab.unusedAddress);
  });

  it('reaches a server only the bastion can see, through ProxyJump', async () => {
    writeFileSync(
      join(suite.home, '.ssh', 'config'),
      `Host bastion\n  HostName ${hostOf('bastion').address}\n  User root\n  IdentityFile ${rootKey()}\n\nHost db1\n  HostName ${hostOf('db1').address}\n  User root\n  IdentityFile ${rootKey()}\n  ProxyJump bastion\n`,
    );
    try {
      const app = newCore();
      const [server] = await ticketWith(app, 'TKT-9', [{ ticketId: 'TKT-9', host: 'db1' }]);
      const chain = await app.call('servers.resolve', { id: server!.id });
      expect(chain.map((hop) => `${hop.user}@${hop.host}`)).toEqual([`root@${hostOf('bastion').address}`, `root@${hostOf('db1').address}`]);
      await connectTrusting(app, server!.id);
      const result = await run(app, 'TKT-9', [server!.id], ['hostname']);
      expect(result.results[0]!.stdout.text.trim()).toBe('db1');
    } finally {
      writeFileSync(join(suite.home, '.ssh', 'config'), '');
    }
  });
});

describe('running commands', () => {
  it('runs on many servers at once over one reused connection each, and records every run', async () => {
    const app = newCore();
    const servers = await ticketWith(app, 'TKT-10', [
      { ticketId: 'TKT-10', label: 'web1', ...web1() },
      { ticketId: 'TKT-10', label: 'web2', host: hostOf('web2').address, user: 'root', auth: 'key', keyFile: rootKey() },
    ]);
    for (const s of servers) await connectTrusting(app, s.id);
    const logBefore = readFileSync(hostOf('web1').sshdLog, 'utf8').length;
    const fan = await run(app, 'TKT-10', servers.map((s) => s.id), ['hostname']);
    expect(fan.results.map((r) => [r.label, r.stdout.text.trim(), r.exitCode])).toEqual([
      ['web1', 'web1', 0],
      ['web2', 'web2', 0],
    ]);
    // Twenty commands at once on one server: more than sshd's MaxSessions, all on the one connection.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => run(app, 'TKT-10', [servers[0]!.id], ['echo', `n${i}`])));
    expect(many.map((m) => m.results[0]!.stdout.text.trim())).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    expect(readFileSync(hostOf('web1').sshdLog, 'utf8').slice(logBefore)).not.toMatch(/Accepted publickey/);
    const audit = await app.call('audit.list', { ticketId: 'TKT-10' });
    const execs = audit.filter((e) => e.action === 'ssh.exec');
    expect(execs).toHaveLength(22);
    expect(execs.at(-1)).toMatchObject({ detail: { argv: ['hostname'], exitCode: 0, sudo: false } });
    expect(execs.at(-1)!.summary).toMatch(/root@10\.77\.0\.1[12]:22\): hostname → exit 0 in \d+\.\d s/);
  });

  it('passes hostile arguments through untouched', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-11', [{ ticketId: 'TKT-11', label: 'web1', ...web1() }]);
    await connectTrusting(app, server!.id);
    const hostile = ["$(touch /tmp/pwned)", '`id`', "a'b", '; reboot', '\n', '*', '-n'];
    const result = await run(app, 'TKT-11', [server!.id], ['printf', '%s\\0', ...hostile]);
    expect(result.results[0]!.stdout.text.split('\0').slice(0, -1)).toEqual(hostile);
  });

  it('cancels a command by killing its remote processes, leaving no orphans', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-12', [{ ticketId: 'TKT-12', label: 'web1', ...web1() }]);
    await connectTrusting(app, server!.id);
    // Unique durations, so only this test's processes can match (not leftovers from another run).
    const seconds = 40_000 + Math.floor(Math.random() * 10_000);
    const mine = `^sleep (${seconds}|${seconds + 1})$`;
    const id = runId();
    const running = run(app, 'TKT-12', [server!.id], ['sh', '-c', `sleep ${seconds} & sleep ${seconds + 1}`], { runId: id });
    const count = async () => (await run(app, 'TKT-12', [server!.id], ['pgrep', '-c', '-f', mine])).results[0]!.stdout.text.trim();
    await expect.poll(count, { timeout: 5000 }).toBe('2');
    await app.call('commands.cancel', { runId: id });
    const result = await running;
    expect(result.results[0]!.error?.code).toBe('CANCELLED');
    await expect.poll(count, { timeout: 5000 }).toBe('0');
  });

  it('stops a command at its time limit', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-13', [{ ticketId: 'TKT-13', label: 'web1', ...web1() }]);
    await connectTrusting(app, server!.id);
    const result = await run(app, 'TKT-13', [server!.id], ['sleep', '60'], { timeoutS: 1 });
    expect(result.results[0]!.error?.code).toBe('COMMAND_TIMEOUT');
    expect(result.results[0]!.durationMs).toBeLessThan(10_000);
  });

  it('keeps a 200 MB output out of memory: head and tail with a marker, the whole on disk', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-14', [{ ticketId: 'TKT-14', label: 'web1', ...web1() }]);
    await connectTrusting(app, server!.id);
    const before = process.memoryUsage().rss;
    const result = await run(app, 'TKT-14', [server!.id], ['sh', '-c', "head -c 209715200 /dev/zero | tr '\\0' x"], { timeoutS: 300 });
    const grown = process.memoryUsage().rss - before;
    const stdout = result.results[0]!.stdout;
    expect(stdout.totalBytes).toBe(209_715_200);
    expect(stdout.truncated).toBe(true);
    expect(stdout.text).toMatch(/cut by Backline; full output in /);
    expect(stdout.text.length).toBeLessThan(600 * 1024);
    expect(statSync(stdout.fullOutputFile!).size).toBe(209_715_200);
    expect(grown).toBeLessThan(150 * 1024 * 1024);
  }, 300_000);

  it('notices a connection that died mid-command, and reconnects on demand', async () => {
    const app = newCore({ keepaliveIntervalS: 1 });
    const [server] = await ticketWith(app, 'TKT-15', [{ ticketId: 'TKT-15', label: 'web2', host: hostOf('web2').address, user: 'root', auth: 'key', keyFile: rootKey() }]);
    await connectTrusting(app, server!.id);
    const ns = hostOf('web2').namespace;
    const running = run(app, 'TKT-15', [server!.id], ['sleep', '30']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'DROP']);
    try {
      const result = await running;
      expect(result.results[0]!.error?.code).toBe('SSH_CONNECTION_LOST');
      expect((await app.call('servers.list', { ticketId: 'TKT-15' }))[0]!.connection).toBe('lost');
    } finally {
      execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-D', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'DROP']);
    }
    const again = await run(app, 'TKT-15', [server!.id], ['hostname']);
    expect(again.results[0]!.stdout.text.trim()).toBe('web2');
  }, 60_000);
});

describe('interactive terminal', () => {
  it('runs a shell with a pty, resizes, and saves its transcript to the ticket', async () => {
    const app = newCore();
    const [server] = await ticketWith(app, 'TKT-16', [{ ticketId: 'TKT-16', label: 'web1', ...web1() }]);
    await connectTrusting(app, server!.id);
    let screen = '';
    const closed: unknown[] = [];
    app.core.events.subscribe((event, payload) => {
      if (event === 'terminal.output') screen += (payload as { data: string }).data;
      if (event === 'terminal.closed') closed.push(payload);
    });
    const { terminalId } = await app.call('terminal.open', { serverId: server!.id, cols: 100, rows: 30 });
    await app.call('terminal.input', { terminalId, data: 'stty size; echo "host=$(hostname)"\n' });
    await expect.poll(() => screen).toMatch(/host=web1/);
    expect(screen).toMatch(/30 100/);
    await app.call('terminal.resize', { terminalId, cols: 120, rows: 40 });
    await app.call('terminal.input', { terminalId, data: 'stty size\n' });
    await expect.poll(() => screen).toMatch(/40 120/);
    const { noteId } = await app.call('terminal.close', { terminalId });
    const notes = await app.call('notes.list', { ticketId: 'TKT-16' });
    const transcript = notes.find((n) => n.id === noteId);
    expect(transcript?.title).toMatch(/^Terminal: web1 /);
    expect(transcript?.body).toContain('host=web1');
    expect(transcript?.body).not.toContain('\u001b[');
    expect(closed).toEqual([{ terminalId, reason: 'closed by the engineer', noteId }]);
    const audit = await app.call('audit.list', { ticketId: 'TKT-16' });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['ssh.terminal.opened', 'ssh.terminal.closed']));
  });
  // Under the login shells customers have: the pause is the channel's, whatever reads the typed lines.
  it.each(['root', 'bl-tcsh', 'bl-fish'])('pauses the shell (%s) while the window falls behind, resumes when it catches up, and never hangs on a window that went quiet', async (login) => {
    const app = newCore();
    const account = suite.lab.users.find((u) => u.name === login);
    const as = login === 'root' ? web1() : { host: hostOf('web1').address, user: login, auth: 'key' as const, keyFile: keyOf(account!.keys[0]!).privateKey };
    const ticketId = `TKT-17${suite.lab.users.findIndex((u) => u.name === login) + 1}`;
    const [server] = await ticketWith(app, ticketId, [{ ticketId, label: 'web1', ...as }]);
    await connectTrusting(app, server!.id);
    let received = 0;
    let tail = '';
    let acking = false;
    const { terminalId } = await app.call('terminal.open', { serverId: server!.id, cols: 100, rows: 30 });
    app.core.events.subscribe((event, payload) => {
      if (event !== 'terminal.output') return;
      const output = payload as { terminalId: string; data: string; offset: number; bytes: number };
      if (output.terminalId !== terminalId) return;
      received = output.offset + output.bytes;
      // Enough to hold the marker after fish's prompt redraw (a line of padding and escapes).
      tail = (tail + output.data).slice(-4000);
      if (acking) void app.call('terminal.ack', { terminalId, offset: received });
    });
    // A window that draws: it acks once, then falls behind a 40 MB flood.
    await app.call('terminal.ack', { terminalId, offset: 0 });
    // sh, tcsh and fish all read this line alike; the echoed line shows "4"2, the output 42.
    const flood = (marker: string) => `head -c 40000000 /dev/zero | tr '\\0' x | fold -w 100; echo ${marker}-"4"2\n`;
    await app.call('terminal.input', { terminalId, data: flood('FIRST') });
    let last = -1;
    await expect.poll(() => {
      const still = received === last;
      last = received;
      return still && received > 0;
    }, { interval: 700, timeout: 4000 }).toBe(true);
    // Stalled: past the 8 MiB the window may lag by (plus what the SSH window and buffers hold), far short of 40 MB.
    expect(received).toBeGreaterThan(8 * 1024 * 1024);
    expect(received).toBeLessThan(16 * 1024 * 1024);
    expect(tail).not.toContain('FIRST-42');
    // The window catches up and keeps up: the flood runs to its end.
    acking = true;
    await app.call('terminal.ack', { terminalId, offset: received });
    await expect.poll(() => tail, { timeout: 30_000 }).toContain('FIRST-42');
    // A window that goes quiet (a closed browser tab) does not hang the shell: it resumes on its own.
    acking = false;
    await app.call('terminal.input', { terminalId, data: flood('SECOND') });
    await expect.poll(() => tail, { timeout: 40_000 }).toContain('SECOND-42');
    expect(received).toBeGreaterThan(80_000_000);
    await app.call('terminal.close', { terminalId });
  }, 90_000);
});
