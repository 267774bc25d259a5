import { createHash } from 'node:crypto';

/**
 * SHA256 fingerprint of a public key blob, formatted exactly as `ssh-keygen -lf` and ssh's host-key
 * prompt print it: 'SHA256:' + base64 of the digest without '=' padding. Accepts the blob itself or
 * its base64 text (the second field of a known_hosts / authorized_keys / .pub line).
 */
export function sha256Fingerprint(key: string | Uint8Array): string {
  const blob = typeof key === 'string' ? decodeKeyBase64(key) : key;
  const digest = createHash('sha256').update(blob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** Strict base64 decoding: Buffer.from silently skips junk, which would fingerprint the wrong bytes. */
export function decodeKeyBase64(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new Error(`Not a base64 public key blob: ${JSON.stringify(trimmed.slice(0, 40))}`);
  }
  return Buffer.from(trimmed, 'base64');
}

/** The key type named inside the blob (its first SSH string), e.g. 'ssh-ed25519'; undefined if malformed. */
export function keyTypeOfBlob(blob: Uint8Array): string | undefined {
  if (blob.length < 4) return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const length = view.getUint32(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const name = Buffer.from(blob.subarray(4, 4 + length)).toString('latin1');
  return /^[\x21-\x7e]+$/.test(name) ? name : undefined;
}
