import ssh2, { type AnyAuthMethod, type AuthenticationType, type Client, type ClientChannel, type ServerHostKeyAlgorithm } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader cannot see its named exports, so take them from the default.
const { Client: SshClient, utils } = ssh2;
import { hostPort } from '../../../shared/domain/address.js';
import { BacklineError } from '../../../shared/errors.js';
import { keyTypeOfBlob } from './fingerprint.js';
import { KeyFileProblem } from './key-file.js';
import { answerPrompts } from './keyboard-interactive.js';
import type { ExpectedKey } from './known-hosts.js';

/** One machine on the way to a server: the jump hosts first, the target last. */
export interface Hop {
  /** The name the engineer knows it by (alias), used in messages. */
  label: string;
  host: string;
  port: number;
  user: string;
  credentials: Credentials;
  /** The name host keys are recorded under (HostKeyAlias, else the host). */
  hostKeyName: string;
  /** ServerAliveInterval and ConnectTimeout from ~/.ssh/config for this host, when set there. */
  keepaliveIntervalS?: number | undefined;
  connectTimeoutMs?: number | undefined;
}

/** A private key file to offer, read only when its hop is reached (asynchronously: see key-file.ts). */
export interface KeySource {
  path: string;
  /** Named for this server: a problem with it is an error. Others (defaults, ~/.ssh/config) are skipped, as ssh does. */
  required: boolean;
  read(): Promise<string>;
}

export interface Credentials {
  /** SSH_AUTH_SOCK, when an agent may be used. */
  agentSocket?: string | undefined;
  /** Private key files, in the order to try them. */
  keys: KeySource[];
  passphrase?: string | undefined;
  password?: string | undefined;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'changed'; expected: string }
  /** On record only under other key types: the keys on record. */
  | { status: 'type-changed'; known: ExpectedKey[] }
  | { status: 'revoked' };

export interface PresentedKey {
  keyType: string;
  keyBase64: string;
}

export interface ConnectOptions {
  connectTimeoutMs: number;
  /** Seconds, as ServerAliveInterval means; 0 turns keepalive off. */
  keepaliveIntervalS: number;
  keepaliveCountMax: number;
  checkHostKey(hop: Hop, key: PresentedKey): HostKeyVerdict;
  /** The host-key algorithms to offer, most preferred first (the types on record for the hop first); ssh2's default when absent. */
  hostKeyAlgorithms?(hop: Hop): ServerHostKeyAlgorithm[];
  fingerprint(keyBase64: string): string;
}

/** `web1 (root@10.77.0.11:22)`; just `root@10.77.0.11:22` when the name is the address (said once). */
const where = (hop: Hop) => {
  const address = `${hop.user}@${hostPort(hop.host, hop.port)}`;
  return hop.label === hop.host ? address : `${hop.label} (${address})`;
};

