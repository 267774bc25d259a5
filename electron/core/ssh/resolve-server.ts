import type { ResolvedHop } from '../../../shared/domain/server.js';
import { BacklineError } from '../../../shared/errors.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Credentials, Hop, KeySource } from './connect.js';
import { parseSshConfig, resolveChain, SshConfigError, TEXT_ONLY, type ConfigNote, type ParsedSshConfig, type ResolvedHost, type SshEnv } from './ssh-config.js';
import type { Secrets } from './sessions.js';

export interface LocalSsh {
  env: SshEnv;
  /** SSH_AUTH_SOCK, when set. */
  agentSocket: string | undefined;
  /**
   * ~/.ssh/config, parsed with a file reader so its Includes are read as ssh reads them; re-read at every
   * call, so an edit counts at once. Throws SshConfigError when ssh would refuse it.
   */
  config(): ParsedSshConfig;
  /** Is there a regular file at `path`? (Looked at, never opened: cheap and never blocks.) */
  isFile(path: string): boolean;
  /** A private key file's text, read asynchronously, regular files only and size-capped (key-file.ts). */
  readKeyFile(path: string): Promise<string>;
}

/**
 * The engineer's choices for this server, written as a Host block placed before ~/.ssh/config: ssh
 * takes the first value it finds, so these win exactly as `ssh -o` options would. Every value was
 * validated at the contract (no spaces, quotes or control characters can reach here).
 */
export function overrideBlock(server: Pick<StoredServer, 'host' | 'port' | 'user' | 'keyFile' | 'jump'>): string {
  const lines = [`Host ${server.host}`];
  if (server.port !== null) lines.push(`  Port ${server.port}`);
  if (server.user !== null) lines.push(`  User ${server.user}`);
  if (server.keyFile !== null) lines.push(`  IdentityFile "${server.keyFile}"`);
  if (server.jump !== null) lines.push(`  ProxyJump ${server.jump}`);
  return lines.length > 1 ? `${lines.join('\n')}\n\n` : '';
}

/**
 * What ssh reads for this server, in order: its own settings (as `-o` options), then ~/.ssh/config with
 * its Includes. Each starts outside any Host block, as ssh starts each file.
 */
export function serverConfigs(server: Pick<StoredServer, 'host' | 'port' | 'user' | 'keyFile' | 'jump'>, local: LocalSsh): ParsedSshConfig[] {
  const own = parseSshConfig(overrideBlock(server), { home: local.env.home, reader: TEXT_ONLY, file: "this server's settings" });
  return [own, local.config()];
}

/** Hop by hop, what `ssh <host>` would connect to with this server's settings and ~/.ssh/config. */
export function resolveServerChain(server: StoredServer, local: LocalSsh): ResolvedHost[] {
  try {
    const chain = resolveChain(serverConfigs(server, local), server.host, local.env);
    const proxied = chain.find((hop) => hop.proxyCommand !== undefined);
    if (proxied) {
      throw new BacklineError('VALIDATION_FAILED', `${proxied.alias} is reached with a ProxyCommand in ~/.ssh/config, which Backline does not run.`, {
        hint: 'Use ProxyJump for that host instead, or give a jump host for this server.',
      });
    }
    return chain;
  } catch (error) {
    if (error instanceof SshConfigError) {
      throw new BacklineError('VALIDATION_FAILED', `~/.ssh/config: ${error.message}`, { hint: 'Fix the ssh config, or set host, port, user and jump host on the server itself.' });
    }
    throw error;
  }
}

export function describeChain(chain: ResolvedHost[], server: StoredServer, local: LocalSsh): ResolvedHop[] {
  return chain.map((hop, index) => {
    const isTarget = index === chain.length - 1;
    const auth = isTarget ? server.auth : 'auto';
    return {
      label: hop.alias,
      host: hop.hostName,
      port: hop.port,
      user: hop.user,
      identityFiles: auth === 'agent' || auth === 'password' ? [] : hop.identityFiles.filter((file) => !hop.identityFilesAreDefaults || local.isFile(file)),
      usesAgent: (auth === 'auto' || auth === 'agent') && local.agentSocket !== undefined,
      notes: hop.notes.map((note) => routeNote(note, local.env.home)),
    };
  });
}

/** A note as the route shows it: paths under the home written with `~`, as the engineer writes them. */
export function routeNote(note: ConfigNote, home: string): ConfigNote {
  const base = home.replace(/\/+$/, '');
  const tilde = (text: string) => (base === '' ? text : text.split(`${base}/`).join('~/'));
  return { kind: note.kind, at: tilde(note.at), message: tilde(note.message) };
}

/** Turns the resolved chain into hops with credentials; key files are read when their hop is reached. */
export function hopsFor(server: StoredServer, local: LocalSsh, secrets: Secrets): Hop[] {
  const chain = resolveServerChain(server, local);
  return chain.map((hop, index) => {
    const isTarget = index === chain.length - 1;
    const auth = isTarget ? server.auth : 'auto';
    // The key file typed for this server must be usable; others named in ~/.ssh/config are skipped when
    // missing, as ssh does (it warns and tries the rest).
    const strictKey = isTarget && server.keyFile !== null ? hop.identityFiles[0] : undefined;
    const keys = auth === 'agent' || auth === 'password' ? [] : keySources(hop, local, strictKey);
    const credentials: Credentials = {
      agentSocket: auth === 'auto' || auth === 'agent' ? local.agentSocket : undefined,
      keys,
      passphrase: isTarget ? secrets.passphrase : undefined,
      password: isTarget && (auth === 'auto' || auth === 'password') ? secrets.password : undefined,
    };
    // Host keys are recorded under HostKeyAlias when the config sets one, as ssh does.
    return {
      label: hop.alias,
      host: hop.hostName,
      port: hop.port,
      user: hop.user,
      credentials,
      hostKeyName: hop.hostKeyAlias ?? hop.hostName,
      keepaliveIntervalS: hop.serverAliveInterval,
      connectTimeoutMs: hop.connectTimeout !== undefined ? hop.connectTimeout * 1000 : undefined,
    };
  });
}

function keySources(hop: ResolvedHost, local: LocalSsh, strictPath: string | undefined): KeySource[] {
  return hop.identityFiles.map((path) => ({ path, required: path === strictPath, read: () => local.readKeyFile(path) }));
}
