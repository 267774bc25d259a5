import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BacklineError } from '../../../shared/errors.js';
import type { HostKeyVerdict, PresentedKey } from './connect.js';
import { sha256Fingerprint } from './fingerprint.js';
import { checkHostKey, formatKnownHostsLine, parseKnownHosts, type KnownHostsEntry } from './known-hosts.js';

const pendingKey = (host: string, port: number) => `${host.toLowerCase()}:${port}`;

/**
 * Host keys the engineer already trusts: their own known_hosts files (read only, never written) and
 * Backline's own, where keys accepted in Backline are appended. Files are re-read at every check, so an
 * edit made in a terminal counts at once.
 */
export class HostKeyStore {
  /** Keys servers presented that were not trusted yet, so "trust" accepts exactly the key that was shown. */
  private readonly pending = new Map<string, PresentedKey>();

  constructor(
    private readonly userFiles: readonly string[],
    readonly backlineFile: string,
  ) {}

  private entries(): KnownHostsEntry[] {
    return [...this.userFiles, this.backlineFile].flatMap((file) =>
      existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8'), file).entries : [],
    );
  }

  check(host: string, port: number, key: PresentedKey): HostKeyVerdict {
    const result = checkHostKey(this.entries(), host, port, key.keyType, key.keyBase64);
    if (result.status === 'known') return { status: 'known' };
    if (result.status === 'revoked') return { status: 'revoked' };
    if (result.status === 'changed') {
      const expected = result.expected.map((e) => `${e.keyType} ${e.fingerprint} (${e.file}:${e.line})`).join(', ');
      return { status: 'changed', expected };
    }
    this.pending.set(pendingKey(host, port), key);
    return { status: 'unknown' };
  }

  /** Records the key `host` presented, if its fingerprint is the one the engineer confirmed. */
  trust(host: string, port: number, fingerprint: string): string {
    const key = this.pending.get(pendingKey(host, port));
    if (!key) {
      throw new BacklineError('NOT_FOUND', `${host}:${port} has not presented a key to trust in this session.`, {
        hint: 'Connect first; Backline shows the key the server presents and asks.',
      });
    }
    const presented = sha256Fingerprint(key.keyBase64);
    if (presented !== fingerprint) {
      throw new BacklineError('CONFLICT', `${host}:${port} presented ${presented}, not ${fingerprint}.`, {
        hint: 'The key changed since you were asked: connect again and compare the new fingerprint.',
      });
    }
    mkdirSync(dirname(this.backlineFile), { recursive: true });
    appendFileSync(this.backlineFile, `${formatKnownHostsLine(host, port, key.keyType, key.keyBase64, { hash: true })}\n`, { mode: 0o600 });
    this.pending.delete(pendingKey(host, port));
    return this.backlineFile;
  }
}
