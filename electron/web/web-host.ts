import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS_PROTOCOL, launchUrl, MAX_CALL_BYTES, webPaths } from '../../shared/bridge.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.js';
import { BacklineError, errorCodes, type WireError } from '../../shared/errors.js';
import type { Core } from '../core/core.js';
import { deepLinkRedirect } from './deep-link.js';
import { guardHostAndOrigin, guardRequest } from './request-guard.js';
import { decodePath, requestUrl } from './request-url.js';
import { readRendererFile } from './static-files.js';

const MAX_BODY_BYTES = MAX_CALL_BYTES;

export interface WebHostOptions {
  core: Core;
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
}

export interface WebHost {
  /** The URL to open, carrying the launch token in its fragment. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const securityHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The token is in a fragment, which no Referer carries; and no path of ours is anyone else's business.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

function sendError(res: ServerResponse, error: WireError): void {
  send(res, errorCodes[error.code].status, 'application/json', JSON.stringify({ ok: false, error }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BacklineError('PAYLOAD_TOO_LARGE', `Requests are limited to ${MAX_BODY_BYTES / 1024 / 1024} MiB.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The browser shell's host: serves the built renderer and binds the contract over HTTP (calls) and a
 * WebSocket (events), on 127.0.0.1 only, behind a per-launch token and Host/Origin checks.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const { core } = options;
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let isApi = false;
    try {
      const url = requestUrl(req.url);
      isApi = url.pathname.startsWith(webPaths.api);
      if (isApi) {
        guardRequest(req, port, token, true);
        if (req.method !== 'POST' || !url.pathname.startsWith(webPaths.invoke)) {
          throw new BacklineError('UNKNOWN_METHOD', `${req.method ?? ''} ${url.pathname} is not part of Backline's API.`);
        }
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
          throw new BacklineError('VALIDATION_FAILED', 'Calls must send JSON (Content-Type: application/json).');
        }
        const text = await readBody(req);
        let input: unknown;
        try {
          input = text === '' ? {} : JSON.parse(text);
        } catch {
          throw new BacklineError('VALIDATION_FAILED', 'The request body is not valid JSON.', { hint: 'Nothing was changed.' });
        }
        const name = decodePath(url.pathname.slice(webPaths.invoke.length));
        if (name === null) throw new BacklineError('UNKNOWN_METHOD', `${url.pathname} names no action: its % escapes are malformed.`);
        const result = await core.dispatch(name, input, { shell: 'browser' });
        if (result.ok) send(res, 200, 'application/json', JSON.stringify(result));
        else sendError(res, result.error);
        return;
      }
      // The page itself holds no secret and needs no token (the token is in the fragment, which is never
      // sent): it only has to name our host, so a rebound name gets nothing.
      guardHostAndOrigin(req, port, false);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new BacklineError('UNKNOWN_METHOD', `${req.method ?? ''} is not served here.`);
      const ticketRoute = deepLinkRedirect(url.pathname);
      if (ticketRoute) {
        send(res, 302, 'text/plain; charset=utf-8', '', { Location: ticketRoute });
        return;
      }
      const file = await readRendererFile(options.rendererDir, url.pathname);
      if (!file) throw new BacklineError('NOT_FOUND', `${url.pathname} is not part of Backline.`);
      send(res, 200, file.type, file.body, { 'Cache-Control': file.cacheControl });
    } catch (error) {
      const wire = error instanceof BacklineError ? error.toWire() : new BacklineError('INTERNAL').toWire();
      if (!(error instanceof BacklineError)) console.error('[backline] web host:', error);
      if (isApi) sendError(res, wire);
      else send(res, errorCodes[wire.code].status, 'text/plain; charset=utf-8', `${wire.message}\n${wire.hint ?? ''}\n`);
    }
  };

  const server = createServer((req, res) => {
    // handle answers every error itself; this catches only a failure to answer, which must not take the host down.
    handle(req, res).catch((error: unknown) => {
      console.error('[backline] web host could not answer:', error);
      res.destroy();
    });
  });
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // The page asks for the events protocol and one carrying the token; only the first is ever answered.
    handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    // A client that resets the connection, before or after the handshake, must not take the host down.
    socket.on('error', () => socket.destroy());
    try {
      if (requestUrl(req.url).pathname !== webPaths.events) throw new BacklineError('NOT_FOUND');
      guardRequest(req, port, token, true);
    } catch (error) {
      const wire = error instanceof BacklineError ? error.toWire() : new BacklineError('INTERNAL').toWire();
      socket.end(`HTTP/1.1 ${errorCodes[wire.code].status} ${wire.code}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ ok: false, error: wire })}`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const unsubscribe = core.events.subscribe((event, payload) => ws.send(JSON.stringify({ event, payload })));
      ws.on('close', unsubscribe);
      // A frame ws cannot accept (oversized, reserved opcode, bad UTF-8, unmasked...) is an error event, after
      // which ws closes the socket with the right code; with no listener it would be thrown and end the process.
      ws.on('error', () => ws.terminate());
      // The socket carries events only; anything the page sends is ignored.
      ws.on('message', () => undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: launchUrl(`http://127.0.0.1:${port}`, token),
    port,
    token,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
