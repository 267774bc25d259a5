import { EventEmitter } from 'node:events';
import { parseIpAddress } from '../../../../shared/domain/address.js';
import { NETCONSOLE_DEFAULT_PORT, receiverConfigSchema, type NetdumpMessage, type NetdumpPanic, type ReceiverConfig, type ReceiverState } from '../../../../shared/domain/netdump.js';
import { BacklineError } from '../../../../shared/errors.js';
import type { CaptureDelta, CapturesRepo } from '../../store/captures-repo.js';
import { encodeRecord, captureFileFor } from '../captures/format.js';
import { CaptureWriter, type WriteTicket } from '../captures/writer.js';
import { SenderAssembler, defaultAssemblerOptions, isoAt, type AssemblerEvent, type AssemblerOptions } from '../parse/assembler.js';
import { bindError } from './bind-error.js';
import { BindFailure, openSocket, type ArrivedDatagram, type OpenSocket } from './socket-worker.js';

/**
 * The netconsole receiver: a UDP socket on a chosen address and port. Every datagram is appended to its
 * sender's capture file before anything else is done with it; then it is parsed, and messages, losses,
 * reboots and panics go out as events. A panic is given out once its bytes are on disk, so the capture
 * it points to holds it. The capture index in the workspace store is updated about once a second.
 */

export const DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;

export interface ReceiverOptions {
  /** The data folder: captures go under `<dataDir>/netdump/`. */
  dataDir: string;
  captures: CapturesRepo;
  now?: () => Date;
  /** Asked of the OS for the socket; it may grant less (Linux: net.core.rmem_max). */
  recvBufferSize?: number;
  /** How often held fragments and quiet panics are looked at. */
  tickMs?: number;
  /** How often the capture index is brought up to date (each update is a synchronous SQLite commit on this thread). */
  indexMs?: number;
  assembler?: AssemblerOptions;
}

export interface ReceiverEvents {
  message: [NetdumpMessage];
  panic: [NetdumpPanic];
  lost: [{ sender: string; count: number; fromSeq: number; toSeq: number }];
  reboot: [{ sender: string; lastSeq: number; seq: number }];
  state: [ReceiverState];
  /** Writing a capture failed (disk full...): the receiver stops; the error says why. */
  error: [BacklineError];
}

interface Listening {
  socket: OpenSocket;
  config: ReceiverConfig;
  since: string;
  recvBufferSize: number;
}

