import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Fingerprint } from './fingerprint.js';
import { checkHostKey, DEFAULT_HOST_KEY_ALGORITHMS, entryMatchesName, formatKnownHostsLine, knownHostsName, parseKnownHosts, preferredHostKeyAlgorithms } from './known-hosts.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const KNOWN_HOSTS = join(FIXTURES, 'known_hosts');
const key = (name: string) => {
  const [keyType = '', keyBase64 = ''] = readFileSync(join(FIXTURES, 'keys', `${name}.pub`), 'utf8').split(' ');
  return { keyType, keyBase64 };
};
const { entries, skipped } = parseKnownHosts(readFileSync(KNOWN_HOSTS, 'utf8'), KNOWN_HOSTS);
const check = (host: string, port: number, name: string) => {
  const { keyType, keyBase64 } = key(name);
  return checkHostKey(entries, host, port, keyType, keyBase64);
};

describe('parseKnownHosts', () => {
  it('reads plain, bracketed, wildcard, marked and hashed lines, skipping comments and blanks', () => {
    expect(entries.map((e) => e.line)).toEqual([4, 5, 7, 8, 10, 14, 15, 17, 19, 20]);
    expect(entries[0]?.hosts).toEqual({ kind: 'patterns', patterns: ['web1.acme.example', '203.0.113.10'] });
    expect(entries[1]?.comment).toBe('root@web1');
    expect(entries.find((e) => e.line === 15)?.marker).toBe('revoked');
    expect(entries.find((e) => e.line === 17)).toMatchObject({ marker: 'cert-authority', comment: 'acme-host-ca' });
    expect(entries.find((e) => e.line === 19)?.hosts.kind).toBe('hashed');
  });

  it('reports damaged lines instead of failing the file', () => {
    expect(skipped).toEqual([
      { file: KNOWN_HOSTS, line: 22, reason: 'expected hosts, key type and key' },
      { file: KNOWN_HOSTS, line: 23, reason: 'malformed hashed host name' },
      { file: KNOWN_HOSTS, line: 24, reason: 'unknown marker @unknown-marker' },
    ]);
  });

  it('handles CRLF files and a key that is not base64', () => {
    const { keyBase64 } = key('web1-ed');
    const parsed = parseKnownHosts(`a ssh-ed25519 ${keyBase64}\r\nb ssh-ed25519 !!notbase64!!\r\n`, 'crlf');
    expect(parsed.entries).toHaveLength(1);
    expect(parsed.skipped).toEqual([{ file: 'crlf', line: 2, reason: 'key is not valid base64' }]);
  });
});

