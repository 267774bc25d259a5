import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredServer } from '../store/servers-repo.js';
import { tempDir } from '../testing/temp-dir.js';
import { readHopKeys } from './connect.js';
import { KeyFileProblem } from './key-file.js';
import { localSsh } from './local-ssh.js';
import { describeChain, hopsFor, overrideBlock, resolveServerChain, type LocalSsh } from './resolve-server.js';
import { parseSshConfig, TEXT_ONLY } from './ssh-config.js';

const server = (changes: Partial<StoredServer> = {}): StoredServer => ({
  id: 1,
  ticketId: 'TKT-1',
  label: 'db1',
  host: 'db1',
  port: null,
  user: null,
  auth: 'auto',
  keyFile: null,
  jump: null,
  createdAt: '2026-11-25T10:00:00.000Z',
  ...changes,
});

const local = (config: string, files: Record<string, string> = {}): LocalSsh => ({
  env: { home: '/home/eng', user: 'eng' },
  agentSocket: '/run/agent.sock',
  config: () => parseSshConfig(config, { home: '/home/eng', reader: TEXT_ONLY }),
  isFile: (path) => path in files,
  readKeyFile: (path) => {
    const text = files[path];
    return text === undefined ? Promise.reject(new KeyFileProblem(path, 'missing', `${path} does not exist.`, 'Check the path.')) : Promise.resolve(text);
  },
});

const config = `Host bastion
  HostName 10.77.0.20
  User ops
  IdentityFile ~/.ssh/bastion
  ServerAliveInterval 5

Host db1
  HostName 10.78.0.31
  ProxyJump bastion
  ConnectTimeout 7
`;

describe('hopsFor', () => {
  it("follows ~/.ssh/config through the jump host, with each hop's own keys, keepalive and timeout", () => {
    const hops = hopsFor(server(), local(config, { '/home/eng/.ssh/bastion': 'KEY' }), {});
    expect(hops.map((h) => [h.label, h.user, h.host, h.port])).toEqual([
      ['bastion', 'ops', '10.77.0.20', 22],
      ['db1', 'eng', '10.78.0.31', 22],
    ]);
    expect(hops[0]).toMatchObject({ keepaliveIntervalS: 5, credentials: { agentSocket: '/run/agent.sock', keys: [{ path: '/home/eng/.ssh/bastion', required: false }] } });
    expect(hops[1]).toMatchObject({ connectTimeoutMs: 7000, keepaliveIntervalS: undefined });
  });

  it("lets the server's own settings win over ~/.ssh/config, as ssh -o would", () => {
    const hops = hopsFor(server({ user: 'root', port: 2222, jump: 'admin@10.77.0.21' }), local(config), { password: 'pw' });
    expect(hops.map((h) => `${h.user}@${h.host}:${h.port}`)).toEqual(['admin@10.77.0.21:22', 'root@10.78.0.31:2222']);
    // The password typed for the server goes to the server only, never to a jump host.
    expect(hops[0]!.credentials.password).toBeUndefined();
    expect(hops[1]!.credentials.password).toBe('pw');
  });

  it('reads key files only when their hop is reached: says which one the server names cannot be used; skips missing ones ~/.ssh/config names, as ssh does', async () => {
    const named = hopsFor(server({ auth: 'key', keyFile: '/nowhere/key' }), local(config), {});
    expect(named[1]!.credentials.keys).toMatchObject([{ path: '/nowhere/key', required: true }]);
    await expect(readHopKeys(named[1]!, [])).rejects.toThrow(/key file for db1 can't be used: \/nowhere\/key does not exist/);
    const notes: string[] = [];
    await expect(readHopKeys(hopsFor(server(), local(config), {})[0]!, notes)).resolves.toEqual([]);
    expect(notes).toEqual([]);
    await expect(readHopKeys(hopsFor(server(), local(config, { '/home/eng/.ssh/bastion': 'KEY' }), {})[0]!, [])).resolves.toEqual([{ path: '/home/eng/.ssh/bastion', text: 'KEY' }]);
  });

  // A FIFO typed as the key file used to freeze the whole app in a synchronous read.
  it('refuses a FIFO as the key file at once, and skips one ~/.ssh/config names with a note', { timeout: 2000 }, async () => {
    const dir = tempDir('backline-fifo-');
    try {
      const fifo = join(dir.path, 'key.fifo');
      execFileSync('mkfifo', [fifo]);
      const real = { ...localSsh({ home: dir.path, user: 'eng', agentSocket: null }), config: () => parseSshConfig(config, { home: dir.path, reader: TEXT_ONLY }) };
      const [target] = hopsFor(server({ host: '10.77.0.11', auth: 'key', keyFile: fifo, jump: null }), real, {});
      const error: unknown = await readHopKeys(target!, []).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(`${fifo} is a named pipe (FIFO), not a key file`) as unknown });
      expect((error as { hint: string }).hint).toMatch(/private key file itself/);

      const notes: string[] = [];
      const optional = { ...target!, credentials: { ...target!.credentials, keys: target!.credentials.keys.map((k) => ({ ...k, required: false })) } };
      await expect(readHopKeys(optional, notes)).resolves.toEqual([]);
      expect(notes).toEqual([expect.stringContaining(`${fifo} (skipped: ${fifo} is a named pipe`)]);
    } finally {
      dir.remove();
    }
  });
});

