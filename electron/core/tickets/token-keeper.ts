import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { TokenSource } from '../../../shared/contract/tickets-system.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Encryptor } from '../ssh/secret-vault.js';

export interface TokenKeeperOptions {
  /** Where the keychain-encrypted token is kept (desktop only). */
  file: string;
  /** Electron's safeStorage; absent in the browser shell. */
  encryptor?: Encryptor | undefined;
  env: Record<string, string | undefined>;
}

export interface ResolvedToken {
  source: TokenSource;
  /** Where it is read from, for people ("BACKLINE_RT_TOKEN", a file path, "the OS keychain"). */
  where: string;
  /** Read on each use (a file may be rotated); throws TICKET_SYSTEM_NOT_CONFIGURED when it cannot be. */
  read: () => string;
}

function readTokenFile(path: string, named: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BacklineError('TICKET_SYSTEM_NOT_CONFIGURED', `The RT token file ${path} (${named}) could not be read (${code}).`, {
      hint: 'Check the path and that this user may read it.',
    });
  }
  const token = text.trim();
  if (token === '') throw new BacklineError('TICKET_SYSTEM_NOT_CONFIGURED', `The RT token file ${path} (${named}) is empty.`, { hint: 'Put the token RT showed when it was made in it.' });
  return token;
}

/**
 * The RT token: a secret Backline never writes in plain text and never sends to the window. The
 * desktop app keeps it encrypted by the OS keychain (refused on Linux's plain-text backend); any
 * shell can read it from BACKLINE_RT_TOKEN, from the file BACKLINE_RT_TOKEN_FILE names, or from a
 * file named in the settings. The environment wins, so a test or a shared setup can override.
 */
export class TokenKeeper {
  constructor(private readonly options: TokenKeeperOptions) {}

  /** Why a token cannot be kept here (null: it can). */
  storeRefusal(): string | null {
    const { encryptor } = this.options;
    if (!encryptor) return 'The browser shell keeps no secrets: set BACKLINE_RT_TOKEN, or BACKLINE_RT_TOKEN_FILE, or name a token file in the settings.';
    return encryptor.refusal ?? null;
  }

  store(token: string): void {
    const refusal = this.storeRefusal();
    const encryptor = this.options.encryptor;
    if (refusal !== null || !encryptor) {
      throw new BacklineError('SECRET_STORAGE_UNAVAILABLE', refusal ?? 'No keychain.', {
        hint: this.options.encryptor?.refusalHint ?? 'Name a file holding the token instead (only you should be able to read it).',
      });
    }
    // Written aside and renamed, so a crash never leaves half a file.
    writeFileSync(`${this.options.file}.tmp`, encryptor.encrypt(token).toString('base64'), { mode: 0o600 });
    renameSync(`${this.options.file}.tmp`, this.options.file);
  }

  forget(): void {
    rmSync(this.options.file, { force: true });
  }

  hasStored(): boolean {
    return this.options.encryptor !== undefined && existsSync(this.options.file);
  }

  resolve(settingsFile: string | null): ResolvedToken {
    const { env, encryptor, file } = this.options;
    const fromEnv = env.BACKLINE_RT_TOKEN?.trim();
    if (fromEnv) return { source: 'env', where: 'BACKLINE_RT_TOKEN', read: () => fromEnv };
    const envFile = env.BACKLINE_RT_TOKEN_FILE?.trim();
    if (envFile) return { source: 'file', where: envFile, read: () => readTokenFile(envFile, 'BACKLINE_RT_TOKEN_FILE') };
    if (encryptor && existsSync(file)) {
      return { source: 'keychain', where: 'the OS keychain', read: () => encryptor.decrypt(Buffer.from(readFileSync(file, 'utf8'), 'base64')) };
    }
    if (settingsFile) return { source: 'file', where: settingsFile, read: () => readTokenFile(settingsFile, 'named in the settings') };
    return {
      source: 'none',
      where: 'nowhere',
      read: () => {
        throw new BacklineError('TICKET_SYSTEM_NOT_CONFIGURED', 'No RT token is set.', {
          hint: encryptor ? 'Give the token in the ticket system settings.' : 'Set BACKLINE_RT_TOKEN or BACKLINE_RT_TOKEN_FILE, or name a token file in the settings.',
        });
      },
    };
  }
}
