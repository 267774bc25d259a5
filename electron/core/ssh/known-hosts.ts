import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { decodeKeyBase64, keyTypeOfBlob, sha256Fingerprint } from './fingerprint.js';
import { matchPatternList } from './ssh-config.js';

/**
 * known_hosts, read the way OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): each line is
 * `[@marker] hosts keytype base64key [comment]`. Hosts are a comma-separated pattern list (with `*`, `?`
 * and `!negation`) or one hashed name `|1|salt|hmac`. A non-22 port is written `[host]:port`.
 */

export type HostField =
  | { kind: 'patterns'; patterns: string[] }
  | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostsEntry {
  file: string;
  /** 1-based line number, for messages like "known_hosts:12". */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: HostField;
  keyType: string;
  keyBase64: string;
  comment?: string;
}

export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ParsedKnownHosts {
  entries: KnownHostsEntry[];
  /** Malformed lines; OpenSSH skips these too, but the UI can say so. */
  skipped: SkippedLine[];
}

export function parseKnownHosts(text: string, file = 'known_hosts'): ParsedKnownHosts {
  const entries: KnownHostsEntry[] = [];
  const skipped: SkippedLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostsEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return void skipped.push({ file, line, reason: `unknown marker ${name}` });
    }
    const [hostText, keyType, keyBase64, ...rest] = fields;
    if (hostText === undefined || keyType === undefined || keyBase64 === undefined) {
      return void skipped.push({ file, line, reason: 'expected hosts, key type and key' });
    }
    const hosts = parseHostField(hostText);
    if (hosts === undefined) return void skipped.push({ file, line, reason: 'malformed hashed host name' });
    try {
      decodeKeyBase64(keyBase64);
    } catch {
      return void skipped.push({ file, line, reason: 'key is not valid base64' });
    }
    const entry: KnownHostsEntry = { file, line, hosts, keyType, keyBase64 };
    if (marker !== undefined) entry.marker = marker;
    if (rest.length > 0) entry.comment = rest.join(' ');
    entries.push(entry);
  });
  return { entries, skipped };
}

const HASH_MAGIC = '|1|';

function parseHostField(text: string): HostField | undefined {
  if (!text.startsWith('|')) return { kind: 'patterns', patterns: text.split(',') };
  if (!text.startsWith(HASH_MAGIC)) return undefined;
  const [saltText, hashText, extra] = text.slice(HASH_MAGIC.length).split('|');
  if (saltText === undefined || hashText === undefined || extra !== undefined) return undefined;
  const salt = Buffer.from(saltText, 'base64');
  const hash = Buffer.from(hashText, 'base64');
  // HMAC-SHA1: both the salt and the digest are 20 bytes.
  if (salt.length !== 20 || hash.length !== 20) return undefined;
  return { kind: 'hashed', salt, hash };
}

/** The name known_hosts stores for a host: plain for port 22, `[host]:port` otherwise (as ssh writes it). */
export function knownHostsName(host: string, port: number): string {
  const bare = host.toLowerCase();
  return port === 22 ? bare : `[${bare}]:${port}`;
}

function hashName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

/** Does the entry's host field name this host? Negated patterns veto the line, as in OpenSSH. */
export function entryMatchesHost(entry: KnownHostsEntry, host: string, port: number): boolean {
  return entryMatchesName(entry, knownHostsName(host, port));
}

/** Same, for a name already in known_hosts form (`host` or `[host]:port`), like `ssh-keygen -F name`. */
export function entryMatchesName(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hosts.kind === 'hashed') return timingSafeEqual(hashName(name, entry.hosts.salt), entry.hosts.hash);
  return matchPatternList(name, entry.hosts.patterns, { caseInsensitive: true });
}

export interface ExpectedKey {
  keyType: string;
  fingerprint: string;
  file: string;
  line: number;
}

export type HostKeyCheck =
  | { status: 'known'; file: string; line: number }
  | {
      status: 'unknown';
      /** @cert-authority lines naming this host; Backline does not accept host certificates through them. */
      certAuthorities: ExpectedKey[];
    }
  | { status: 'changed'; expected: ExpectedKey[] }
  /** The host is on record, but only with keys of other types than the one presented. */
  | { status: 'type-changed'; known: ExpectedKey[] }
  | { status: 'revoked'; file: string; line: number };

/**
 * Checks a server's host key against known_hosts entries (from any number of files). A revoked key
 * wins over everything; then a matching key is 'known'; a different key of the same type is 'changed'
 * (possible man-in-the-middle); a host on record only under other key types is 'type-changed': since
 * the types on record are offered first ({@link preferredHostKeyAlgorithms}), a server presenting
 * another one could not, or would not, show the key on record. Only a host with no key on record is
 * 'unknown'. `host` is what the key is recorded under: the HostKeyAlias if one is set, else the HostName.
 */
