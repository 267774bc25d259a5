import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { SecretVault, type Encryptor } from './secret-vault.js';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** Stands in for the OS keychain: XOR with a key the file never sees. */
const keychain: Encryptor = {
  encrypt: (plain) => Buffer.from(Buffer.from(plain).map((b) => b ^ 0x5a)),
  decrypt: (sealed) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString(),
};

describe('SecretVault', () => {
  it('stores only what the keychain sealed, and gives it back', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'secrets.json');
    const vault = new SecretVault(file, keychain);
    vault.put(7, { password: 'correct horse battery staple' });
    expect(readFileSync(file, 'utf8')).not.toContain('correct horse');
    expect(new SecretVault(file, keychain).get(7)).toEqual({ password: 'correct horse battery staple' });
    vault.forget(7);
    expect(vault.get(7)).toEqual({});
  });

  it('stores nothing when the keychain is one that protects nothing (Linux basic_text), and says why', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'secrets.json');
    const vault = new SecretVault(file, { ...keychain, refusal: 'safeStorage uses basic_text here.' });
    expect(() => vault.assertCanStore()).toThrow(expect.objectContaining({ code: 'SECRET_STORAGE_UNAVAILABLE', message: 'safeStorage uses basic_text here.' }) as Error);
    expect(() => vault.put(7, { password: 'correct horse battery staple' })).toThrow(/basic_text/);
    expect(existsSync(file)).toBe(false);
    expect(vault.get(7)).toEqual({});
  });
});
