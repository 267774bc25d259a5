import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LAUNCH_TOKEN_PARAM, TOKEN_PROTOCOL_PREFIX } from '../../shared/bridge.js';
import { BacklineError } from '../../shared/errors.js';

/** The names this host answers to. Anything else in Host is a DNS-rebinding attempt. */
export const allowedHosts = (port: number): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
export const allowedOrigins = (port: number): string[] => allowedHosts(port).map((host) => `http://${host}`);

export function tokensEqual(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks that a request names our host (anything else is DNS rebinding) and, when it carries an
 * Origin or must, that it comes from our own page. Pages opened by typing the URL carry no Origin;
 * API calls and sockets must.
 */
export function guardHostAndOrigin(req: IncomingMessage, port: number, requireOrigin: boolean): void {
  const host = req.headers.host;
  if (!host || !allowedHosts(port).includes(host.toLowerCase())) {
    throw new BacklineError('FORBIDDEN_HOST', `Backline answers only to 127.0.0.1:${port}, not "${host ?? ''}".`, {
      hint: 'Open the URL Backline printed when it started.',
    });
  }
  const origin = req.headers.origin;
  if (origin !== undefined || requireOrigin) {
    if (!origin || !allowedOrigins(port).includes(origin.toLowerCase())) {
      throw new BacklineError('FORBIDDEN_ORIGIN', `Requests from "${origin ?? 'no origin'}" are refused.`, {
        hint: 'Only the Backline page itself may call Backline.',
      });
    }
  }
}

/** The token offered among a WebSocket's subprotocols (browsers cannot set headers on one). */
function protocolToken(header: string | undefined): string | undefined {
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))
    ?.slice(TOKEN_PROTOCOL_PREFIX.length);
}

/**
 * The launch token, as a Bearer header (calls) or a subprotocol (the events socket). A cookie is never
 * a credential here: browsers send cookies to every port of 127.0.0.1.
 */
export function guardToken(req: IncomingMessage, token: string): void {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!tokensEqual(bearer, token) && !tokensEqual(protocolToken(req.headers['sec-websocket-protocol']), token)) {
    throw new BacklineError('UNAUTHORIZED', undefined, {
      hint: `Open the URL (…/#${LAUNCH_TOKEN_PARAM}=…) that Backline printed when it started; the token changes at every launch.`,
    });
  }
}

export function guardRequest(req: IncomingMessage, port: number, token: string, requireOrigin: boolean): void {
  guardHostAndOrigin(req, port, requireOrigin);
  guardToken(req, token);
}
