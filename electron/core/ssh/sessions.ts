import type { ClientChannel } from 'ssh2';
import type { Server } from '../../../shared/domain/server.js';
import { BacklineError } from '../../../shared/errors.js';
import { ChannelLimit } from './channel-limit.js';
import { connectChain, type ConnectOptions, type Connection, type Hop } from './connect.js';
import { ChannelRefused, execOnClient, type ExecOptions, type ExecResult } from './remote-exec.js';

export type ConnectionState = Server['connection'];

const SESSION_RETRIES = 6;

/**
 * Handshakes in flight at once, by default. Each costs both ends CPU (key exchange, signatures, the
 * server forking its session): a fan-out to 200 new servers starting all at once makes them compete
 * for the cores and each take longer; queued, they finish sooner in total. A queued handshake's
 * connect timeout starts when it leaves the queue.
 */
export const HANDSHAKE_CONCURRENCY = 16;

/** At most `limit` tasks at once; the others wait their turn, first come first served. */
export class Concurrency {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(public limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.active <= this.limit ? this.waiting.shift() : undefined;
      if (next) next();
      else this.active--;
    }
  }
}

export interface Secrets {
  password?: string | undefined;
  passphrase?: string | undefined;
}

interface Session {
  connection: Connection;
  channels: ChannelLimit;
  state: ConnectionState;
}

export interface SessionsDeps {
  options: ConnectOptions;
  /** Channels per connection; below sshd's default MaxSessions of 10, leaving room for a kill channel. */
  channelsPerConnection: number;
  /** Handshakes at once ({@link HANDSHAKE_CONCURRENCY} by default). */
  handshakeConcurrency?: number;
  onStateChange(serverId: number, state: ConnectionState): void;
}

/**
 * The main side's SSH sessions, one per server: opened on demand, reused for every command, watched
 * for death (keepalive, socket close), reopened on request. Secrets typed in the window live only here,
 * in memory, for as long as Backline runs.
 */
export class SshSessions {
  private readonly sessions = new Map<number, Session>();
  private readonly connecting = new Map<number, Promise<Session>>();
  private readonly secrets = new Map<number, Secrets>();
  /** New connections' handshakes, bounded (readable and settable, for benchmarks). */
  readonly handshakes: Concurrency;

  constructor(private readonly deps: SessionsDeps) {
    this.handshakes = new Concurrency(deps.handshakeConcurrency ?? HANDSHAKE_CONCURRENCY);
  }

  state(serverId: number): ConnectionState {
    if (this.connecting.has(serverId)) return 'connecting';
    return this.sessions.get(serverId)?.state ?? 'disconnected';
  }

  rememberSecrets(serverId: number, secrets: Secrets): void {
    if (secrets.password === undefined && secrets.passphrase === undefined) return;
    this.secrets.set(serverId, { ...this.secrets.get(serverId), ...secrets });
  }

  forgetSecrets(serverId: number): void {
    this.secrets.delete(serverId);
  }

  secretsFor(serverId: number): Secrets {
    return this.secrets.get(serverId) ?? {};
  }

  /** The live session, or a new one; a lost session is replaced (reconnect on demand). */
  async session(serverId: number, hops: () => Hop[]): Promise<Session> {
    const current = this.sessions.get(serverId);
    if (current?.state === 'connected') return current;
    const pending = this.connecting.get(serverId);
    if (pending) return pending;
    const route = hops();
    const attempt = this.handshakes.run(() => this.open(serverId, route));
    this.connecting.set(serverId, attempt);
    this.deps.onStateChange(serverId, 'connecting');
    try {
      const session = await attempt;
      this.connecting.delete(serverId);
      this.deps.onStateChange(serverId, 'connected');
      return session;
    } catch (error) {
      this.connecting.delete(serverId);
      this.deps.onStateChange(serverId, this.state(serverId));
      throw error;
    }
  }

  private async open(serverId: number, hops: Hop[]): Promise<Session> {
    this.sessions.get(serverId)?.connection.close();
    this.sessions.delete(serverId);
    const connection = await connectChain(hops, this.deps.options);
    // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold each small exec packet ~40 ms:
    // a warm command took ~95 ms with it off, ~5.5 ms with it on (lab, loopback). OpenSSH sets it too.
    for (const client of [connection.client, ...connection.jumps]) client.setNoDelay(true);
    const session: Session = { connection, channels: new ChannelLimit(this.deps.channelsPerConnection), state: 'connected' };
    const lost = () => {
      if (this.sessions.get(serverId) !== session || session.state !== 'connected') return;
      session.state = 'lost';
      this.deps.onStateChange(serverId, 'lost');
    };
    // Keepalive failures and dropped sockets both end in 'close'; a jump host dying takes the target with it.
    for (const client of [connection.client, ...connection.jumps]) {
      client.on('close', lost);
      client.on('error', lost);
    }
    this.sessions.set(serverId, session);
    return session;
  }

  async exec(serverId: number, hops: () => Hop[], argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const session = await this.session(serverId, hops);
    for (let attempt = 0; ; attempt++) {
      await session.channels.acquire();
      const open = session.channels.open;
      try {
        return await execOnClient(session.connection.client, argv, options);
      } catch (error) {
        if (session.state !== 'connected') {
          throw new BacklineError('SSH_CONNECTION_LOST', 'The connection was lost before the command could start.', { hint: 'Reconnect and run it again.' });
        }
        if (!(error instanceof ChannelRefused)) throw error;
        // More of ours were open than sshd's MaxSessions allows: learn it and wait for a turn. Otherwise
        // sshd frees a slot a moment after a channel closes on our side (or a terminal holds one): retry a few times.
        if (!session.channels.refused(open)) {
          if (attempt >= SESSION_RETRIES) {
            throw new BacklineError('SSH_SESSION_LIMIT', 'The server refused to open another session on this connection.', {
              hint: 'Its sshd limits sessions per connection (MaxSessions): close terminals on this server, or run the command again when others have finished.',
            });
          }
          await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        }
      } finally {
        session.channels.release();
      }
    }
  }

  /** An interactive shell with a pty on the server's session. */
  async shell(serverId: number, hops: () => Hop[], size: { cols: number; rows: number }): Promise<ClientChannel> {
    const session = await this.session(serverId, hops);
    return new Promise((resolve, reject) => {
      session.connection.client.shell({ term: 'xterm-256color', cols: size.cols, rows: size.rows }, (error, channel) => {
        if (error) {
          reject(new BacklineError('SSH_CONNECTION_LOST', `The server refused a shell: ${error.message}`, { hint: 'Close other terminals on this server (sshd limits sessions per connection) or reconnect.' }));
        } else resolve(channel);
      });
    });
  }

  disconnect(serverId: number): void {
    const session = this.sessions.get(serverId);
    this.sessions.delete(serverId);
    if (session) {
      session.state = 'disconnected';
      session.connection.close();
    }
    this.deps.onStateChange(serverId, 'disconnected');
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.disconnect(id);
  }
}
