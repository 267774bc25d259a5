import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeKeyBase64, keyTypeOfBlob, sha256Fingerprint } from './fingerprint.js';

const KEYS = join(import.meta.dirname, 'fixtures', 'keys');

/** What `ssh-keygen -lf` prints as the fingerprint (second field of "2048 SHA256:... comment (RSA)"). */
function keygenFingerprint(pubFile: string): string {
  const out = execFileSync('ssh-keygen', ['-E', 'sha256', '-lf', pubFile], { encoding: 'utf8' });
  return out.split(' ')[1] ?? '';
}

const blobOf = (pubFile: string) => readFileSync(pubFile, 'utf8').split(' ')[1] ?? '';

describe('sha256Fingerprint agrees with ssh-keygen -lf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backline-fp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['ed25519', ['-t', 'ed25519']],
    ['rsa-2048', ['-t', 'rsa', '-b', '2048']],
    ['ecdsa-256', ['-t', 'ecdsa', '-b', '256']],
    ['ecdsa-384', ['-t', 'ecdsa', '-b', '384']],
    ['ecdsa-521', ['-t', 'ecdsa', '-b', '521']],
  ])('for a freshly generated %s key', (name, args) => {
    const file = join(dir, name);
    execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', `test-${name}`, '-f', file]);
    const expected = keygenFingerprint(`${file}.pub`);
    expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(sha256Fingerprint(blobOf(`${file}.pub`))).toBe(expected);
    expect(sha256Fingerprint(decodeKeyBase64(blobOf(`${file}.pub`)))).toBe(expected);
  });

  it.each(readdirSync(KEYS).filter((name) => name.endsWith('.pub')))('for the fixture key %s', (name) => {
    expect(sha256Fingerprint(blobOf(join(KEYS, name)))).toBe(keygenFingerprint(join(KEYS, name)));
  });
});

describe('key blobs', () => {
  it('reads the key type from inside the blob', () => {
    expect(keyTypeOfBlob(decodeKeyBase64(blobOf(join(KEYS, 'web1-rsa.pub'))))).toBe('ssh-rsa');
    expect(keyTypeOfBlob(decodeKeyBase64(blobOf(join(KEYS, 'db1-ecdsa.pub'))))).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOfBlob(Buffer.from([0, 0, 0, 99, 1]))).toBeUndefined();
    expect(keyTypeOfBlob(Buffer.from([0, 0]))).toBeUndefined();
  });

  it('refuses text that is not base64 instead of fingerprinting whatever Buffer.from salvages', () => {
    for (const bad of ['', 'not base64!', 'AAAA C3Nz', 'AAA', 'AAAAB3NzaC1yc2E=x']) {
      expect(() => sha256Fingerprint(bad)).toThrow(/Not a base64/);
    }
  });

  it('drops the base64 padding, as ssh does', () => {
    expect(sha256Fingerprint(Buffer.from('abc'))).toBe('SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});