describe('checkHostKey', () => {
  it('knows a host by name (any case) and by address, for each key type on record', () => {
    expect(check('web1.acme.example', 22, 'web1-ed')).toEqual({ status: 'known', file: KNOWN_HOSTS, line: 4 });
    expect(check('WEB1.Acme.Example', 22, 'web1-rsa')).toMatchObject({ status: 'known', line: 5 });
    expect(check('203.0.113.10', 22, 'web1-ed')).toMatchObject({ status: 'known' });
  });

  it('treats a different key of the same type as changed, listing what was expected', () => {
    expect(check('web1.acme.example', 22, 'other-ed')).toEqual({
      status: 'changed',
      expected: [{ keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(key('web1-ed').keyBase64), file: KNOWN_HOSTS, line: 4 }],
    });
  });

  it('keys non-default ports as [host]:port', () => {
    expect(check('db1.acme.example', 2222, 'db1-ecdsa')).toMatchObject({ status: 'known', line: 7 });
    expect(check('db1.acme.example', 22, 'db1-ecdsa')).toMatchObject({ status: 'unknown' });
    expect(check('web1.acme.example', 2222, 'web1-ed')).toMatchObject({ status: 'unknown' });
    expect(check('2001:db8::5', 2200, 'other-ed')).toMatchObject({ status: 'known', line: 8 });
  });

  // Not "unknown": a server that can't show the key on record may offer another type (OpenSSH warns too).
  it('reports a host known only under other key types as its own state, listing the keys on record', () => {
    expect(check('db1.acme.example', 2222, 'other-ed')).toEqual({
      status: 'type-changed',
      known: [{ keyType: 'ecdsa-sha2-nistp256', fingerprint: sha256Fingerprint(key('db1-ecdsa').keyBase64), file: KNOWN_HOSTS, line: 7 }],
    });
    expect(check('web1.acme.example', 22, 'db1-ecdsa')).toMatchObject({ status: 'type-changed', known: [{ keyType: 'ssh-ed25519', line: 4 }, { keyType: 'ssh-rsa', line: 5 }] });
    // A key on record that is also revoked is not a key the host is known by.
    expect(check('legacy.acme.example', 22, 'db1-ecdsa')).toMatchObject({ status: 'unknown' });
  });

  it('applies wildcards and lets a negated pattern exclude a host', () => {
    expect(check('x.lab.example', 22, 'wild-ed')).toMatchObject({ status: 'known', line: 10 });
    expect(check('gw.lab.example', 22, 'wild-ed')).toMatchObject({ status: 'unknown' });
    expect(check('x.lab.example', 22, 'other-ed')).toMatchObject({ status: 'changed' });
  });

  it('reports a revoked key as revoked, even where it is also listed as known', () => {
    expect(check('legacy.acme.example', 22, 'old-ed')).toEqual({ status: 'revoked', file: KNOWN_HOSTS, line: 15 });
    expect(check('anything.example', 2200, 'old-ed')).toMatchObject({ status: 'revoked' });
  });

  it('does not accept a plain key through a @cert-authority line, but reports the CA', () => {
    expect(check('new.acme.example', 22, 'ca-ed')).toEqual({
      status: 'unknown',
      certAuthorities: [{ keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(key('ca-ed').keyBase64), file: KNOWN_HOSTS, line: 17 }],
    });
  });

  it('matches hashed entries, port included', () => {
    expect(check('bastion.acme.example', 22, 'bastion-ed')).toMatchObject({ status: 'known', line: 19 });
    expect(check('bastion.acme.example', 2022, 'bastion-ed')).toMatchObject({ status: 'known', line: 20 });
    expect(check('bastion.acme.example', 2023, 'bastion-ed')).toMatchObject({ status: 'unknown' });
    expect(check('bastion.acme.example', 2022, 'other-ed')).toMatchObject({ status: 'changed', expected: [{ line: 20 }] });
  });

  it('treats rsa-sha2-* as the ssh-rsa key it signs with', () => {
    const { keyBase64 } = key('web1-rsa');
    expect(checkHostKey(entries, 'web1.acme.example', 22, 'rsa-sha2-512', keyBase64)).toMatchObject({ status: 'known' });
  });

  it('knows nothing with no entries', () => {
    const { keyType, keyBase64 } = key('web1-ed');
    expect(checkHostKey([], 'web1.acme.example', 22, keyType, keyBase64)).toEqual({ status: 'unknown', certAuthorities: [] });
  });
});

