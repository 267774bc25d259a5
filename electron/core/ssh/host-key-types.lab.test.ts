/**
 * Host-key types against the lab's real OpenSSH servers, which hold an ED25519 and an RSA key each
 * (lab.env LAB_HOST_KEY_TYPES). As OpenSSH does, Backline offers the key types on record for a host
 * first, and a host on record only under other types is its own loud state, never "unknown".
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labHost, labKey, labUser } from '../../../e2e/lab/lab.js';
import { type LabApp, labSuite } from '../testing/lab-core.js';
import { tempDir } from '../testing/temp-dir.js';
import { sha256Fingerprint } from './fingerprint.js';

const suite = labSuite('backline-home-');
afterEach(() => {
  writeFileSync(knownHostsFile(), '');
});

const knownHostsFile = () => join(suite.home, '.ssh', 'known_hosts');
const newCore = () => {
  const app = suite.open();
  return app;
};
/** A lab host's own key of one type ('ED25519', 'RSA'), as a known_hosts line for `name`'s address. */
const hostKey = (name: string, type: 'ED25519' | 'RSA') => {
  const key = labHost(suite.lab, name).hostKeys.find((k) => k.type === type);
  if (!key) throw new Error(`lab host ${name} has no ${type} key`);
  return key;
};
const line = (address: string, publicKey: string) => `${address} ${publicKey.split(' ').slice(0, 2).join(' ')}\n`;
/** What sshd logged for bl-ops since `from`: any password or key tried, accepted or refused. */
const credentialsLogged = (name: string, from: number) =>
  readFileSync(labHost(suite.lab, name).sshdLog, 'utf8')
    .slice(from)
    .split('\n')
    .filter((l) => /publickey|password|Accepted|Failed/i.test(l));

async function addServer(app: LabApp, ticketId: string, name: string, login: { user: string; auth: 'key' | 'password'; keyFile?: string }) {
  if (!(await app.raw('tickets.get', { id: ticketId })).ok) await app.call('tickets.create', { id: ticketId, title: 'host key types' });
  return app.call('servers.add', { ticketId, label: name, host: labHost(suite.lab, name).address, ...login });
}

const root = () => ({ user: 'root', auth: 'key' as const, keyFile: labKey(suite.lab, 'lab_root').privateKey });

describe('host-key algorithms follow known_hosts', () => {
  it('connects without a question to two hosts on record under different types (web1 by RSA only, web2 by ED25519 only)', async () => {
    writeFileSync(knownHostsFile(), line(labHost(suite.lab, 'web1').address, hostKey('web1', 'RSA').publicKey) + line(labHost(suite.lab, 'web2').address, hostKey('web2', 'ED25519').publicKey));
    const app = newCore();
    const web1 = await addServer(app, 'TKT-21', 'web1', root());
    const web2 = await addServer(app, 'TKT-21', 'web2', root());
    // Without the preference web1 would present its ED25519 key (ssh2's first choice) and be asked about.
    expect((await app.call('servers.connect', { id: web1.id })).connection).toBe('connected');
    expect((await app.call('servers.connect', { id: web2.id })).connection).toBe('connected');
    expect(existsSync(join(app.dataDir, 'known_hosts'))).toBe(false);
  });
});

describe('a host on record under another key type', () => {
  it('is TYPE CHANGED when the type on record is one the server does not offer: keys shown, nothing sent, explicit override only', async () => {
    const dir = tempDir('backline-ecdsa-');
    try {
      // An ECDSA key on record for web2, which holds only ED25519 and RSA keys: what a server reinstalled,
      // or an impostor that cannot show the key on record, looks like.
      execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', join(dir.path, 'old')]);
      const ecdsa = readFileSync(join(dir.path, 'old.pub'), 'utf8');
      writeFileSync(knownHostsFile(), line(labHost(suite.lab, 'web2').address, ecdsa));
      const app = newCore();
      const server = await addServer(app, 'TKT-22', 'web2', { user: 'bl-ops', auth: 'password' });
      const password = labUser(suite.lab, 'bl-ops').password!;
      const logFrom = readFileSync(labHost(suite.lab, 'web2').sshdLog, 'utf8').length;

      const error = await app.failure('servers.connect', { id: server.id, secrets: { password } });
      expect(error.code).toBe('SSH_HOST_KEY_TYPE_CHANGED');
      expect(error.message).toMatch(/HOST KEY TYPE CHANGED/);
      const detail = error.detail as { fingerprint: string; keyType: string; known: { keyType: string; fingerprint: string; file: string; line: number }[] };
      // The presented key is web2's own (ED25519, its first type after the one on record); the known one is listed.
      expect(detail.fingerprint).toBe(hostKey('web2', 'ED25519').fingerprint);
      expect(detail.known).toEqual([{ keyType: 'ecdsa-sha2-nistp256', fingerprint: sha256Fingerprint(ecdsa.split(' ')[1]!), file: knownHostsFile(), line: 1 }]);
      expect(error.message).toContain(detail.fingerprint);
      expect(error.message).toContain(detail.known[0]!.fingerprint);
      expect(credentialsLogged('web2', logFrom)).toEqual([]);

      // The ordinary Trust does not wave it through; the explicit override does, and then it connects.
      const trust = { id: server.id, host: labHost(suite.lab, 'web2').address, port: 22, fingerprint: detail.fingerprint };
      expect((await app.failure('servers.trustHostKey', trust)).code).toBe('SSH_HOST_KEY_TYPE_CHANGED');
      expect(credentialsLogged('web2', logFrom)).toEqual([]);
      await app.call('servers.trustHostKey', { ...trust, acceptKeyTypeChange: true });
      expect((await app.call('servers.connect', { id: server.id, secrets: { password } })).connection).toBe('connected');
      const audit = await app.call('audit.list', { ticketId: 'TKT-22' });
      expect(audit.find((e) => e.action === 'ssh.hostkey.trusted')?.summary).toMatch(/Accepted a new key type/);
    } finally {
      dir.remove();
    }
  });

  it("is CHANGED, never a question, when another host's key is on record for a type the server offers", async () => {
    // web1's RSA key recorded for web2's address: web2 is asked for RSA first and presents its own.
    writeFileSync(knownHostsFile(), line(labHost(suite.lab, 'web2').address, hostKey('web1', 'RSA').publicKey));
    const app = newCore();
    const server = await addServer(app, 'TKT-23', 'web2', { user: 'bl-ops', auth: 'password' });
    const logFrom = readFileSync(labHost(suite.lab, 'web2').sshdLog, 'utf8').length;
    const error = await app.failure('servers.connect', { id: server.id, secrets: { password: labUser(suite.lab, 'bl-ops').password! } });
    expect(error.code).toBe('SSH_HOST_KEY_CHANGED');
    expect((error.detail as { fingerprint: string }).fingerprint).toBe(hostKey('web2', 'RSA').fingerprint);
    expect(credentialsLogged('web2', logFrom)).toEqual([]);
    const trust = await app.failure('servers.trustHostKey', { id: server.id, host: labHost(suite.lab, 'web2').address, port: 22, fingerprint: hostKey('web2', 'RSA').fingerprint });
    expect(trust.code).toBe('NOT_FOUND');
  });
});
