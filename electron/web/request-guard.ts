import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LAUNCH_TOKEN_PARAM } from '../../shared/bridge.js';
import { BacklineError } from '../../shared/errors.js';

export const tokenCookieName = (port: number): string => `backline_token_${port}`;

/** The names this host answers to. Anything else in Host is a DNS-rebinding attempt. */
export const allowedHosts = (port: number): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
export const allowedOrigins = (port: number): string[] => allowedHosts(port).map((host) => `http://${host}`);

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

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

/** The launch token, as a Bearer header or as the cookie set when the printed URL was opened. */
export function guardToken(req: IncomingMessage, port: number, token: string): void {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const cookie = parseCookies(req.headers.cookie).get(tokenCookieName(port));
  if (!tokensEqual(bearer, token) && !tokensEqual(cookie, token)) {
    throw new BacklineError('UNAUTHORIZED', undefined, {
      hint: `Open the URL with ?${LAUNCH_TOKEN_PARAM}=… that Backline printed when it started.`,
    });
  }
}

export function guardRequest(req: IncomingMessage, port: number, token: string, requireOrigin: boolean): void {
  guardHostAndOrigin(req, port, requireOrigin);
  guardToken(req, port, token);
}
