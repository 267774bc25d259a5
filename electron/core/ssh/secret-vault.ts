import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { BacklineError } from '../../../shared/errors.js';
import type { Secrets } from './sessions.js';

/** The OS-backed encryption the desktop shell provides (Electron's safeStorage); the core never sees a key. */
export interface Encryptor {
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
  /**
   * Set when the OS gives no keychain worth the name (Linux's basic_text: a key hard-coded in Chromium):
   * nothing may be stored, and this says why. Secrets stored before can still be read, and forgotten.
   */
  refusal?: string | undefined;
  /** What to do about the refusal. */
  refusalHint?: string | undefined;
}

/**
 * Passwords and passphrases the engineer asked Backline to remember, encrypted by the OS keychain
 * (safeStorage) before they touch the disk. Only the desktop shell has one; the browser shell never
 * stores a secret.
 */
export class SecretVault {
  constructor(
    private readonly file: string,
    private readonly encryptor: Encryptor,
  ) {}

  private read(): Record<string, string> {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>) : {};
  }

  /** Throws SECRET_STORAGE_UNAVAILABLE when secrets must not be stored here; call it before connecting. */
  assertCanStore(): void {
    const { refusal, refusalHint } = this.encryptor;
    if (refusal !== undefined) throw new BacklineError('SECRET_STORAGE_UNAVAILABLE', refusal, refusalHint !== undefined ? { hint: refusalHint } : {});
  }

  get(serverId: number): Secrets {
    const sealed = this.read()[String(serverId)];
    return sealed ? (JSON.parse(this.encryptor.decrypt(Buffer.from(sealed, 'base64'))) as Secrets) : {};
  }

  put(serverId: number, secrets: Secrets): void {
    this.assertCanStore();
    const all = this.read();
    all[String(serverId)] = this.encryptor.encrypt(JSON.stringify(secrets)).toString('base64');
    // Written aside and renamed, so a crash never leaves half a file.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(all), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
  }

  forget(serverId: number): void {
    const all = this.read();
    if (!(String(serverId) in all)) return;
    delete all[String(serverId)];
    writeFileSync(`${this.file}.tmp`, JSON.stringify(all), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
  }
}
