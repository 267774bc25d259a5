/**
 * The lab of real test servers, as tests see it: reads e2e/lab/state/lab.json, written by
 * `sudo bash e2e/lab/up.sh`. Addresses here are the only ones a test may contact (with loopback).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const LAB_NOT_UP = 'The lab is not up: run `sudo bash e2e/lab/up.sh`';

/** Where up.sh writes the lab's description. */
export const LAB_JSON = path.join(path.dirname(fileURLToPath(import.meta.url)), 'state', 'lab.json');

const hostKeySchema = z.object({
  /** As `ssh-keygen -lf` prints it: ED25519, RSA. */
  type: z.string(),
  bits: z.number().int(),
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  fingerprint: z.string().startsWith('SHA256:'),
  /** The known_hosts form: `ssh-ed25519 AAAA...`. */
  publicKey: z.string(),
  publicKeyFile: z.string(),
});

const hostSchema = z.object({
  name: z.string(),
  /** A customer server, the bastion, or a benchmark fleet host (up.sh --fleet N). */
  kind: z.enum(['server', 'bastion', 'fleet']),
  namespace: z.string(),
  /** The address clients use; for a private host, only reachable through `jumpHost`. */
  address: z.string(),
  /** Its IPv6 address on the workstation network (fd77::11 for web1), where its sshd listens too;
   * null for a host that is IPv4 only (db1, the fleet). */
  address6: z.string().nullable(),
  /** Every lab address of the host (the bastion has one on each network; a dual-stack host its IPv6 one). */
  addresses: z.array(z.string()),
  port: z.number().int(),
  network: z.enum(['public', 'private']),
  jumpHost: z.string().nullable(),
  hostKeys: z.array(hostKeySchema),
  /** sshd's MaxSessions: sessions (channels) per connection. 10 (OpenSSH's default) except on a
   * hardened server (web3: 2), which refuses the session after that on the same connection. */
  maxSessions: z.number().int().positive(),
  sshdConfig: z.string(),
  sshdLog: z.string(),
  pidFile: z.string(),
});

const keySchema = z.object({
  name: z.string(),
  privateKey: z.string(),
  publicKey: z.string(),
  fingerprint: z.string(),
  passphraseFile: z.string().nullable(),
});

const userSchema = z.object({
  name: z.string(),
  /** How the user logs in: by one of `keys`, or by the password in `passwordFile`. */
  login: z.enum(['key', 'password']),
  keys: z.array(z.string()),
  passwordFile: z.string().nullable(),
  /** root is root; `nopasswd`: `sudo -n` works; `password`: sudo asks for the user's password. */
  sudo: z.enum(['root', 'nopasswd', 'password']),
  /** The login shell (passwd's last field), which sshd runs the exec request's text with:
   * `/bin/bash`, or `/usr/bin/tcsh` (bl-tcsh), `/usr/bin/fish` (bl-fish), `/usr/bin/zsh` (bl-zsh). */
  shell: z.string().startsWith('/'),
});

/** An upstream web head of the remote site `feedsName` (story 2): web-head.js on Node, no sshd. */
const headSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  address: z.string(),
  /** Its IPv6 address (fd77::43 for head3), where it answers alike; null when it is IPv4 only. */
  address6: z.string().nullable(),
  /** Every port answers alike (80 and 8080), so a test can block one and not the other. */
  ports: z.array(z.number().int()),
  /** 200: `include ok from <name>`; 400: `400 Bad Request` with `bodyBytes` of filler, streamed. */
  status: z.union([z.literal(200), z.literal(400)]),
  /** The bad head's body size (64 MiB); 0 for a good head. */
  bodyBytes: z.number().int(),
  /** One line per request: time, name, :port, client, method, path, status, bytes sent. */
  log: z.string(),
  pidFile: z.string(),
});

