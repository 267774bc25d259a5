import { eventsProtocols, invokePath, webPaths, type BacklineBridge, type WireResult } from '../../../shared/bridge.js';
import { BacklineError, isErrorCode, type WireError } from '../../../shared/errors.js';

function asWireResult(body: unknown, status: number): WireResult {
  if (typeof body === 'object' && body !== null && 'ok' in body) return body as WireResult;
  const error: WireError = { code: 'INTERNAL', message: `Backline's host answered with status ${status} and no result.` };
  return { ok: false, error };
}

/**
 * The browser shell's bridge: calls are POSTs to the web host carrying the launch token as
 * `Authorization: Bearer`; events arrive on one WebSocket, which carries the token as a subprotocol
 * (browsers cannot set its headers) and reconnects if the host restarts. No cookie is involved.
 */
export function createWebBridge(token: () => string | null, location: Location = window.location): BacklineBridge {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  let socket: WebSocket | null = null;
  let retry = 0;

  const connect = (): void => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${webPaths.events}`, eventsProtocols(token() ?? ''));
    socket = ws;
    ws.onopen = () => {
      retry = 0;
    };
    ws.onmessage = (message: MessageEvent<string>) => {
      const { event, payload } = JSON.parse(message.data) as { event: string; payload: unknown };
      for (const listener of listeners) listener(event, payload);
    };
    ws.onclose = () => {
      socket = null;
      if (listeners.size > 0) setTimeout(connect, Math.min(5000, 250 * 2 ** retry++));
    };
  };

  return {
    async invoke(method, input) {
      let response: Response;
      try {
        response = await fetch(invokePath(method), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token() ?? ''}` },
          body: JSON.stringify(input ?? {}),
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch {
        return {
          ok: false,
          error: new BacklineError('INTERNAL', 'Backline is not answering.', {
            hint: 'The Backline process may have stopped: start it again and reload this page.',
          }).toWire(),
        };
      }
      const body: unknown = await response.json().catch(() => null);
      const result = asWireResult(body, response.status);
      if (!result.ok && !isErrorCode(result.error.code)) {
        return { ok: false, error: { code: 'INTERNAL', message: result.error.message } };
      }
      return result;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) socket?.close();
      };
    },
  };
}