/** `::ffff:10.0.2.15` (an IPv4 sender on a `::` socket) is the IPv4 sender 10.0.2.15. */
const senderAddress = (address: string): string => (address.length > 7 && address.charCodeAt(0) === 0x3a ? address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1') : address);

export class NetdumpReceiver extends EventEmitter<ReceiverEvents> {
  private listening: Listening | null = null;
  private failed: { config: ReceiverConfig; error: BacklineError } | null = null;
  private writer: CaptureWriter;
  private readonly assemblers = new Map<string, SenderAssembler>();
  private deltas = new Map<string, CaptureDelta>();
  private readonly files = new Map<string, { day: number; file: string }>();
  private counts = { datagrams: 0, bytes: 0 };
  private tickTimer: NodeJS.Timeout | null = null;
  private indexTimer: NodeJS.Timeout | null = null;
  private readonly now: () => Date;

  constructor(private readonly options: ReceiverOptions) {
    super();
    this.now = options.now ?? (() => new Date());
    this.writer = new CaptureWriter(options.dataDir);
  }

  state(): ReceiverState {
    const stored = this.options.captures.receiverConfig();
    const config = this.listening?.config ?? this.failed?.config ?? (stored ? { address: stored.address, port: stored.port } : { address: '0.0.0.0', port: NETCONSOLE_DEFAULT_PORT });
    const error = this.failed?.error;
    return {
      status: this.listening ? 'listening' : this.failed ? 'failed' : 'stopped',
      address: config.address,
      port: config.port,
      since: this.listening?.since ?? null,
      recvBufferSize: this.listening?.recvBufferSize ?? null,
      datagrams: this.counts.datagrams,
      bytes: this.counts.bytes,
      senders: this.assemblers.size,
      pendingWrites: this.writer.pending,
      error: error ? { code: error.code, message: error.message, hint: error.hint ?? null } : null,
    };
  }

  /** Listens on the address and port (restarting if it listened elsewhere), and remembers it is on. */
  async start(input: ReceiverConfig): Promise<ReceiverState> {
    const config = receiverConfigSchema.parse(input);
    const parsed = parseIpAddress(config.address);
    if (!parsed.ok) {
      throw new BacklineError('VALIDATION_FAILED', `${config.address} is not an address to listen on: ${parsed.problem}`, {
        hint: 'Give an address of this machine, 0.0.0.0 (every IPv4 address) or :: (every IPv4 and IPv6 address).',
      });
    }
    const address = parsed.value.text;
    if (this.listening && this.listening.config.address === address && this.listening.config.port === config.port) return this.state();
    if (this.listening) await this.close();
    // A writer that failed (disk full) stays failed; starting again starts with a fresh one.
    if (this.writer.broken) this.writer = new CaptureWriter(this.options.dataDir);
    let socket: OpenSocket;
    try {
      socket = await openSocket(
        { family: parsed.value.family, address, port: config.port, recvBufferSize: this.options.recvBufferSize ?? DEFAULT_RECEIVE_BUFFER },
        (datagrams) => {
          for (const datagram of datagrams) this.receive(datagram);
        },
        (message) => this.report(new BacklineError('NETDUMP_RECEIVER_FAILED', `The receiver on ${address}:${config.port} failed: ${message}.`, { hint: 'Start it again; if it fails again, choose another address or port.' })),
      );
    } catch (error) {
      const failure = error instanceof BindFailure ? Object.assign(new Error(error.message), { code: error.code }) : (error as Error);
      const problem = bindError(failure, address, config.port);
      this.failed = { config: { address, port: config.port }, error: problem };
      this.emit('state', this.state());
      throw problem;
    }
    this.failed = null;
    this.listening = { socket, config: { address, port: config.port }, since: this.now().toISOString(), recvBufferSize: socket.recvBufferSize };
    this.counts = { datagrams: 0, bytes: 0 };
    this.tickTimer = setInterval(() => this.tick(), this.options.tickMs ?? 100);
    this.indexTimer = setInterval(() => this.saveIndex(), this.options.indexMs ?? 2000);
    this.options.captures.saveReceiverConfig({ enabled: true, address, port: config.port }, this.now().toISOString());
    const state = this.state();
    this.emit('state', state);
    return state;
  }

  /** Stops listening and remembers it is off (it will not listen again after a restart). */
  async stop(): Promise<ReceiverState> {
    const config = this.listening?.config ?? this.failed?.config;
    await this.close();
    this.failed = null;
    if (config) this.options.captures.saveReceiverConfig({ enabled: false, address: config.address, port: config.port }, this.now().toISOString());
    const state = this.state();
    this.emit('state', state);
    return state;
  }

  /** At Backline's start: listens again if it was on when Backline stopped. A failure is in the state, not thrown. */
  async resumeIfWasOn(): Promise<ReceiverState> {
    const stored = this.options.captures.receiverConfig();
    if (!stored?.enabled) return this.state();
    try {
      return await this.start({ address: stored.address, port: stored.port });
    } catch {
      return this.state();
    }
  }

  /**
   * Stops listening without changing what is remembered (Backline is closing): held fragments and
   * open panics are given out, every datagram received is written, the index brought up to date.
   */
  async close(): Promise<void> {
    const listening = this.listening;
    this.listening = null;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.indexTimer) clearInterval(this.indexTimer);
    this.tickTimer = this.indexTimer = null;
    // Every datagram the socket read is handed over (and appended) before this goes on.
    if (listening) await listening.socket.close();
    for (const assembler of this.assemblers.values()) this.dispatch(assembler.finish(), null);
    await this.writer.drained();
    // Panics given out above wait for the disk; let them go before the index is saved.
    await new Promise((resolve) => setImmediate(resolve));
    this.saveIndex();
  }

  /** Everything received so far is on disk and indexed. */
  async flush(): Promise<void> {
    await this.writer.drained();
    this.saveIndex();
  }

  onMessage(listener: (message: NetdumpMessage) => void): () => void {
    this.on('message', listener);
    return () => this.off('message', listener);
  }

  onPanic(listener: (panic: NetdumpPanic) => void): () => void {
    this.on('panic', listener);
    return () => this.off('panic', listener);
  }

  onState(listener: (state: ReceiverState) => void): () => void {
    this.on('state', listener);
    return () => this.off('state', listener);
  }

  /**
   * Waits for a message containing `marker` (from `sender`, or from anyone when null): the verification
   * that a server's netconsole reaches us. Resolves with the message, or null after `timeoutMs`.
   */
  waitForMarker(sender: string | null, marker: string, timeoutMs: number): Promise<NetdumpMessage | null> {
    return new Promise((resolve) => {
      const stop = this.onMessage((message) => {
        if ((sender === null || message.sender === senderAddress(sender)) && message.text.includes(marker)) {
          clearTimeout(timer);
          stop();
          resolve(message);
        }
      });
      const timer = setTimeout(() => {
        stop();
        resolve(null);
      }, timeoutMs);
    });
  }

  private receive({ bytes, address, port, receivedAtMs: nowMs }: ArrivedDatagram): void {
    const sender = senderAddress(address);
    const file = this.fileFor(sender, nowMs);
    // First the disk: nothing else happens to a datagram before it is queued for its capture file.
    let written;
    try {
      written = this.writer.append(file, encodeRecord(bytes, nowMs, port));
    } catch (error) {
      this.writeFailed(error as Error);
      return;
    }
    const { offset, ticket } = written;
    this.counts.datagrams++;
    this.counts.bytes += bytes.length;
    let assembler = this.assemblers.get(sender);
    if (!assembler) {
      assembler = new SenderAssembler(sender, this.options.assembler ?? defaultAssemblerOptions);
      this.assemblers.set(sender, assembler);
    }
    const delta = this.delta(sender, file, nowMs);
    delta.datagrams++;
    delta.bytes += bytes.length;
    this.dispatch(assembler.feed({ bytes, receivedAtMs: nowMs, capture: { file, offset } }), ticket);
  }

  /** The sender's capture file for the day, remembered: building and hashing the name per datagram shows in a burst. */
  private fileFor(sender: string, atMs: number): string {
    const day = Math.floor(atMs / 86_400_000);
    const known = this.files.get(sender);
    if (known?.day === day) return known.file;
    const file = captureFileFor(sender, atMs);
    this.files.set(sender, { day, file });
    if (known) void this.writer.release(known.file).catch(() => undefined);
    return file;
  }

  private delta(sender: string, file: string, atMs: number): CaptureDelta {
    const at = isoAt(atMs);
    let delta = this.deltas.get(file);
    if (!delta) {
      delta = { sender, file, firstSeen: at, lastSeen: at, datagrams: 0, bytes: 0, messages: 0, lost: 0, reboots: 0, panics: 0, kernelRelease: null };
      this.deltas.set(file, delta);
    }
    delta.lastSeen = at;
    return delta;
  }

  private dispatch(events: AssemblerEvent[], ticket: WriteTicket | null): void {
    for (const event of events) {
      switch (event.type) {
        case 'message': {
          const { message } = event;
          if (message.capture) (this.deltas.get(message.capture.file) ?? this.delta(message.sender, message.capture.file, Date.parse(message.receivedAt))).messages++;
          this.emit('message', message);
          break;
        }
        case 'lost':
          this.deltaFor(event.sender).lost += event.count;
          this.emit('lost', event);
          break;
        case 'reboot':
          this.deltaFor(event.sender).reboots++;
          this.emit('reboot', event);
          break;
        case 'panic': {
          const { panic } = event;
          const file = panic.capture?.file;
          if (file) this.delta(panic.sender, file, Date.parse(panic.lastAt)).panics++;
          // Given out once its bytes are on disk: the finding's pointer to the capture holds.
          const waitFor: WriteTicket | undefined = ticket ?? undefined;
          this.writer.drained(waitFor).then(
            () => this.emit('panic', panic),
            (error: Error) => this.writeFailed(error),
          );
          break;
        }
      }
    }
  }

  /** Said once: the owner (the handlers) stops the receiver, the state says why. */
  private writeFailed(error: Error): void {
    if (this.failed) return;
    const problem = new BacklineError('NETDUMP_RECEIVER_FAILED', `A capture file could not be written in ${this.options.dataDir}: ${error.message}.`, {
      hint: 'Check the free space and permissions of the data folder, then start the receiver again.',
    });
    this.failed = { config: this.listening?.config ?? { address: '0.0.0.0', port: NETCONSOLE_DEFAULT_PORT }, error: problem };
    this.report(problem);
  }

  /** An 'error' with nobody listening would throw out of the socket's handler: then the state alone says it. */
  private report(problem: BacklineError): void {
    if (this.listenerCount('error') > 0) this.emit('error', problem);
  }

  /** The delta of the sender's current capture file (lost and reboots are counted where they were seen). */
  private deltaFor(sender: string): CaptureDelta {
    const nowMs = Date.now();
    return this.delta(sender, this.fileFor(sender, nowMs), nowMs);
  }

  private tick(): void {
    const nowMs = Date.now();
    for (const assembler of this.assemblers.values()) if (assembler.holding) this.dispatch(assembler.tick(nowMs), null);
  }

  private saveIndex(): void {
    if (this.deltas.size === 0) return;
    const deltas = [...this.deltas.values()];
    this.deltas = new Map();
    for (const delta of deltas) delta.kernelRelease = this.assemblers.get(delta.sender)?.stats.kernelRelease ?? null;
    this.options.captures.apply(deltas);
  }
}
