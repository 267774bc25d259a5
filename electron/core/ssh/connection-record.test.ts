import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ssh2, { type Connection, type Server } from 'ssh2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js';
import type { WireError } from '../../../shared/errors.js';
import { createCore, type Core } from '../core.js';
import { tempDir } from '../testing/temp-dir.js';
import { testHostKey } from './testing/host-key.js';

const { Server: SshServer } = ssh2;

let dir: ReturnType<typeof tempDir>;
let core: Core;
let clock: number;
const closers: (() => void)[] = [];

beforeEach(() => {
  dir = tempDir();
  mkdirSync(join(dir.path, 'home', '.ssh'), { recursive: true });
  clock = Date.parse('2026-11-25T09:00:00.000Z');
  core = createCore({
    dataDir: join(dir.path, 'data'),
    shell: 'browser',
    version: 'test',
    user: 'esc',
    clock: () => new Date((clock += 1000)),
    log: () => undefined,
    ssh: { home: join(dir.path, 'home'), user: 'eng', agentSocket: null, connectTimeoutMs: 3000, keepaliveIntervalS: 0 },
  });
});
afterEach(() => {
  core.close();
  closers.splice(0).forEach((close) => close());
  dir.remove();
});

async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.code} ${result.error.message}`), { wire: result.error });
  return result.value as MethodOutput<K>;
}
async function failure(method: MethodName, input: unknown): Promise<WireError> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (result.ok) throw new Error(`${method} succeeded`);
  return result.error;
}

async function listen(server: Server | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

/** An sshd on loopback that lets anyone in (`none`), and hands us its side of each connection. */
function openServer(onClient: (client: Connection) => void): Server {
  return new SshServer({ hostKeys: [testHostKey()] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () => onClient(client));
  });
}

async function attach(port: number) {
  await call('tickets.create', { id: 'TKT-7', title: 'conn' });
  return call('servers.add', { ticketId: 'TKT-7', label: 'box', host: '127.0.0.1', port });
}

async function connectTrusting(id: number) {
  const unknown = await failure('servers.connect', { id });
  expect(unknown.code).toBe('SSH_HOST_UNKNOWN');
  const key = unknown.detail as { host: string; port: number; fingerprint: string };
  await call('servers.trustHostKey', { id, host: key.host, port: key.port, fingerprint: key.fingerprint });
  return call('servers.connect', { id });
}

const connectionEntries = async () =>
  (await call('audit.list', { ticketId: 'TKT-7' })).filter((e) => e.action.startsWith('ssh.') && e.action !== 'ssh.hostkey.trusted').reverse();

describe('connection problems stay on the row and in the audit', () => {
  it('keeps a failed connect (cleanly worded, with when) on the row until the next connect; the host-key question is not a failure', async () => {
    // A port where nothing listens: take one, then close it.
    const probe = createTcpServer();
    const closedPort = await listen(probe);
    probe.close();
    const server = await attach(closedPort);

    const error = await failure('servers.connect', { id: server.id });
    expect(error.message).toBe(`eng@127.0.0.1:${closedPort} could not be reached: the connection was refused (ECONNREFUSED).`);
    const [row] = await call('servers.list', { ticketId: 'TKT-7' });
    expect(row!.lastError).toEqual({ kind: 'connect', code: 'SSH_UNREACHABLE', message: error.message, hint: error.hint, at: expect.stringMatching(/^2026-11-25T09:00:/) as unknown });
    expect((await connectionEntries()).map((e) => e.action)).toEqual(['ssh.connect-failed']);

    // The same port now answers: the unknown host key asks (nothing recorded), then it connects and the row is clean.
    const sshd = openServer(() => undefined);
    await new Promise<void>((resolve) => sshd.listen(closedPort, '127.0.0.1', resolve));
    closers.push(() => sshd.close());
    const connected = await connectTrusting(server.id);
    expect(connected).toMatchObject({ connection: 'connected', lastError: null });
    expect((await connectionEntries()).map((e) => e.action)).toEqual(['ssh.connect-failed', 'ssh.connected']);
  });

  it('records a disconnect by the engineer, and a connection that was lost, which the row keeps', async () => {
    const clients: Connection[] = [];
    const port = await listen(openServer((client) => clients.push(client)));
    const server = await attach(port);
    await connectTrusting(server.id);

    const disconnected = await call('servers.disconnect', { id: server.id });
    expect(disconnected).toMatchObject({ connection: 'disconnected', lastError: null });
    // Disconnecting what is not connected records nothing more.
    await call('servers.disconnect', { id: server.id });

    await call('servers.connect', { id: server.id });
    // The server drops us.
    clients.at(-1)!.end();
    await expect.poll(async () => (await call('servers.list', { ticketId: 'TKT-7' }))[0]!.connection).toBe('lost');
    const [row] = await call('servers.list', { ticketId: 'TKT-7' });
    expect(row!.lastError).toMatchObject({ kind: 'lost', code: 'SSH_CONNECTION_LOST', message: `The connection to box (eng@127.0.0.1:${port}) was lost.` });

    const entries = await connectionEntries();
    expect(entries.map((e) => e.action)).toEqual(['ssh.connected', 'ssh.disconnected', 'ssh.connected', 'ssh.connection-lost']);
    expect(entries[1]).toMatchObject({ summary: `Disconnected from box (eng@127.0.0.1:${port})`, detail: { serverId: server.id, by: 'engineer' } });
    expect(entries.every((e) => e.detail.serverId === server.id)).toBe(true);
  });
});
