import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Encryptor } from '../ssh/secret-vault.js';
import { tempDir } from '../testing/temp-dir.js';
import { normaliseBaseUrl } from './handlers.js';
import { TokenKeeper } from './token-keeper.js';

/** An encryptor as safeStorage is one: AES with a key the core never sees. */
function aesEncryptor(refusal?: string): Encryptor {
  const key = randomBytes(32);
  return {
    encrypt: (plain) => {
      if (refusal) throw new Error(refusal);
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]);
    },
    decrypt: (sealed) => {
      const decipher = createDecipheriv('aes-256-cbc', key, sealed.subarray(0, 16));
      return Buffer.concat([decipher.update(sealed.subarray(16)), decipher.final()]).toString('utf8');
    },
    refusal,
    refusalHint: refusal ? 'Install a keyring.' : undefined,
  };
}

const TOKEN = '1-35-d97a0c6c43f8b1e2aa00ff';
let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

describe('TokenKeeper', () => {
  it('keeps the token encrypted by the keychain, never in plain text, and forgets it', () => {
    const file = join(dir.path, 'rt-token.enc');
    const keeper = new TokenKeeper({ file, encryptor: aesEncryptor(), env: {} });
    expect(keeper.storeRefusal()).toBeNull();
    keeper.store(TOKEN);
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const resolved = keeper.resolve(null);
    expect(resolved.source).toBe('keychain');
    expect(resolved.read()).toBe(TOKEN);
    keeper.forget();
    expect(existsSync(file)).toBe(false);
    expect(keeper.resolve(null).source).toBe('none');
    expect(() => keeper.resolve(null).read()).toThrow(/No RT token is set/);
  });

  it("refuses to store on Linux's plain-text keychain, saying why, and in the browser shell", () => {
    const linux = new TokenKeeper({ file: join(dir.path, 't'), encryptor: aesEncryptor('The OS keychain is basic_text: a key hard-coded in Chromium.'), env: {} });
    expect(linux.storeRefusal()).toMatch(/basic_text/);
    expect(() => linux.store(TOKEN)).toThrow(/basic_text/);
    const browser = new TokenKeeper({ file: join(dir.path, 't'), env: {} });
    expect(browser.storeRefusal()).toMatch(/BACKLINE_RT_TOKEN/);
    expect(() => browser.store(TOKEN)).toThrow(/browser shell keeps no secrets/);
    expect(existsSync(join(dir.path, 't'))).toBe(false);
  });

  it('reads the token from BACKLINE_RT_TOKEN, then BACKLINE_RT_TOKEN_FILE, then a file named in the settings', () => {
    const named = join(dir.path, 'named.token');
    writeFileSync(named, `${TOKEN}-named\n`, { mode: 0o600 });
    const envFile = join(dir.path, 'env.token');
    writeFileSync(envFile, `  ${TOKEN}-envfile \n`, { mode: 0o600 });
    expect(new TokenKeeper({ file: 'x', env: { BACKLINE_RT_TOKEN: TOKEN, BACKLINE_RT_TOKEN_FILE: envFile } }).resolve(named).read()).toBe(TOKEN);
    expect(new TokenKeeper({ file: 'x', env: { BACKLINE_RT_TOKEN_FILE: envFile } }).resolve(named).read()).toBe(`${TOKEN}-envfile`);
    expect(new TokenKeeper({ file: 'x', env: {} }).resolve(named)).toMatchObject({ source: 'file', where: named });
    expect(new TokenKeeper({ file: 'x', env: {} }).resolve(named).read()).toBe(`${TOKEN}-named`);
    expect(() => new TokenKeeper({ file: 'x', env: {} }).resolve(join(dir.path, 'gone')).read()).toThrow(/could not be read \(ENOENT\)/);
    writeFileSync(named, '\n');
    expect(() => new TokenKeeper({ file: 'x', env: {} }).resolve(named).read()).toThrow(/is empty/);
  });
});

describe('normaliseBaseUrl', () => {
  it('takes RT’s address as people paste it', () => {
    expect(normaliseBaseUrl('https://rt.example.com/')).toBe('https://rt.example.com');
    expect(normaliseBaseUrl(' https://example.com/rt/REST/2.0/ ')).toBe('https://example.com/rt');
    expect(normaliseBaseUrl('http://127.0.0.1:58081')).toBe('http://127.0.0.1:58081');
  });

  it('refuses what is not an http address, or carries credentials', () => {
    expect(() => normaliseBaseUrl('rt.example.com')).toThrow(/not an address/);
    expect(() => normaliseBaseUrl('ftp://rt.example.com')).toThrow(/http or https/);
    expect(() => normaliseBaseUrl('https://me:pw@rt.example.com')).toThrow(/user name or password/);
  });
});