/** Turns what ssh2 and the socket said into an error a person can act on. */
export function describeFailure(
  hop: Hop,
  error: Error & { level?: string; code?: string },
  context: {
    rejectedKey?: PresentedKey & { verdict: HostKeyVerdict };
    /** A keyboard-interactive prompt that was not the password, which was left unanswered. */
    refusedPrompt?: string | undefined;
    /** The login methods offered to the server (the probing `none` not counted). */
    triedMethods: string[];
    /** Key files that could not be offered, and why (`path (needs its passphrase)`). */
    keyNotes?: string[];
    /** Key files that could not be offered only for want of their passphrase. */
    keysNeedingPassphrase?: string[];
    /** The methods the server said it accepts (its answer to `none`); null when it never said. */
    accepts?: string[] | null;
    fingerprint: (k: string) => string;
  },
): BacklineError {
  const rejected = context.rejectedKey;
  if (rejected) {
    const detail = {
      host: hop.hostKeyName,
      port: hop.port,
      label: hop.label,
      keyType: rejected.keyType,
      keyBase64: rejected.keyBase64,
      fingerprint: context.fingerprint(rejected.keyBase64),
    };
    if (rejected.verdict.status === 'unknown') {
      return new BacklineError('SSH_HOST_UNKNOWN', `${where(hop)} presented a host key Backline has not seen: ${rejected.keyType} ${detail.fingerprint}.`, {
        hint: 'Compare the fingerprint with the one the customer or the provider reports, then trust it to connect. Nothing was sent.',
        detail,
      });
    }
    if (rejected.verdict.status === 'changed') {
      return new BacklineError(
        'SSH_HOST_KEY_CHANGED',
        `HOST KEY CHANGED for ${where(hop)}: it now presents ${rejected.keyType} ${detail.fingerprint}, but ${rejected.verdict.expected} was accepted before.`,
        {
          hint: 'Someone may be intercepting the connection, or the server was reinstalled. Nothing was sent. Confirm with the customer; if the change is legitimate, remove the old key from that known_hosts line.',
          detail: { ...detail, expected: rejected.verdict.expected },
        },
      );
    }
    if (rejected.verdict.status === 'type-changed') {
      const known = rejected.verdict.known;
      const onRecord = known.map((k) => `${k.keyType} ${k.fingerprint} (${k.file}:${k.line})`).join(', ');
      return new BacklineError(
        'SSH_HOST_KEY_TYPE_CHANGED',
        `HOST KEY TYPE CHANGED for ${where(hop)}: it presents ${rejected.keyType} ${detail.fingerprint}, but it is on record only with ${onRecord}.`,
        {
          hint: `Nothing was sent. Backline asked for the key types on record first, and this server offered none of them: someone may be intercepting the connection, or the server was reinstalled with new keys. Confirm with the customer that this ${rejected.keyType} key is theirs; only then accept the new key type explicitly.`,
          detail: { ...detail, known: known.map((k) => ({ keyType: k.keyType, fingerprint: k.fingerprint, file: k.file, line: k.line })) },
        },
      );
    }
    return new BacklineError('SSH_HOST_KEY_REVOKED', `${where(hop)} presented a revoked host key (${detail.fingerprint}).`, {
      hint: 'Nothing was sent. Ask who revoked it before connecting.',
      detail,
    });
  }
  if (context.refusedPrompt !== undefined) {
    return new BacklineError('SSH_SECOND_FACTOR', `${where(hop)} asks for a second factor ("${context.refusedPrompt}"), which Backline can't answer; nothing was typed into it.`, {
      hint: 'Log in from your own terminal (ssh) for this server, or use a key (ssh-agent or a key file) if the server accepts one without the second factor.',
      detail: { host: hop.host, prompt: context.refusedPrompt, tried: context.triedMethods },
    });
  }
  if (error.level === 'client-authentication') {
    const keyNotes = context.keyNotes ?? [];
    if (context.triedMethods.length === 0) return credentialsNeeded(hop, context.accepts ?? null, context.keysNeedingPassphrase ?? [], keyNotes);
    const tried = [...context.triedMethods, ...keyNotes];
    const keysOnly = context.accepts != null && !context.accepts.some((m) => PASSWORD_METHODS.includes(m));
    return new BacklineError('SSH_AUTH_FAILED', `${where(hop)} refused the login. Tried: ${tried.join(', ')}.`, {
      hint: keysOnly
        ? `It accepts ${context.accepts!.join(', ')} only: check the user name, load the key into ssh-agent or give the key file.`
        : 'Check the user name, load the key into ssh-agent or give the key file, or enter the password.',
      detail: { host: hop.host, tried, accepts: context.accepts ?? null },
    });
  }
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT') {
    return new BacklineError('SSH_TIMEOUT', `${where(hop)} did not complete the SSH handshake in time.`, {
      hint: 'Check that the address and port are right and that a firewall is not dropping the connection.',
    });
  }
  const reason = error.code !== undefined ? NETWORK_REASONS[error.code] : undefined;
  if (reason !== undefined) {
    const what = error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? `${hop.host} ${reason}` : reason;
    return new BacklineError('SSH_UNREACHABLE', `${where(hop)} could not be reached: ${what} (${error.code}).`, {
      hint:
        error.code === 'ECONNREFUSED'
          ? 'Nothing listens on that port: is sshd running, and is the port right?'
          : error.code === 'ENOTFOUND'
            ? 'Check the name. If it is an alias from ~/.ssh/config (or a file it Includes), open the route to see what was read.'
            : 'Check the address, the route and any jump host.',
    });
  }
  if (/open failed|Connection refused/i.test(error.message)) {
    return new BacklineError('SSH_UNREACHABLE', `The jump host could not open a connection to ${where(hop)}: ${channelReason(error.message)}.`, {
      hint: 'Check that the jump host can reach the server and that its sshd allows TCP forwarding.',
    });
  }
  return new BacklineError('SSH_CONNECTION_LOST', `The connection to ${where(hop)} failed: ${tidyMessage(error.message)}`, { hint: 'Reconnect to try again.' });
}

