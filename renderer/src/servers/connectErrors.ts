import { hostPort } from '../../../shared/domain/address.js';
import type { WireError } from '../../../shared/errors.js';

/** What an unknown host key looked like, as servers.connect reported it (error.detail). */
export interface UnknownHostKey {
  host: string;
  port: number;
  label: string;
  keyType: string;
  fingerprint: string;
}

/** A key on record for a host (known_hosts file and line), as SSH_HOST_KEY_TYPE_CHANGED lists them. */
export interface RecordedKey {
  keyType: string;
  fingerprint: string;
  file: string;
  line: number;
}

/** What the window does about a failed connect. */
export type ConnectProblem =
  | { kind: 'unknown-host'; key: UnknownHostKey; message: string; hint: string | undefined }
  /** On record under other key types only: shown loudly, with the keys on record; accepting it is an explicit override. */
  | { kind: 'key-type-changed'; key: UnknownHostKey; known: RecordedKey[]; message: string; hint: string | undefined }
  | { kind: 'key-changed'; message: string; hint: string | undefined }
  /**
   * Something to type. `refused`: a login was tried and refused; otherwise this is the first question
   * (nothing was offered yet), which just asks. `ask`: the fields that can help.
   */
  | { kind: 'auth'; message: string; hint: string | undefined; refused: boolean; ask: CredentialFields }
  | { kind: 'notify'; error: WireError };

export interface CredentialFields {
  password: boolean;
  passphrase: boolean;
}

const PASSWORD_METHODS = ['password', 'keyboard-interactive'];

/** Whether the server takes a password, from the methods it said it accepts (unknown: assume it does). */
function takesPassword(detail: WireError['detail']): boolean {
  const accepts = detail?.accepts;
  if (!Array.isArray(accepts)) return true;
  return accepts.some((m) => typeof m === 'string' && PASSWORD_METHODS.includes(m));
}

/** What to ask for after a failed login: a password if the server takes one, a passphrase if a key is locked by one. */
function credentialsProblem(error: WireError): ConnectProblem {
  const password = takesPassword(error.detail);
  if (error.code === 'SSH_CREDENTIALS_NEEDED') {
    const needs = error.detail?.needs;
    if (needs === 'passphrase') return { kind: 'auth', message: error.message, hint: error.hint, refused: false, ask: { passphrase: true, password } };
    if (needs === 'password' || needs === undefined) return { kind: 'auth', message: error.message, hint: error.hint, refused: false, ask: { password: true, passphrase: false } };
    // A key it wants and Backline has none: nothing to type here.
    return { kind: 'notify', error };
  }
  const tried = error.detail?.tried;
  const lockedKey = !Array.isArray(tried) || tried.some((t) => typeof t === 'string' && t.endsWith('(needs its passphrase)'));
  if (!password && !lockedKey) return { kind: 'notify', error };
  return { kind: 'auth', message: error.message, hint: error.hint, refused: true, ask: { password, passphrase: lockedKey || password } };
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

export function unknownHostKeyOf(detail: WireError['detail']): UnknownHostKey | null {
  if (!detail) return null;
  const { host, port, label, keyType, fingerprint } = detail;
  if (typeof host !== 'string' || typeof port !== 'number' || typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint)) return null;
  return {
    host,
    port,
    label: typeof label === 'string' ? label : host,
    keyType: typeof keyType === 'string' ? keyType : 'unknown key type',
    fingerprint,
  };
}

/** The keys on record from a SSH_HOST_KEY_TYPE_CHANGED detail; null unless every one is well formed. */
export function recordedKeysOf(detail: WireError['detail']): RecordedKey[] | null {
  const known = detail?.known;
  if (!Array.isArray(known) || known.length === 0) return null;
  const keys: RecordedKey[] = [];
  for (const item of known as unknown[]) {
    if (typeof item !== 'object' || item === null) return null;
    const { keyType, fingerprint, file, line } = item as Record<string, unknown>;
    if (typeof keyType !== 'string' || typeof fingerprint !== 'string' || typeof file !== 'string' || typeof line !== 'number') return null;
    keys.push({ keyType, fingerprint, file, line });
  }
  return keys;
}

export function connectProblem(error: WireError): ConnectProblem {
  switch (error.code) {
    case 'SSH_HOST_UNKNOWN': {
      const key = unknownHostKeyOf(error.detail);
      // Without a well-formed fingerprint there is nothing to trust: say what happened instead.
      return key ? { kind: 'unknown-host', key, message: error.message, hint: error.hint } : { kind: 'notify', error };
    }
    case 'SSH_HOST_KEY_TYPE_CHANGED': {
      const key = unknownHostKeyOf(error.detail);
      const known = recordedKeysOf(error.detail);
      // Without the keys on both sides there is nothing to decide on: it stays an alarm.
      return key && known ? { kind: 'key-type-changed', key, known, message: error.message, hint: error.hint } : { kind: 'key-changed', message: error.message, hint: error.hint };
    }
    case 'SSH_HOST_KEY_CHANGED':
    case 'SSH_HOST_KEY_REVOKED':
      return { kind: 'key-changed', message: error.message, hint: error.hint };
    case 'SSH_CREDENTIALS_NEEDED':
    case 'SSH_AUTH_FAILED':
      return credentialsProblem(error);
    default:
      return { kind: 'notify', error };
  }
}

/** `host:port`, with brackets around IPv6 addresses as ssh writes them. */
export function keyHostPort(key: Pick<UnknownHostKey, 'host' | 'port'>): string {
  return hostPort(key.host, key.port);
}

/** The secrets to send: only what was typed, so blank fields do not overwrite what the session holds. */
export function secretsOf(password: string, passphrase: string): { password?: string; passphrase?: string } {
  return { ...(password ? { password } : {}), ...(passphrase ? { passphrase } : {}) };
}
