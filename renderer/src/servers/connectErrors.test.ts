import { describe, expect, it } from 'vitest';
import { connectProblem, keyHostPort, recordedKeysOf, secretsOf, unknownHostKeyOf } from './connectErrors.js';

const fingerprint = 'SHA256:Gw+B8D3h0KnMNZPRPVl6NQalnnlRNylb4SCwixTvBGE';
const detail = { host: '10.77.0.11', port: 22, label: 'web1', keyType: 'ssh-ed25519', keyBase64: 'AAAA', fingerprint };

describe('connectProblem', () => {
  it('offers to trust an unknown host key, with the fingerprint exactly as given', () => {
    const problem = connectProblem({ code: 'SSH_HOST_UNKNOWN', message: 'web1 presented a host key…', hint: 'Compare…', detail });
    expect(problem).toEqual({
      kind: 'unknown-host',
      key: { host: '10.77.0.11', port: 22, label: 'web1', keyType: 'ssh-ed25519', fingerprint },
      message: 'web1 presented a host key…',
      hint: 'Compare…',
    });
  });

  it('does not offer trust when the detail is missing or malformed', () => {
    expect(connectProblem({ code: 'SSH_HOST_UNKNOWN', message: 'x' }).kind).toBe('notify');
    expect(connectProblem({ code: 'SSH_HOST_UNKNOWN', message: 'x', detail: { ...detail, fingerprint: 'MD5:aa' } }).kind).toBe('notify');
    expect(connectProblem({ code: 'SSH_HOST_UNKNOWN', message: 'x', detail: { ...detail, port: '22' } }).kind).toBe('notify');
  });

  it('treats a changed or revoked key as an alarm, never as something to trust', () => {
    expect(connectProblem({ code: 'SSH_HOST_KEY_CHANGED', message: 'HOST KEY CHANGED', hint: 'h', detail })).toEqual({ kind: 'key-changed', message: 'HOST KEY CHANGED', hint: 'h' });
    expect(connectProblem({ code: 'SSH_HOST_KEY_REVOKED', message: 'revoked', detail }).kind).toBe('key-changed');
  });

  it('shows a key of another type than those on record as its own state, with both sides, never as unknown', () => {
    const known = [{ keyType: 'ecdsa-sha2-nistp256', fingerprint: 'SHA256:Yt3MabrIP8bl4kxOB5lkDzmfOCyADGMTcLTSYRCxhbE', file: '/home/eng/.ssh/known_hosts', line: 3 }];
    const problem = connectProblem({ code: 'SSH_HOST_KEY_TYPE_CHANGED', message: 'HOST KEY TYPE CHANGED', hint: 'h', detail: { ...detail, known } });
    expect(problem).toEqual({
      kind: 'key-type-changed',
      key: { host: '10.77.0.11', port: 22, label: 'web1', keyType: 'ssh-ed25519', fingerprint },
      known,
      message: 'HOST KEY TYPE CHANGED',
      hint: 'h',
    });
    // Malformed: an alarm, with no way to accept anything.
    expect(connectProblem({ code: 'SSH_HOST_KEY_TYPE_CHANGED', message: 'm', detail }).kind).toBe('key-changed');
    expect(connectProblem({ code: 'SSH_HOST_KEY_TYPE_CHANGED', message: 'm', detail: { ...detail, known: [{ keyType: 'x' }] } }).kind).toBe('key-changed');
    expect(connectProblem({ code: 'SSH_HOST_KEY_TYPE_CHANGED', message: 'm', detail: { ...detail, fingerprint: 'MD5:aa', known } }).kind).toBe('key-changed');
    expect(recordedKeysOf({ known: [] })).toBeNull();
  });

  it('asks for credentials when the login was refused, with both fields when it is not known what would help', () => {
    expect(connectProblem({ code: 'SSH_AUTH_FAILED', message: 'refused', hint: 'h' })).toEqual({
      kind: 'auth',
      message: 'refused',
      hint: 'h',
      refused: true,
      ask: { password: true, passphrase: true },
    });
  });

  it("just asks a password-only server's first question: no refusal, the password field only", () => {
    const problem = connectProblem({
      code: 'SSH_CREDENTIALS_NEEDED',
      message: 'bl-ops@10.77.0.12:22 asks for a password.',
      hint: "Or log in with a key instead: ssh-agent, or the server's key file.",
      detail: { needs: 'password', accepts: ['password', 'keyboard-interactive'] },
    });
    expect(problem).toEqual({
      kind: 'auth',
      message: 'bl-ops@10.77.0.12:22 asks for a password.',
      hint: "Or log in with a key instead: ssh-agent, or the server's key file.",
      refused: false,
      ask: { password: true, passphrase: false },
    });
  });

  it('asks for a locked key’s passphrase (and the password, when the server takes one); a key it lacks is only announced', () => {
    const locked = { code: 'SSH_CREDENTIALS_NEEDED' as const, message: 'The key … needs its passphrase.' };
    expect(connectProblem({ ...locked, detail: { needs: 'passphrase', accepts: ['publickey'] } })).toMatchObject({ refused: false, ask: { passphrase: true, password: false } });
    expect(connectProblem({ ...locked, detail: { needs: 'passphrase', accepts: ['publickey', 'password'] } })).toMatchObject({ ask: { passphrase: true, password: true } });
    expect(connectProblem({ code: 'SSH_CREDENTIALS_NEEDED', message: 'm', detail: { needs: 'key', accepts: ['publickey'] } }).kind).toBe('notify');
  });

  it('does not ask for a password a keys-only server would never take after refusing the keys', () => {
    expect(connectProblem({ code: 'SSH_AUTH_FAILED', message: 'm', detail: { accepts: ['publickey'], tried: ['public key'] } }).kind).toBe('notify');
    expect(connectProblem({ code: 'SSH_AUTH_FAILED', message: 'm', detail: { accepts: ['publickey'], tried: ['ssh-agent', '/k (needs its passphrase)'] } })).toMatchObject({
      kind: 'auth',
      ask: { password: false, passphrase: true },
    });
  });

  it('announces everything else', () => {
    for (const code of ['SSH_UNREACHABLE', 'SSH_TIMEOUT', 'SSH_CONNECTION_LOST', 'SSH_SECOND_FACTOR', 'VALIDATION_FAILED'] as const) {
      expect(connectProblem({ code, message: 'm' })).toEqual({ kind: 'notify', error: { code, message: 'm' } });
    }
  });
});

describe('helpers', () => {
  it('defaults label and key type', () => {
    expect(unknownHostKeyOf({ host: 'h', port: 2222, fingerprint })).toEqual({ host: 'h', port: 2222, label: 'h', keyType: 'unknown key type', fingerprint });
  });
  it('writes host:port as ssh does', () => {
    expect(keyHostPort({ host: 'web1', port: 22 })).toBe('web1:22');
    expect(keyHostPort({ host: '2001:db8::1', port: 22 })).toBe('[2001:db8::1]:22');
  });
  it('sends only the secrets that were typed', () => {
    expect(secretsOf('', '')).toEqual({});
    expect(secretsOf('pw', '')).toEqual({ password: 'pw' });
    expect(secretsOf('', 'pp')).toEqual({ passphrase: 'pp' });
  });
});
