import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { sha256Fingerprint } from './fingerprint.js';
import { HostKeyStore } from './host-key-store.js';

const key = (name: string) => {
  const [keyType = '', keyBase64 = ''] = readFileSync(join(import.meta.dirname, 'fixtures', 'keys', `${name}.pub`), 'utf8').split(' ');
  return { keyType, keyBase64 };
};

let dir: ReturnType<typeof tempDir>;
let userFile: string;
let store: HostKeyStore;
beforeEach(() => {
  dir = tempDir('backline-hostkeys-');
  userFile = join(dir.path, 'known_hosts');
  store = new HostKeyStore([userFile, join(dir.path, 'fifo')], join(dir.path, 'backline', 'known_hosts'));
});
afterEach(() => dir.remove());

describe('HostKeyStore', () => {
  it('says a host on record under another type is type-changed, and trusts its new key only with the explicit override', () => {
    const ecdsa = key('db1-ecdsa');
    writeFileSync(userFile, `web9 ${ecdsa.keyType} ${ecdsa.keyBase64}\n`);
    const presented = key('other-ed');
    const fingerprint = sha256Fingerprint(presented.keyBase64);
    expect(store.check('web9', 22, presented)).toEqual({
      status: 'type-changed',
      known: [{ keyType: 'ecdsa-sha2-nistp256', fingerprint: sha256Fingerprint(ecdsa.keyBase64), file: userFile, line: 1 }],
    });
    expect(() => store.trust('web9', 22, fingerprint)).toThrow(expect.objectContaining({ code: 'SSH_HOST_KEY_TYPE_CHANGED' }) as Error);
    expect(store.trust('web9', 22, fingerprint, { acceptKeyTypeChange: true })).toBe(store.backlineFile);
    expect(store.check('web9', 22, presented)).toEqual({ status: 'known' });
    // Both types are on record now, in both files: both are asked for first.
    expect(store.hostKeyAlgorithms('web9', 22).slice(0, 2)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  });

  it('keeps the override for type changes: an unknown key is trusted the ordinary way', () => {
    const presented = key('other-ed');
    const fingerprint = sha256Fingerprint(presented.keyBase64);
    expect(store.check('web9', 22, presented)).toEqual({ status: 'unknown' });
    expect(() => store.trust('web9', 22, fingerprint, { acceptKeyTypeChange: true })).toThrow(expect.objectContaining({ code: 'CONFLICT' }) as Error);
    expect(store.trust('web9', 22, fingerprint)).toBe(store.backlineFile);
  });

  it('orders algorithms by the types on record, and reads past a FIFO named as a known_hosts file', { timeout: 2000 }, () => {
    execFileSync('mkfifo', [join(dir.path, 'fifo')]);
    const rsa = key('web1-rsa');
    writeFileSync(userFile, `web9 ${rsa.keyType} ${rsa.keyBase64}\n`);
    expect(store.hostKeyAlgorithms('web9', 22).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(store.hostKeyAlgorithms('web8', 22)[0]).toBe('ssh-ed25519');
  });
});