const labFileSchema = z.object({
  version: z.literal(1),
  labDir: z.string(),
  stateDir: z.string(),
  knownHosts: z.string(),
  sshConfig: z.string(),
  fleet: z.number().int(),
  /** The engineer's side: the bridge's addresses, IPv4 and IPv6 (the session peer a server sees). */
  workstation: z.object({ bridge: z.string(), address: z.string(), network: z.string(), address6: z.string(), network6: z.string() }),
  privateNetwork: z.object({ namespace: z.string(), bridge: z.string(), network: z.string(), jumpHost: z.string() }),
  /** A lab address where nothing answers: for connect-timeout tests that must stay inside the lab. */
  unusedAddress: z.string(),
  /** The same on IPv6: nothing answers there, and the packets stay on the lab's bridge. */
  unusedAddress6: z.string(),
  /** The remote site's name: on `feedsClients` (web1, web2) it resolves to every head's address. */
  feedsName: z.string(),
  feedsClients: z.array(z.string()),
  /** Customer servers that start with the customer's own iptables/ip6tables rules: comments
   * starting with `mark` ("customer:"), a user chain `chain` jumped from OUTPUT. */
  customerFirewall: z.object({ hosts: z.array(z.string()), mark: z.string(), chain: z.string() }),
  /** Customer servers that restore their rules at boot with netfilter-persistent, from their own
   * /etc/iptables: `rulesDir` is that directory as this machine sees it (/etc/netns/<ns>/iptables). */
  persistentHosts: z.array(z.object({ name: z.string(), rulesDir: z.string() })),
  heads: z.array(headSchema),
  hosts: z.array(hostSchema),
  keys: z.array(keySchema),
  users: z.array(userSchema),
});

export type LabHostKey = z.infer<typeof hostKeySchema>;
export type LabHost = z.infer<typeof hostSchema>;
export type LabHead = z.infer<typeof headSchema>;
export type LabKey = z.infer<typeof keySchema> & {
  /** The key's passphrase, read from `passphraseFile`; null for a key without one. */
  passphrase: string | null;
};
export type LabUser = z.infer<typeof userSchema> & {
  /** The login password, read from `passwordFile`; null for key-only users. */
  password: string | null;
};
export type Lab = Omit<z.infer<typeof labFileSchema>, 'keys' | 'users'> & {
  keys: LabKey[];
  users: LabUser[];
};

function readSecret(file: string | null): string | null {
  if (file === null) return null;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw new Error(`Cannot read the lab secret ${file}: it is root's, run the tests as root`);
    throw new Error(`Cannot read the lab secret ${file} (${code ?? String(error)}): run \`sudo bash e2e/lab/up.sh\` again`);
  }
}

/** Reads the lab that up.sh brought up. Throws {@link LAB_NOT_UP} when there is none. */
export function readLab(file: string = LAB_JSON): Lab {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(LAB_NOT_UP);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON: run \`sudo bash e2e/lab/up.sh\` again`);
  }
  const parsed = labFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${file} does not describe a lab (${z.prettifyError(parsed.error)}): run \`sudo bash e2e/lab/up.sh\` again`);
  }
  const lab = parsed.data;
  return {
    ...lab,
    keys: lab.keys.map((key) => ({ ...key, passphrase: readSecret(key.passphraseFile) })),
    users: lab.users.map((user) => ({ ...user, password: readSecret(user.passwordFile) })),
  };
}

function find<T extends { name: string }>(items: readonly T[], name: string, what: string): T {
  const item = items.find((candidate) => candidate.name === name);
  if (!item) throw new Error(`The lab has no ${what} named ${name} (it has: ${items.map((i) => i.name).join(', ')})`);
  return item;
}

/** A host by name (web1, web2, web3, bastion, db1, fleet01...). */
export function labHost(lab: Lab, name: string): LabHost {
  return find(lab.hosts, name, 'host');
}

/** A web head of the remote site by name (head1, head2, head3). */
export function labHead(lab: Lab, name: string): LabHead {
  return find(lab.heads, name, 'web head');
}

/** A user by name (root, bl-deploy, bl-ops, bl-tcsh, bl-fish, bl-zsh, bl-chatty). */
export function labUser(lab: Lab, name: string): LabUser {
  return find(lab.users, name, 'user');
}

/** A client key by name (lab_root, lab_deploy, lab_passphrase). */
export function labKey(lab: Lab, name: string): LabKey {
  return find(lab.keys, name, 'key');
}
