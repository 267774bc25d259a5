import { describe, expect, it } from 'vitest';
import { handshakeConcurrencyFrom } from './handshake-concurrency.js';
import { HANDSHAKE_CONCURRENCY } from './sessions.js';

describe('handshakeConcurrencyFrom', () => {
  it('takes the default when unset or empty', () => {
    expect(handshakeConcurrencyFrom({})).toBe(HANDSHAKE_CONCURRENCY);
    expect(handshakeConcurrencyFrom({ BACKLINE_SSH_HANDSHAKES: ' ' })).toBe(HANDSHAKE_CONCURRENCY);
  });

  it('takes a whole number in range', () => {
    expect(handshakeConcurrencyFrom({ BACKLINE_SSH_HANDSHAKES: '4' })).toBe(4);
    expect(handshakeConcurrencyFrom({ BACKLINE_SSH_HANDSHAKES: '256' })).toBe(256);
  });

  it.each(['0', '-3', '2.5', 'lots', '257', '1e2'])('refuses %j, saying what to set', (raw) => {
    expect(() => handshakeConcurrencyFrom({ BACKLINE_SSH_HANDSHAKES: raw })).toThrow(/BACKLINE_SSH_HANDSHAKES must be a whole number from 1 to 256/);
  });
});
