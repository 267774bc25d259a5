import { BacklineError } from '../../../shared/errors.js';
import { HANDSHAKE_CONCURRENCY } from './sessions.js';

/** The most handshakes at once an engineer may ask for: beyond this the bound no longer protects anything. */
export const MAX_HANDSHAKE_CONCURRENCY = 256;

/**
 * How many SSH handshakes run at once (BACKLINE_SSH_HANDSHAKES): a fan-out to 200 new servers queues
 * the rest, so key exchanges do not thrash a laptop's cores. Unset means the default; anything but a
 * whole number in range stops the start with a message saying what to set.
 */
export function handshakeConcurrencyFrom(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.BACKLINE_SSH_HANDSHAKES?.trim();
  if (raw === undefined || raw === '') return HANDSHAKE_CONCURRENCY;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_HANDSHAKE_CONCURRENCY) {
    throw new BacklineError('VALIDATION_FAILED', `BACKLINE_SSH_HANDSHAKES must be a whole number from 1 to ${MAX_HANDSHAKE_CONCURRENCY}, not "${raw}".`, {
      hint: `Unset it for the default (${HANDSHAKE_CONCURRENCY} handshakes at once), or set a number such as 8.`,
    });
  }
  return value;
}
