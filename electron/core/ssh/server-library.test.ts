import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js';
import { createCore, type Core } from '../core.js';
import { tempDir } from '../testing/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let clock: number;

beforeEach(() => {
  dir = tempDir();
  const ssh = join(dir.path, 'home', '.ssh');
  mkdirSync(join(ssh, 'config.d'), { recursive: true });
  writeFileSync(join(ssh, 'config'), 'Include config.d/*\nHost *.acme.example !bastion.acme.example\n  ProxyJump bastion.acme.example\nHost box+1\n  HostName 10.0.0.9\n');
  writeFileSync(
    join(ssh, 'config.d', 'acme'),
    'Host bastion.acme.example\n  HostName 198.51.100.7\n  User jump\nHost db1.acme.example db1 10.20.0.15\n  HostName 10.20.0.15\n  User postgres\nHost web1\n  HostName 10.77.0.11\n',
  );
  clock = Date.parse('2026-11-25T09:00:00.000Z');
  core = createCore({
    dataDir: join(dir.path, 'data'),
    shell: 'browser',
    version: 'test',
    user: 'esc',
    clock: () => new Date((clock += 1000)),
    log: () => undefined,
    ssh: { home: join(dir.path, 'home'), user: 'eng', agentSocket: null },
  });
});
afterEach(() => {
  core.close();
  dir.remove();
});

async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value as MethodOutput<K>;
}

async function ticket(id: string, servers: Omit<MethodInput<'servers.add'>, 'ticketId'>[]) {
  await call('tickets.create', { id, title: id });
  for (const server of servers) await call('servers.add', { ticketId: id, ...server });
}

const web3 = { label: 'web3', host: '10.77.0.13', user: 'root', auth: 'key' as const, keyFile: '/keys/lab_root' };

describe('servers.library', () => {
  it('offers servers of other tickets once per settings, with their tickets (most recent first), then Host entries of ~/.ssh/config', async () => {
    await ticket('TKT-1', [web3, { label: 'db', host: 'db1' }]);
    await ticket('TKT-2', [{ ...web3, label: 'customer web3' }]);
    await ticket('TKT-3', []);

    const library = await call('servers.library', { ticketId: 'TKT-3' });
    expect(library.map((e) => [e.source, e.label, e.host, e.tickets])).toEqual([
      ['ticket', 'customer web3', '10.77.0.13', ['TKT-2', 'TKT-1']],
      // db1 was attached by its alias alone: the Host entry and the attached server are one entry.
      ['ticket', 'db', 'db1', ['TKT-1']],
      ['ssh-config', 'bastion.acme.example', 'bastion.acme.example', []],
      ['ssh-config', 'db1.acme.example', 'db1.acme.example', []],
      ['ssh-config', 'web1', 'web1', []],
      // `Host *.acme.example` is a pattern, and `box+1` is not a name servers.add takes: neither is offered.
    ]);
    expect(library[0]).toMatchObject({ user: 'root', auth: 'key', keyFile: '/keys/lab_root', port: null, jump: null, lastAttachedAt: expect.any(String) as unknown });
    expect(library.find((e) => e.host === 'db1.acme.example')).toMatchObject({
      configAt: expect.stringMatching(/config\.d\/acme:4$/) as unknown,
      otherNames: ['db1', '10.20.0.15'],
      resolved: { target: 'postgres@10.20.0.15:22', via: ['bastion.acme.example'] },
    });
  });

  it('leaves out what this ticket already has, and searches names, addresses, users and ticket ids', async () => {
    await ticket('TKT-1', [web3]);
    await ticket('TKT-2', [{ label: 'web1', host: 'web1' }]);
    const search = async (query: string) => (await call('servers.library', { ticketId: 'TKT-2', query })).map((e) => e.label);
    expect(await search('')).toEqual(['web3', 'bastion.acme.example', 'db1.acme.example']);
    expect(await search('tkt-1')).toEqual(['web3']);
    expect(await search('10.20.0')).toEqual(['db1.acme.example']); // where it leads, as resolved
    expect(await search('POSTGRES')).toEqual(['db1.acme.example']);
    expect(await search('198.51')).toEqual(['bastion.acme.example']);
    expect(await search('nothing-like-it')).toEqual([]);
    expect(await call('servers.library', { ticketId: 'TKT-2', limit: 1 })).toHaveLength(1);
  });

  it('still offers the servers of other tickets when ~/.ssh/config is broken', async () => {
    writeFileSync(join(dir.path, 'home', '.ssh', 'config'), 'Host\n');
    await ticket('TKT-1', [web3]);
    await ticket('TKT-2', []);
    expect((await call('servers.library', { ticketId: 'TKT-2' })).map((e) => e.label)).toEqual(['web3']);
  });
});
