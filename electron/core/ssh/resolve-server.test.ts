import { describe, expect, it } from 'vitest';
import type { StoredServer } from '../store/servers-repo.js';
import { hopsFor, overrideBlock, type LocalSsh } from './resolve-server.js';

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
  configText: () => config,
  readText: (path) => files[path],
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
    expect(hops[0]).toMatchObject({ keepaliveIntervalS: 5, credentials: { agentSocket: '/run/agent.sock', keys: [{ path: '/home/eng/.ssh/bastion', text: 'KEY' }] } });
    expect(hops[1]).toMatchObject({ connectTimeoutMs: 7000, keepaliveIntervalS: undefined });
  });

  it("lets the server's own settings win over ~/.ssh/config, as ssh -o would", () => {
    const hops = hopsFor(server({ user: 'root', port: 2222, jump: 'admin@10.77.0.21' }), local(config), { password: 'pw' });
    expect(hops.map((h) => `${h.user}@${h.host}:${h.port}`)).toEqual(['admin@10.77.0.21:22', 'root@10.78.0.31:2222']);
    // The password typed for the server goes to the server only, never to a jump host.
    expect(hops[0]!.credentials.password).toBeUndefined();
    expect(hops[1]!.credentials.password).toBe('pw');
  });

  it('says which key file it cannot read when the server names one; skips missing ones ~/.ssh/config names, as ssh does', () => {
    expect(() => hopsFor(server({ auth: 'key', keyFile: '/nowhere/key' }), local(config), {})).toThrow(/\/nowhere\/key for db1 could not be read/);
    expect(hopsFor(server(), local(config), {})[0]!.credentials.keys).toEqual([]);
  });
});

describe('overrideBlock', () => {
  it('writes only what was set, quoting the key path', () => {
    expect(overrideBlock({ host: 'web1', port: 2222, user: null, keyFile: '/keys/my key', jump: null })).toBe('Host web1\n  Port 2222\n  IdentityFile "/keys/my key"\n\n');
    expect(overrideBlock({ host: 'web1', port: null, user: null, keyFile: null, jump: null })).toBe('');
  });
});
