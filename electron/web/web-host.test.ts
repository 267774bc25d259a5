import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { EVENTS_PROTOCOL, eventsProtocols, invokePath, launchTokenOf, webPaths } from '../../shared/bridge.js';
import type { MethodName } from '../../shared/contract/index.js';
import { createCore, type Core } from '../core/core.js';
import { tempDir } from '../core/testing/temp-dir.js';
import { startWebHost, type WebHost } from './web-host.js';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let host: WebHost;

beforeEach(async () => {
  dir = tempDir();
  const renderer = join(dir.path, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Backline</title>');
  core = createCore({ dataDir: join(dir.path, 'data'), shell: 'browser', version: 't', log: () => undefined });
  host = await startWebHost({ core, rendererDir: renderer });
});
afterEach(async () => {
  await host.close();
  core.close();
  dir.remove();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const origin = () => `http://127.0.0.1:${host.port}`;
const authed = (extra: Record<string, string> = {}) => ({
  Origin: origin(),
  'Content-Type': 'application/json',
  Authorization: `Bearer ${host.token}`,
  ...extra,
});
const invoke = (method: MethodName, input: unknown, headers: Record<string, string> = authed()) =>
  send(invokePath(method), { method: 'POST', headers, body: JSON.stringify(input) });

describe('web host', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token in its fragment, which no request carries', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(launchTokenOf(new URL(host.url).hash)).toBe(host.token);
    expect(host.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('serves the app with the CSP and no credential: the page holds no secret, and no cookie is set', async () => {
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Backline</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('lets the browser keep a hashed asset for good, with the same security headers, and never stores the page', async () => {
    mkdirSync(join(dir.path, 'renderer', 'assets'));
    writeFileSync(join(dir.path, 'renderer', 'assets', 'index-CpNdxetv.js'), 'export {};');
    const asset = await send('/assets/index-CpNdxetv.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toContain("script-src 'self'");
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect((await send('/')).headers['cache-control']).toBe('no-store');
    expect((await send('/t/TKT-1')).headers['cache-control']).toBe('no-store');
    // Under a foreign Host nothing is served, cacheable or not.
    const rebound = await send('/assets/index-CpNdxetv.js', { headers: { Host: `rebind.example:${host.port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.headers['cache-control']).toBe('no-store');
  });

  it('never redirects, so a token in the query leads nowhere (was: /.//evil.example/?token=… redirected to //evil.example/)', async () => {
    for (const path of [`/.//evil.example/?token=${host.token}`, `//evil.example/?token=${host.token}`, `/\\evil.example/?token=${host.token}`, `/?token=${host.token}`]) {
      const reply = await send(path);
      expect([200, 404], path).toContain(reply.status);
      expect(reply.headers.location, path).toBeUndefined();
      expect(reply.headers['set-cookie'], path).toBeUndefined();
    }
  });

  it('serves the page only under our own host name (DNS rebinding)', async () => {
    expect((await send('/', { headers: { Host: `rebind.example:${host.port}` } })).status).toBe(403);
  });

  it('answers a valid call', async () => {
    const reply = await invoke('tickets.create', { id: 'TKT-48213', title: 'Site down' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { id: 'TKT-48213' } });
  });

  it('refuses a call without the token, and changes nothing', async () => {
    const { Authorization: _token, ...noToken } = authed();
    const reply = await invoke('tickets.create', { id: 'TKT-1', title: 'x' }, noToken);
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(JSON.parse((await invoke('tickets.list', {})).body)).toEqual({ ok: true, value: [] });
  });

  it('takes no cookie as a credential, nor the token anywhere but the Authorization header', async () => {
    const { Authorization: _token, ...rest } = authed();
    for (const headers of [
      { ...rest, Cookie: `backline_token_${host.port}=${host.token}` },
      { ...rest, Authorization: `Basic ${host.token}` },
      { ...rest, Authorization: `Bearer ${host.token}x` },
    ]) {
      expect((await invoke('tickets.list', {}, headers)).status).toBe(401);
    }
    const query = await send(`${invokePath('tickets.list')}?token=${host.token}`, { method: 'POST', headers: rest, body: '{}' });
    expect(query.status).toBe(401);
  });

  it('refuses a foreign Origin even with the token (CSRF), and a missing one on API calls', async () => {
    const foreign = await invoke('tickets.create', { id: 'TKT-1', title: 'x' }, authed({ Origin: 'http://evil.example' }));
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: { code: 'FORBIDDEN_ORIGIN' } });
    const { Origin: _origin, ...noOrigin } = authed();
    expect((await invoke('tickets.list', {}, noOrigin)).status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    const reply = await invoke('tickets.list', {}, authed({ Host: `rebind.example:${host.port}` }));
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'FORBIDDEN_HOST' } });
  });

  it('refuses a payload that fails its schema with the fields named, and changes nothing', async () => {
    const reply = await invoke('tickets.create', { id: 'DROP TABLE', title: 42 });
    expect(reply.status).toBe(400);
    const body = JSON.parse(reply.body) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['id', 'title']);
    expect(JSON.parse((await invoke('tickets.list', {})).body)).toEqual({ ok: true, value: [] });
  });

  it('refuses a body that is not JSON', async () => {
    const reply = await send(invokePath('tickets.list' satisfies MethodName), { method: 'POST', headers: authed(), body: '{nope' });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.' } });
  });

  it('does not serve files outside the renderer folder', async () => {
    const reply = await send('/..%2f..%2fdata/backline.sqlite', { headers: authed() });
    const dotted = await send('/assets/..%2f..%2f..%2fetc/passwd.js', { headers: authed() });
    expect(dotted.status).toBe(404);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('SQLite');
  });

  it('answers a malformed % escape with 404, in a page path and in a method name, and logs no stack', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const page = await send('/%E0%A4%A', { headers: authed() });
      const asset = await send('/assets/%zz.js', { headers: authed() });
      const call = await send(`${webPaths.invoke}%E0`, { method: 'POST', headers: authed(), body: '{}' });
      expect([page.status, asset.status, call.status]).toEqual([404, 404, 404]);
      expect(JSON.parse(call.body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });

  it('answers a request target that is not a path with 400, and keeps serving', async () => {
    for (const target of ['http://[', 'http://[::1', '*']) {
      const reply = await send(target, { headers: authed() });
      expect(reply.status, target).toBe(400);
    }
    expect((await invoke('tickets.list', {})).status).toBe(200);
  });

  it('pushes events over the WebSocket to our origin only, authenticated by a subprotocol', async () => {
    const url = `ws://127.0.0.1:${host.port}${webPaths.events}`;
    const refusal = (socket: WebSocket) => new Promise<number>((resolve) => socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(await refusal(new WebSocket(url, eventsProtocols(host.token), { headers: { Origin: 'http://evil.example' } }))).toBe(403);
    expect(await refusal(new WebSocket(url, [EVENTS_PROTOCOL], { headers: { Origin: origin() } }))).toBe(401);
    expect(await refusal(new WebSocket(url, eventsProtocols('0'.repeat(48)), { headers: { Origin: origin() } }))).toBe(401);
    expect(await refusal(new WebSocket(url, [EVENTS_PROTOCOL], { headers: { Origin: origin(), Cookie: `backline_token_${host.port}=${host.token}` } }))).toBe(401);

    const socket = new WebSocket(url, eventsProtocols(host.token), { headers: { Origin: origin() } });
    await new Promise((resolve) => socket.on('open', resolve));
    // The host answers with the events protocol, never echoing the one that carries the token.
    expect(socket.protocol).toBe(EVENTS_PROTOCOL);
    const received = new Promise<{ event: string; payload: { action: string } }>((resolve) =>
      socket.on('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as { event: string; payload: { action: string } })),
    );
    await invoke('tickets.create', { id: 'TKT-2', title: 'Events' });
    expect(await received).toMatchObject({ event: 'audit.appended', payload: { action: 'ticket.created' } });
    socket.close();
  });

  describe('survives any WebSocket frame', () => {
    // An error nobody listens for is thrown out of the socket's data handler: in the real process, the end of it.
    const uncaught: unknown[] = [];
    const monitor = (error: unknown): void => void uncaught.push(error);
    beforeEach(() => {
      uncaught.length = 0;
      process.on('uncaughtExceptionMonitor', monitor);
    });
    afterEach(() => {
      process.off('uncaughtExceptionMonitor', monitor);
    });

    /** A client frame as the RFC builds it: FIN + opcode, then the length, then (if masked) a zero mask and the payload. */
    function frame(first: number, payload: Buffer, { masked = true, length = payload.length }: { masked?: boolean; length?: number | bigint } = {}): Buffer {
      const maskBit = masked ? 0x80 : 0;
      let header: Buffer;
      if (typeof length === 'bigint' || length > 0xffff) {
        header = Buffer.alloc(10);
        header[1] = maskBit | 127;
        header.writeBigUInt64BE(BigInt(length), 2);
      } else if (length > 125) {
        header = Buffer.alloc(4);
        header[1] = maskBit | 126;
        header.writeUInt16BE(length, 2);
      } else {
        header = Buffer.alloc(2);
        header[1] = maskBit | length;
      }
      header[0] = first;
      return Buffer.concat([header, masked ? Buffer.alloc(4) : Buffer.alloc(0), payload]);
    }

    /** Opens the events socket by hand, so the test can write any bytes after the handshake. */
    function openRawSocket(): Promise<{ socket: Socket; closed: Promise<void> }> {
      return new Promise((resolve, reject) => {
        const socket = connect(host.port, '127.0.0.1');
        const closed = new Promise<void>((done) => socket.on('close', () => done()));
        socket.on('error', () => undefined);
        let head = '';
        const onData = (chunk: Buffer): void => {
          head += chunk.toString('latin1');
          if (!head.includes('\r\n\r\n')) return;
          socket.off('data', onData);
          if (head.startsWith('HTTP/1.1 101')) resolve({ socket, closed });
          else reject(new Error(`no upgrade: ${head}`));
        };
        socket.on('data', onData);
        const headers = {
          Host: `127.0.0.1:${host.port}`,
          Upgrade: 'websocket',
          Connection: 'Upgrade',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version': '13',
          Origin: origin(),
          'Sec-WebSocket-Protocol': eventsProtocols(host.token).join(', '),
        };
        socket.write(`GET ${webPaths.events} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
      });
    }

    it.each([
      ['an oversized message', frame(0x81, Buffer.alloc(0), { length: 1024 * 1024 })],
      ['a length past 2^53', frame(0x82, Buffer.alloc(0), { length: 2n ** 63n })],
      ['a reserved opcode', frame(0x83, Buffer.from('hi'))],
      ['a reserved control opcode', frame(0x8b, Buffer.alloc(0))],
      ['text that is not UTF-8', frame(0x81, Buffer.from([0xc3, 0x28, 0xff, 0xfe]))],
      ['an unmasked client frame', frame(0x81, Buffer.from('hi'), { masked: false })],
      ['RSV bits with no extension', frame(0xc1, Buffer.from('hi'))],
      ['a fragmented ping', frame(0x09, Buffer.from('hi'))],
      ['a control frame over 125 bytes', frame(0x89, Buffer.alloc(200))],
      ['a continuation with nothing to continue', frame(0x80, Buffer.from('hi'))],
      ['a close with an invalid code', frame(0x88, Buffer.from([0x03, 0xe7]))],
    ])('closes the socket on %s and keeps serving', async (_what, bytes) => {
      const { socket, closed } = await openRawSocket();
      socket.write(bytes);
      await closed;
      expect(uncaught).toEqual([]);
      expect((await invoke('tickets.list', {})).status).toBe(200);
      const again = await openRawSocket();
      again.socket.destroy();
      await again.closed;
    });

    it('keeps serving when a client resets the connection mid-handshake or mid-frame', async () => {
      const { socket, closed } = await openRawSocket();
      socket.write(frame(0x81, Buffer.alloc(0), { length: 1000 }).subarray(0, 8));
      socket.resetAndDestroy();
      await closed;
      const half = connect(host.port, '127.0.0.1');
      half.on('error', () => undefined);
      await new Promise<void>((resolve) => half.on('connect', () => resolve()));
      half.write(`GET ${webPaths.events} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\n`);
      half.resetAndDestroy();
      expect((await invoke('tickets.list', {})).status).toBe(200);
      expect(uncaught).toEqual([]);
    });
  });
});