/** What a socket error code means, in words (the code itself follows in brackets, once). */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ENOTFOUND: 'is not a name DNS knows',
  EAI_AGAIN: 'could not be looked up (DNS did not answer)',
  ECONNRESET: 'the connection was reset',
  EADDRNOTAVAIL: 'the address is not available here',
};

/** `(SSH) Channel open failure: Connection refused` → `connection refused`. */
function channelReason(message: string): string {
  const reason = tidyMessage(message.replace(/^\(SSH\)\s*/i, '').replace(/^Channel open failure:\s*/i, ''));
  return reason.charAt(0).toLowerCase() + reason.slice(1).replace(/\.$/, '');
}

/**
 * A message from a library or the OS, said once: a word repeated right after itself, or an error code
 * (`EHOSTUNREACH`) already given earlier, is dropped (`EHOSTUNREACH connect EHOSTUNREACH 10.0.0.9:22`
 * → `EHOSTUNREACH connect 10.0.0.9:22`).
 */
export function tidyMessage(message: string): string {
  const seenCodes = new Set<string>();
  const words = message.trim().split(/\s+/);
  const kept: string[] = [];
  for (const word of words) {
    const bare = word.replace(/[.,:;]+$/, '');
    if (/^E[A-Z0-9_]{3,}$/.test(bare)) {
      if (seenCodes.has(bare)) continue;
      seenCodes.add(bare);
    }
    const previous = kept.at(-1);
    if (previous !== undefined && previous.toLowerCase() === word.toLowerCase()) continue;
    kept.push(word);
  }
  return kept.join(' ');
}

const PASSWORD_METHODS = ['password', 'keyboard-interactive'];

/**
 * Nothing was offered: the first thing to do is ask, not to say a login was refused. Asks for a key's
 * passphrase when a key is locked by one, for a password when the server takes one, and otherwise says
 * that the server wants a key Backline does not have.
 */
function credentialsNeeded(hop: Hop, accepts: string[] | null, lockedKeys: string[], keyNotes: string[]): BacklineError {
  const takesPassword = accepts === null || accepts.some((m) => PASSWORD_METHODS.includes(m));
  const detail = { host: hop.host, accepts, keyFiles: lockedKeys, skipped: keyNotes };
  if (lockedKeys.length > 0) {
    return new BacklineError('SSH_CREDENTIALS_NEEDED', `The key ${lockedKeys.join(', ')} for ${where(hop)} needs its passphrase.`, {
      hint: takesPassword ? 'Type the passphrase, or the password instead.' : 'Type the passphrase.',
      detail: { ...detail, needs: 'passphrase' },
    });
  }
  if (takesPassword) {
    return new BacklineError('SSH_CREDENTIALS_NEEDED', `${where(hop)} asks for a password.`, {
      hint: "Or log in with a key instead: ssh-agent, or the server's key file.",
      detail: { ...detail, needs: 'password' },
    });
  }
  return new BacklineError('SSH_CREDENTIALS_NEEDED', `${where(hop)} accepts ${accepts.join(', ')} only, and Backline has no key to offer it.`, {
    hint: `Load your key into ssh-agent, or attach the server with its key file.${keyNotes.length > 0 ? ` Skipped: ${keyNotes.join(', ')}.` : ''}`,
    detail: { ...detail, needs: 'key' },
  });
}

