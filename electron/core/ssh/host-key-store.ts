import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { BacklineError } from '../../../shared/errors.js';
import type { HostKeyVerdict, PresentedKey } from './connect.js';
import { sha256Fingerprint } from './fingerprint.js';
import { checkHostKey, formatKnownHostsLine, parseKnownHosts, preferredHostKeyAlgorithms, type ExpectedKey, type KnownHostsEntry } from './known-hosts.js';

const pendingKey = (host: string, port: number) => `${host.toLowerCase()}:${port}`;

/** Read synchronously, so only regular files: a FIFO named known_hosts must not freeze the app. */
const readIfFile = (file: string): string | undefined => {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
};

const describeKeys = (keys: readonly ExpectedKey[]) => keys.map((e) => `${e.keyType} ${e.fingerprint} (${e.file}:${e.line})`).join(', ');

export interface TrustOptions {
  /** The engineer's explicit choice to accept a key of a new type for a host on record under others. */
  acceptKeyTypeChange?: boolean | undefined;
}

/**
 * Host keys the engineer already trusts: their own known_hosts files (read only, never written) and
 * Backline's own, where keys accepted in Backline are appended. Files are re-read at every check, so an
 * edit made in a terminal counts at once.
 */
export class HostKeyStore {
  /**
   * Keys servers presented that were not trusted yet, so "trust" accepts exactly the key that was shown;
   * with the keys on record when the host is known under other types (which takes the explicit override).
   */
  private readonly pending = new Map<string, { key: PresentedKey; knownUnderOtherTypes?: ExpectedKey[] }>();

  constructor(
    private readonly userFiles: readonly string[],
    readonly backlineFile: string,
  ) {}

  private entries(): KnownHostsEntry[] {
    return [...this.userFiles, this.backlineFile].flatMap((file) => {
      const text = readIfFile(file);
      return text === undefined ? [] : parseKnownHosts(text, file).entries;
    });
  }

  /** The host-key algorithms to offer `host`, the types on record for it first (as OpenSSH orders them). */
  hostKeyAlgorithms(host: string, port: number): ServerHostKeyAlgorithm[] {
    return preferredHostKeyAlgorithms(this.entries(), host, port);
  }

  check(host: string, port: number, key: PresentedKey): HostKeyVerdict {
    const result = checkHostKey(this.entries(), host, port, key.keyType, key.keyBase64);
    if (result.status === 'known') return { status: 'known' };
    if (result.status === 'revoked') return { status: 'revoked' };
    if (result.status === 'changed') return { status: 'changed', expected: describeKeys(result.expected) };
    if (result.status === 'type-changed') {
      this.pending.set(pendingKey(host, port), { key, knownUnderOtherTypes: result.known });
      return { status: 'type-changed', known: result.known };
    }
    this.pending.set(pendingKey(host, port), { key });
    return { status: 'unknown' };
  }

  /**
   * Records the key `host` presented, if its fingerprint is the one the engineer confirmed. A host on
   * record under other key types needs `acceptKeyTypeChange`, and only it takes that override.
   */
  trust(host: string, port: number, fingerprint: string, options: TrustOptions = {}): string {
    const pending = this.pending.get(pendingKey(host, port));
    if (!pending) {
      throw new BacklineError('NOT_FOUND', `${host}:${port} has not presented a key to trust in this session.`, {
        hint: 'Connect first; Backline shows the key the server presents and asks.',
      });
    }
    const { key, knownUnderOtherTypes } = pending;
    const presented = sha256Fingerprint(key.keyBase64);
    if (presented !== fingerprint) {
      throw new BacklineError('CONFLICT', `${host}:${port} presented ${presented}, not ${fingerprint}.`, {
        hint: 'The key changed since you were asked: connect again and compare the new fingerprint.',
      });
    }
    if (knownUnderOtherTypes && options.acceptKeyTypeChange !== true) {
      throw new BacklineError(
        'SSH_HOST_KEY_TYPE_CHANGED',
        `${host}:${port} is on record only with ${describeKeys(knownUnderOtherTypes)}; its ${key.keyType} key ${presented} is not trusted by the ordinary Trust.`,
        { hint: 'Confirm the new key with the customer first, then choose "Accept the new key type" explicitly.', detail: { host, port, fingerprint: presented, known: knownUnderOtherTypes } },
      );
    }
    if (!knownUnderOtherTypes && options.acceptKeyTypeChange === true) {
      throw new BacklineError('CONFLICT', `${host}:${port} is not on record under another key type: its key is simply unknown.`, {
        hint: 'Connect again and answer the question Backline asks about this key.',
      });
    }
    mkdirSync(dirname(this.backlineFile), { recursive: true });
    appendFileSync(this.backlineFile, `${formatKnownHostsLine(host, port, key.keyType, key.keyBase64, { hash: true })}\n`, { mode: 0o600 });
    this.pending.delete(pendingKey(host, port));
    return this.backlineFile;
  }
}