describe('overrideBlock', () => {
  it('writes only what was set, quoting the key path', () => {
    expect(overrideBlock({ host: 'web1', port: 2222, user: null, keyFile: '/keys/my key', jump: null })).toBe('Host web1\n  Port 2222\n  IdentityFile "/keys/my key"\n\n');
    expect(overrideBlock({ host: 'web1', port: null, user: null, keyFile: null, jump: null })).toBe('');
  });
});

describe('resolveServerChain with the real ~/.ssh', () => {
  it('reads the hosts from an Included file (the route used to say "direct, password only"), and shows what was skipped with ~ paths', () => {
    const dir = tempDir('backline-include-');
    try {
      mkdirSync(join(dir.path, '.ssh', 'config.d'), { recursive: true });
      writeFileSync(join(dir.path, '.ssh', 'config'), 'Include ~/.ssh/config.d/*\n');
      writeFileSync(
        join(dir.path, '.ssh', 'config.d', 'lab'),
        'Host bastion\n  HostName 10.77.0.20\n  User root\n  IdentityFile ~/.ssh/lab_root\nHost db1\n  HostName 10.78.0.31\n  User root\n  ProxyJump bastion\n  IdentitiesOnly yes\n',
      );
      mkdirSync(join(dir.path, '.ssh', 'config.d', 'old'));
      writeFileSync(join(dir.path, '.ssh', 'lab_root'), 'KEY');
      const real = localSsh({ home: dir.path, user: 'eng', agentSocket: null });
      const db1 = server({ host: 'db1' });
      const route = describeChain(resolveServerChain(db1, real), db1, real);
      expect(route.map((hop) => `${hop.label} ${hop.user}@${hop.host}:${hop.port}`)).toEqual(['bastion root@10.77.0.20:22', 'db1 root@10.78.0.31:22']);
      expect(route[0]!.identityFiles).toEqual([join(dir.path, '.ssh', 'lab_root')]);
      const skipped = '~/.ssh/config:1: Include ~/.ssh/config.d/old could not be read (it is a directory); skipped, where ssh would refuse the whole config';
      expect(route[0]!.notes.map((n) => `${n.at}: ${n.message}`)).toEqual([skipped]);
      expect(route[1]!.notes.map((n) => `${n.at}: ${n.message}`)).toEqual([skipped, '~/.ssh/config.d/lab:9: IdentitiesOnly yes: not followed; Backline also offers the keys in ssh-agent']);
    } finally {
      dir.remove();
    }
  });

  it("starts ~/.ssh/config afresh after the server's own settings: its top-level options reach the jump host too", () => {
    const hops = hopsFor(server({ host: 'db1', user: 'root' }), local('User ops\nHost db1\n  ProxyJump bastion\n'), {});
    expect(hops.map((h) => `${h.user}@${h.host}`)).toEqual(['ops@bastion', 'root@db1']);
  });
});
