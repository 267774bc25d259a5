import ssh2, { type AnyAuthMethod, type AuthenticationType, type Client, type ClientChannel, type ServerHostKeyAlgorithm } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader cannot see its named exports, so take them from the default.
const { Client: SshClient, utils } = ssh2;
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

const where = (hop: Hop) => `${hop.label} (${hop.user}@${hop.host}:${hop.port})`;

/** Turns what ssh2 and the socket said into an error a person can act on. */
export function describeFailure(
  hop: Hop,
  error: Error & { level?: string; code?: string },
  context: {
    rejectedKey?: PresentedKey & { verdict: HostKeyVerdict };
    /** A keyboard-interactive prompt that was not the password, which was left unanswered. */
    refusedPrompt?: string | undefined;
    triedMethods: string[];
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
    const tried = context.triedMethods.length > 0 ? context.triedMethods.join(', ') : 'nothing usable';
    return new BacklineError('SSH_AUTH_FAILED', `${where(hop)} refused the login. Tried: ${tried}.`, {
      hint: 'Check the user name, load the key into ssh-agent or give the key file, or enter the password.',
      detail: { host: hop.host, tried: context.triedMethods },
    });
  }
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT') {
    return new BacklineError('SSH_TIMEOUT', `${where(hop)} did not complete the SSH handshake in time.`, {
      hint: 'Check that the address and port are right and that a firewall is not dropping the connection.',
    });
  }
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET'].includes(error.code ?? '')) {
    return new BacklineError('SSH_UNREACHABLE', `${where(hop)} could not be reached: ${error.code ?? ''} ${error.message}`.trim(), {
      hint: error.code === 'ECONNREFUSED' ? 'Nothing listens on that port: is sshd running, and is the port right?' : 'Check the address, the route and any jump host.',
    });
  }
  if (/open failed|Connection refused/i.test(error.message)) {
    return new BacklineError('SSH_UNREACHABLE', `The jump host could not open a connection to ${where(hop)}: ${error.message}`, {
      hint: 'Check that the jump host can reach the server and that its sshd allows TCP forwarding.',
    });
  }
  return new BacklineError('SSH_CONNECTION_LOST', `The connection to ${where(hop)} failed: ${error.message}`, { hint: 'Reconnect to try again.' });
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
      notes.push(/passphrase/i.test(parsed.message) ? `${key.path} (needs its passphrase)` : `${key.path} (unreadable: ${parsed.message})`);
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
    const fail = (error: Error & { level?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(describeFailure(hop, error, { rejectedKey, refusedPrompt, triedMethods: [...triedMethods, ...notes], fingerprint: (key) => options.fingerprint(key) }));
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
      authHandler: (_left: AuthenticationType[] | null, _partial: boolean | null, next) => {
        const method = methods.shift();
        if (!method) return next(false as unknown as AuthenticationType);
        triedMethods.push(methodLabel(method));
        return next(method);
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
