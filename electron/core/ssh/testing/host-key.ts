import ssh2 from 'ssh2';

const { utils } = ssh2;

/**
 * An ed25519 host key for a test server on loopback. ssh2's generateKeyPairSync now and then writes a
 * key its own parser then refuses ("Malformed OpenSSH private key": seen once in CI): take one it reads.
 */
export function testHostKey(): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const key = utils.generateKeyPairSync('ed25519').private;
    if (!(utils.parseKey(key) instanceof Error)) return key;
  }
  throw new Error('ssh2 made no ed25519 host key it could read in 10 tries');
}