describe('preferredHostKeyAlgorithms', () => {
  it("offers the algorithms of the key types on record for the host first, in ssh2's own order, then the rest (as OpenSSH does)", () => {
    expect(preferredHostKeyAlgorithms(entries, 'db1.acme.example', 2222)).toEqual([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    // An ssh-rsa key is verified with rsa-sha2-512/256 too.
    const rsaOnly = parseKnownHosts(`h ssh-rsa ${key('web1-rsa').keyBase64}\n`).entries;
    expect(preferredHostKeyAlgorithms(rsaOnly, 'h', 22).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(preferredHostKeyAlgorithms(entries, 'web1.acme.example', 22)).toEqual(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);
  });

  it('keeps the default order for a host with nothing on record, or only a revoked key or a CA', () => {
    for (const host of ['nothing.example', 'legacy.acme.example', 'new.acme.example']) {
      expect(preferredHostKeyAlgorithms(entries, host, 22)).toEqual([...DEFAULT_HOST_KEY_ALGORITHMS]);
    }
  });
});

describe('formatKnownHostsLine', () => {
  const { keyType, keyBase64 } = key('web1-ed');

  it('writes plain lines, bracketing non-default ports', () => {
    expect(formatKnownHostsLine('Web1.acme.example', 22, keyType, keyBase64, { hash: false })).toBe(`web1.acme.example ${keyType} ${keyBase64}`);
    expect(formatKnownHostsLine('2001:db8::9', 2222, keyType, keyBase64, { hash: false })).toBe(`[2001:db8::9]:2222 ${keyType} ${keyBase64}`);
    expect(knownHostsName('h', 22)).toBe('h');
  });

  it('writes hashed lines that are salted per line and match back', () => {
    const salt = Buffer.alloc(20, 7);
    const line = formatKnownHostsLine('db9.example', 2200, keyType, keyBase64, { hash: true, salt });
    expect(line).toMatch(/^\|1\|BwcHBwcHBwcHBwcHBwcHBwcHBwc=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /);
    const a = formatKnownHostsLine('db9.example', 2200, keyType, keyBase64, { hash: true });
    const b = formatKnownHostsLine('db9.example', 2200, keyType, keyBase64, { hash: true });
    expect(a).not.toBe(b);
    const parsed = parseKnownHosts(`${a}\n${line}\n`).entries;
    expect(checkHostKey(parsed, 'db9.example', 2200, keyType, keyBase64)).toMatchObject({ status: 'known', line: 1 });
    expect(checkHostKey(parsed, 'db9.example', 22, keyType, keyBase64)).toMatchObject({ status: 'unknown' });
  });

  it('refuses names that would turn into patterns or break the line, and mismatched key types', () => {
    for (const bad of ['*.example', 'a,b', 'a b', '!a', '', '|1|x', '@revoked', 'a\nb']) {
      expect(() => formatKnownHostsLine(bad, 22, keyType, keyBase64, { hash: false })).toThrow(/invalid host name/);
    }
    expect(() => formatKnownHostsLine('h', 0, keyType, keyBase64, { hash: false })).toThrow(/Invalid port/);
    expect(() => formatKnownHostsLine('h', 22, 'ssh-rsa', keyBase64, { hash: false })).toThrow(/does not match/);
    expect(() => formatKnownHostsLine('h', 22, keyType, keyBase64, { hash: true, salt: Buffer.alloc(8) })).toThrow(/20 bytes/);
  });
});

/** OpenSSH as the reference: ssh-keygen -H hashes a file, ssh-keygen -F looks a name up in one. */
describe('agreement with ssh-keygen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backline-kh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Line numbers ssh-keygen -F reports for a name ("# Host NAME found: line N ..."). */
  function keygenLines(file: string, name: string): number[] {
    let out = '';
    try {
      out = execFileSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return []; // exit 1: not found
    }
    return [...out.matchAll(/found: line (\d+)/g)].map((m) => Number(m[1]));
  }

  const names = [
    'web1.acme.example', '203.0.113.10', 'x.lab.example', 'gw.lab.example', '[db1.acme.example]:2222', 'db1.acme.example',
    'legacy.acme.example', 'bastion.acme.example', '[bastion.acme.example]:2022', '[bastion.acme.example]:2023',
    '[2001:db8::5]:2200', 'nothing.example',
  ];

  it.each(names)('finds the same fixture lines as ssh-keygen -F %s', (name) => {
    const ours = entries.filter((entry) => entryMatchesName(entry, name)).map((entry) => entry.line);
    expect(ours).toEqual(keygenLines(KNOWN_HOSTS, name));
  });

  it('matches every entry of a file hashed by ssh-keygen -H', () => {
    const plain = join(dir, 'plain_hosts');
    const hosts: [string, number, string][] = [
      ['web1.acme.example', 22, 'web1-ed'],
      ['web1.acme.example', 22, 'web1-rsa'],
      ['db1.acme.example', 2222, 'db1-ecdsa'],
      ['10.0.0.7', 22, 'other-ed'],
      ['2001:db8::5', 2200, 'other-ed'],
    ];
    writeFileSync(plain, hosts.map(([host, port, name]) => `${knownHostsName(host, port)} ${key(name).keyType} ${key(name).keyBase64}`).join('\n') + '\n');
    execFileSync('ssh-keygen', ['-H', '-f', plain], { stdio: 'ignore' });
    const text = readFileSync(plain, 'utf8');
    expect(text).not.toContain('acme'); // really hashed
    const hashed = parseKnownHosts(text, plain).entries;
    expect(hashed.every((entry) => entry.hosts.kind === 'hashed')).toBe(true);
    for (const [host, port, name] of hosts) {
      expect(checkHostKey(hashed, host, port, key(name).keyType, key(name).keyBase64), `${host}:${port}`).toMatchObject({ status: 'known' });
      expect(hashed.filter((e) => entryMatchesName(e, knownHostsName(host, port))).map((e) => e.line)).toEqual(keygenLines(plain, knownHostsName(host, port)));
    }
    expect(checkHostKey(hashed, 'web1.acme.example', 22, key('other-ed').keyType, key('other-ed').keyBase64)).toMatchObject({ status: 'changed' });
  });

  it('writes lines, hashed and plain, that ssh-keygen -F finds', () => {
    const file = join(dir, 'backline_known_hosts');
    const { keyType, keyBase64 } = key('web1-ed');
    writeFileSync(
      file,
      [
        formatKnownHostsLine('hashed.example', 22, keyType, keyBase64, { hash: true }),
        formatKnownHostsLine('hashed.example', 2222, keyType, keyBase64, { hash: true }),
        formatKnownHostsLine('plain.example', 2200, keyType, keyBase64, { hash: false }),
        formatKnownHostsLine('2001:db8::7', 22, keyType, keyBase64, { hash: true }),
      ].join('\n') + '\n',
    );
    expect(keygenLines(file, 'hashed.example')).toEqual([1]);
    expect(keygenLines(file, '[hashed.example]:2222')).toEqual([2]);
    expect(keygenLines(file, '[plain.example]:2200')).toEqual([3]);
    expect(keygenLines(file, '2001:db8::7')).toEqual([4]);
    expect(keygenLines(file, 'other.example')).toEqual([]);
  });
});
