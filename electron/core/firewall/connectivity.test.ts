import { spawn } from 'node:child_process';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectMethod, connectArgv, parseConnect } from './connectivity.js';

/** Runs argv locally without blocking the event loop (the listeners live in this process). */
function run(argv: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const [program = '', ...args] = argv;
    const child = spawn(program, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

const check = async (host: string, port: number, prefer?: ConnectMethod) => parseConnect(await run(connectArgv(host, port, prefer)), host, port);

function listen(host: string, onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      // Clients that only connect (bash, nc) hang up at once; a reset on our reply is expected.
      socket.on('error', () => undefined);
      onConnection(socket);
    });
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;

let http: Server;
let silent: Server;
let http6: Server | null = null;
let closedPort = 0;

beforeAll(async () => {
  http = await listen('127.0.0.1', (s) => s.end('HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  // Accepts and hangs up without a word, like a port that does not speak HTTP.
  silent = await listen('127.0.0.1', (s) => s.destroy());
  http6 = await listen('::1', (s) => s.end('HTTP/1.0 200 OK\r\n\r\n')).catch(() => null);
  const closed = await listen('127.0.0.1', () => undefined);
  closedPort = portOf(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(() => {
  for (const server of [http, silent, http6]) server?.close();
});

describe('connectArgv', () => {
  it('passes host and port as arguments to a fixed script', () => {
    const argv = connectArgv('[2001:db8::7]', 443);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv.slice(3)).toEqual(['backline-connect', '2001:db8::7', '443', 'auto']);
    expect(connectArgv('2001:DB8:0::7', 443).slice(3, 5)).toEqual(['backline-connect', '2001:db8::7']);
    expect(connectArgv('Feeds.Example.NET.', 80).slice(4, 5)).toEqual(['feeds.example.net']);
  });

  it('refuses what is not a host or a port', () => {
    expect(() => connectArgv('a;reboot', 80)).toThrow('characters a host name cannot contain');
    expect(() => connectArgv('203.0.113.0/24', 80)).toThrow('is a CIDR block');
    expect(() => connectArgv('fe80::1%eth0', 80)).toThrow('zone');
    expect(() => connectArgv('203.0.113.7', 0)).toThrow('ports are 1 to 65535');
  });
});

describe('connect check against real local listeners', () => {
  it('reports an open HTTP port as reachable, with the status it answered (curl)', async () => {
    const result = await check('127.0.0.1', portOf(http));
    expect(result).toMatchObject({ reachable: true, conclusive: true, method: 'curl', httpStatus: 400 });
    expect(result.detail).toMatch(/^Connected to 127\.0\.0\.1:\d+ in \d+ ms; it answered HTTP 400\.$/);
  });

  it('reports a port that accepts but does not speak HTTP as reachable', async () => {
    const result = await check('127.0.0.1', portOf(silent));
    expect(result).toMatchObject({ reachable: true, httpStatus: null });
    expect(result.detail).toContain('does not answer HTTP');
  });

  it('reports a closed port as not reachable, saying why', async () => {
    const result = await check('127.0.0.1', closedPort);
    expect(result).toMatchObject({ reachable: false, conclusive: true, method: 'curl' });
    expect(result.detail).toMatch(new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${closedPort}: .*`));
  });

  it('brackets IPv6 addresses for curl', async (context) => {
    if (!http6) return context.skip('no IPv6 loopback here');
    expect(await check('::1', portOf(http6))).toMatchObject({ reachable: true, httpStatus: 200 });
  });

  it("falls back to bash's /dev/tcp", async () => {
    expect(await check('127.0.0.1', portOf(http), 'bash')).toMatchObject({ reachable: true, method: 'bash', detail: `Connected to 127.0.0.1:${portOf(http)} (bash).` });
    expect(await check('127.0.0.1', closedPort, 'bash')).toMatchObject({ reachable: false, conclusive: true, detail: `Cannot connect to 127.0.0.1:${closedPort}: Connection refused.` });
  });

  it('is inconclusive when no tool is installed', async () => {
    const output = await run(['/bin/sh', ...connectArgv('127.0.0.1', portOf(http)).slice(1)], { PATH: '/nonexistent' });
    expect(parseConnect(output, '127.0.0.1', portOf(http))).toMatchObject({ reachable: false, conclusive: false, method: null });
  });
});

describe('parseConnect', () => {
  it('reads a connect timeout as "no answer"', () => {
    const output = "##method curl\n##rc 28\ncurl: (28) Failed to connect to 203.0.113.7 port 80 after 3001 ms: Timeout was reached\n##curl 000 0.000000\n";
    expect(parseConnect(output, '203.0.113.7', 80)).toMatchObject({ reachable: false, conclusive: true, detail: 'No answer from 203.0.113.7:80 within 3 s: packets are dropped on the way or the host is down.' });
  });

  it('reads a slow answer after connecting as reachable', () => {
    const output = '##method curl\n##rc 28\ncurl: (28) Operation timed out after 6001 milliseconds with 0 bytes received\n##curl 000 0.012000\n';
    expect(parseConnect(output, '203.0.113.8', 80)).toMatchObject({ reachable: true, detail: expect.stringContaining('Connected to 203.0.113.8:80 in 12 ms') as unknown });
  });

  it('reads nc and a missing nc', () => {
    expect(parseConnect('##method nc\n##rc 0\n', 'h.example', 22)).toMatchObject({ reachable: true, method: 'nc' });
    expect(parseConnect('##method nc\n##rc 1\n', 'h.example', 22)).toMatchObject({ reachable: false, conclusive: true, detail: 'Cannot connect to h.example:22: nc exit 1.' });
    expect(parseConnect('##method nc\n##rc 127\nsh: 1: nc: not found\n', 'h.example', 22)).toMatchObject({ conclusive: false });
  });

  it('is inconclusive on output it does not recognise', () => {
    expect(parseConnect('Permission denied', 'h.example', 22)).toMatchObject({ conclusive: false, detail: 'Could not test h.example:22: Permission denied.' });
  });
});