export function checkHostKey(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): HostKeyCheck {
  const blob = decodeKeyBase64(keyBase64);
  const presentedType = plainKeyType(keyTypeOfBlob(blob) ?? keyType);
  const forHost = entries.filter((entry) => entryMatchesHost(entry, host, port));
  const sameKey = (entry: KnownHostsEntry) => safeDecode(entry.keyBase64)?.equals(blob) === true;

  const revoked = forHost.find((entry) => entry.marker === 'revoked' && sameKey(entry));
  if (revoked) return { status: 'revoked', file: revoked.file, line: revoked.line };

  const plain = keysOnRecord(forHost);
  const known = plain.find(sameKey);
  if (known) return { status: 'known', file: known.file, line: known.line };

  const sameType = plain.filter((entry) => plainKeyType(entry.keyType) === presentedType);
  if (sameType.length > 0) return { status: 'changed', expected: sameType.map(expectedKey) };
  if (plain.length > 0) return { status: 'type-changed', known: plain.map(expectedKey) };

  const certAuthorities = forHost.filter((entry) => entry.marker === 'cert-authority').map(expectedKey);
  return { status: 'unknown', certAuthorities };
}

/** The host's plain keys, less any that a @revoked line (for this host) names. */
function keysOnRecord(forHost: readonly KnownHostsEntry[]): KnownHostsEntry[] {
  const revoked = forHost.filter((entry) => entry.marker === 'revoked').map((entry) => safeDecode(entry.keyBase64));
  return forHost.filter((entry) => {
    if (entry.marker !== undefined) return false;
    const blob = safeDecode(entry.keyBase64);
    return blob !== undefined && !revoked.some((r) => r?.equals(blob));
  });
}

/** ssh2's host-key algorithms, most preferred first (its README, `algorithms.serverHostKey`). */
export const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const satisfies readonly ServerHostKeyAlgorithm[];

/**
 * The host-key algorithms to offer a host, as OpenSSH orders them (sshconnect2.c, order_hostkeyalgs):
 * those whose key type is on record for the host first, then the others, each group in the default
 * order. A server holding several keys then presents the one on record instead of a new question.
 */
export function preferredHostKeyAlgorithms(entries: readonly KnownHostsEntry[], host: string, port: number): ServerHostKeyAlgorithm[] {
  const types = new Set(keysOnRecord(entries.filter((entry) => entryMatchesHost(entry, host, port))).map((entry) => plainKeyType(entry.keyType)));
  const onRecord = (algorithm: string) => types.has(plainKeyType(algorithm));
  return [...DEFAULT_HOST_KEY_ALGORITHMS.filter(onRecord), ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !onRecord(a))];
}

function expectedKey(entry: KnownHostsEntry): ExpectedKey {
  const blob = safeDecode(entry.keyBase64);
  return { keyType: entry.keyType, fingerprint: blob ? sha256Fingerprint(blob) : '(invalid key)', file: entry.file, line: entry.line };
}

function safeDecode(keyBase64: string): Buffer | undefined {
  try {
    return decodeKeyBase64(keyBase64);
  } catch {
    return undefined;
  }
}

/** rsa-sha2-256/512 are signature algorithms over an ssh-rsa key: compare them as one key type. */
function plainKeyType(keyType: string): string {
  return keyType === 'rsa-sha2-256' || keyType === 'rsa-sha2-512' ? 'ssh-rsa' : keyType;
}

export interface FormatOptions {
  /** Write the name as `|1|salt|hmac` (like HashKnownHosts yes) so the file does not list the servers. */
  hash: boolean;
  /** Fixed 20-byte salt, for tests; random otherwise. */
  salt?: Uint8Array;
}

/** One known_hosts line for an accepted key, in the form OpenSSH itself reads (no trailing newline). */
export function formatKnownHostsLine(host: string, port: number, keyType: string, keyBase64: string, options: FormatOptions): string {
  // A host written in clear text is a pattern: wildcards, commas or spaces would widen or break it.
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new Error(`Refusing to record host key for invalid host name ${JSON.stringify(host)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Invalid port ${port}`);
  if (!/^[A-Za-z0-9@.+_-]+$/.test(keyType)) throw new Error(`Invalid key type ${JSON.stringify(keyType)}`);
  const blob = decodeKeyBase64(keyBase64);
  const blobType = keyTypeOfBlob(blob);
  if (blobType !== undefined && blobType !== plainKeyType(keyType)) {
    throw new Error(`Key type ${keyType} does not match the key, which is ${blobType}`);
  }
  const name = knownHostsName(host, port);
  let field = name;
  if (options.hash) {
    const salt = Buffer.from(options.salt ?? randomBytes(20));
    if (salt.length !== 20) throw new Error('known_hosts hash salt must be 20 bytes');
    field = `${HASH_MAGIC}${salt.toString('base64')}|${hashName(name, salt).toString('base64')}`;
  }
  return `${field} ${blobType ?? keyType} ${blob.toString('base64')}`;
}