export interface KeyText {
  path: string;
  text: string;
}

/**
 * Reads the hop's key files. The one named for the server must be usable; others that are missing are
 * skipped quietly and unusable ones with a note, as ssh skips them with a warning.
 */
export async function readHopKeys(hop: Hop, notes: string[]): Promise<KeyText[]> {
  const keys: KeyText[] = [];
  for (const source of hop.credentials.keys) {
    try {
      keys.push({ path: source.path, text: await source.read() });
    } catch (error) {
      if (!(error instanceof KeyFileProblem)) throw error;
      if (source.required) {
        throw new BacklineError('VALIDATION_FAILED', `The key file for ${hop.label} can't be used: ${error.message}`, { hint: error.hint, detail: { path: source.path, reason: error.reason } });
      }
      if (error.reason !== 'missing') notes.push(`${source.path} (skipped: ${error.message})`);
    }
  }
  return keys;
}

/**
 * The login methods to offer, in OpenSSH's order: agent, keys, then password. keyboard-interactive gives
 * the password to password prompts only; any other prompt is handed to `refuse`, unanswered.
 */
export function authMethods(hop: Hop, keys: readonly KeyText[], notes: string[], refuse: (prompt: string) => void = () => undefined): AnyAuthMethod[] {
  const { credentials, user } = hop;
  const methods: AnyAuthMethod[] = [];
  if (credentials.agentSocket) methods.push({ type: 'agent', username: user, agent: credentials.agentSocket });
  for (const key of keys) {
    const parsed = utils.parseKey(key.text, credentials.passphrase);
    if (parsed instanceof Error) {
      notes.push(/passphrase/i.test(parsed.message) ? `${key.path} ${NEEDS_PASSPHRASE}` : `${key.path} (unreadable: ${parsed.message})`);
      continue;
    }
    const passphrase = credentials.passphrase;
    methods.push({ type: 'publickey', username: user, key: key.text, ...(passphrase ? { passphrase } : {}) });
  }
  if (credentials.password !== undefined) {
    const password = credentials.password;
    methods.push({ type: 'password', username: user, password });
    methods.push({
      type: 'keyboard-interactive',
      username: user,
      prompt: (_name, _instructions, _lang, prompts, finish) => {
        const answer = answerPrompts(prompts, password);
        if ('answers' in answer) finish(answer.answers);
        else refuse(answer.refused);
      },
    });
  }
  return methods;
}

const NEEDS_PASSPHRASE = '(needs its passphrase)';

/** The name the server gives a method in its list of what it accepts. */
const serverMethodName = (method: AnyAuthMethod): string => (method.type === 'agent' ? 'publickey' : method.type);

const methodLabel = (method: AnyAuthMethod): string =>
  method.type === 'publickey' ? 'public key' : method.type === 'agent' ? 'ssh-agent' : method.type;

/**
 * Connects to one hop, optionally over a channel opened by the previous hop (ProxyJump). The host
 * key is checked in ssh2's hostVerifier, which runs before authentication: no password, key signature
 * or agent is ever offered to a host whose key was not accepted.
 */
export async function connectHop(hop: Hop, options: ConnectOptions, sock?: ClientChannel): Promise<Client> {
  const notes: string[] = [];
  const keys = await readHopKeys(hop, notes);
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    const triedMethods: string[] = [];
    let rejectedKey: (PresentedKey & { verdict: HostKeyVerdict }) | undefined;
    let refusedPrompt: string | undefined;
    let settled = false;
    // A second-factor prompt ends the attempt there: no answer (not even a blank one) is sent to it.
    const methods = authMethods(hop, keys, notes, (prompt) => {
      refusedPrompt = prompt;
      client.end();
    });
    // As OpenSSH: `none` first, which the server answers with the methods it accepts; then only those.
    let probed = false;
    let accepts: string[] | null = null;
    const fail = (error: Error & { level?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      const keysNeedingPassphrase = notes.filter((n) => n.endsWith(` ${NEEDS_PASSPHRASE}`)).map((n) => n.slice(0, -NEEDS_PASSPHRASE.length - 1));
      reject(describeFailure(hop, error, { rejectedKey, refusedPrompt, triedMethods, keyNotes: notes, keysNeedingPassphrase, accepts, fingerprint: (key) => options.fingerprint(key) }));
    };
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', fail);
    client.once('close', () => fail(Object.assign(new Error('the server closed the connection'), { level: 'client-socket' })));
    client.connect({
      host: hop.host,
      port: hop.port,
      username: hop.user,
      ...(sock ? { sock } : {}),
      readyTimeout: hop.connectTimeoutMs ?? options.connectTimeoutMs,
      keepaliveInterval: (hop.keepaliveIntervalS ?? options.keepaliveIntervalS) * 1000,
      keepaliveCountMax: options.keepaliveCountMax,
      ...(options.hostKeyAlgorithms ? { algorithms: { serverHostKey: options.hostKeyAlgorithms(hop) } } : {}),
      hostVerifier: (key: Buffer) => {
        const presented = { keyType: keyTypeOfBlob(key) ?? 'unknown', keyBase64: key.toString('base64') };
        const verdict = options.checkHostKey(hop, presented);
        if (verdict.status === 'known') return true;
        rejectedKey = { ...presented, verdict };
        return false;
      },
      authHandler: (left: AuthenticationType[] | null, _partial: boolean | null, next) => {
        if (left) accepts = [...left];
        if (!probed) {
          probed = true;
          return next({ type: 'none', username: hop.user });
        }
        for (let method = methods.shift(); method; method = methods.shift()) {
          if (accepts && !accepts.includes(serverMethodName(method))) continue;
          triedMethods.push(methodLabel(method));
          return next(method);
        }
        return next(false as unknown as AuthenticationType);
      },
    });
  });
}

/** Opens a channel from `via` to the next hop, for ProxyJump. */
function forwardTo(via: Client, hop: Hop, viaHop: Hop): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, hop.host, hop.port, (error, channel) => {
      if (error) {
        reject(
          new BacklineError('SSH_UNREACHABLE', `${viaHop.label} could not open a connection to ${where(hop)}: ${error.message}`, {
            hint: 'Check that the jump host can reach the server and that its sshd allows TCP forwarding.',
          }),
        );
      } else resolve(channel);
    });
  });
}

export interface Connection {
  client: Client;
  /** The jump hosts' connections, which must close with the target's. */
  jumps: Client[];
  close(): void;
}

/** Connects through every jump host in order to the last hop. A failure anywhere closes what was opened. */
export async function connectChain(hops: Hop[], options: ConnectOptions): Promise<Connection> {
  if (hops.length === 0) throw new Error('connectChain needs at least one hop');
  const opened: Client[] = [];
  try {
    let client = await connectHop(hops[0]!, options);
    opened.push(client);
    for (let i = 1; i < hops.length; i++) {
      const channel = await forwardTo(client, hops[i]!, hops[i - 1]!);
      client = await connectHop(hops[i]!, options, channel);
      opened.push(client);
    }
    const jumps = opened.slice(0, -1);
    return {
      client,
      jumps,
      close: () => opened.reverse().forEach((c) => c.end()),
    };
  } catch (error) {
    opened.reverse().forEach((c) => c.end());
    throw error;
  }
}
