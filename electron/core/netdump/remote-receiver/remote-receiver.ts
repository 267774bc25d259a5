import { randomBytes } from 'node:crypto';
import type { RemoteReceiver } from '../../../../shared/contract/netdump.js';
import { BacklineError } from '../../../../shared/errors.js';
import type { CaptureRecord } from '../captures/format.js';
import { SenderAssembler, type AssemblerEvent } from '../parse/assembler.js';
import type { RemoteRunner } from '../../ssh/remote.js';
import type { StoredServer } from '../../store/servers-repo.js';
import type { Workspace } from '../../workspace/workspace.js';
import { parseFetch, parseList, parseRemoteProbe, parseStart, senderOfFile, type RemoteProbe } from './parse.js';
import { fetchArgv, listArgv, probeArgv, startArgv, stopArgv } from './scripts.js';

/**
 * Receivers run on a server of the customer's network, as the engineer asks: started over SSH with the
 * tool the server has (python3, else socat), for a limited time, detached; their files streamed back
 * by offset and parsed with the local receiver's parser (parse/assembler.ts). Which receivers exist is
 * read from the servers themselves (`list`), so a restart of Backline loses none.
 */

export interface RemoteReceiverEvents {
  /** Whole records streamed back from one sender's file (to keep in the local captures, say). */
  onRecords?: (receiver: RemoteReceiver, sender: string, records: CaptureRecord[]) => void;
  /** What the parser made of them: messages, losses, reboots, panics. */
  onEvents?: (receiver: RemoteReceiver, events: AssemblerEvent[]) => void;
}

/** Each fetch brings at most this much of each file; the rest comes with the next. */
const FETCH_BYTES = 1024 * 1024;

interface Tracked {
  receiver: RemoteReceiver;
  offsets: Record<string, number>;
  assemblers: Map<string, SenderAssembler>;
  follow: NodeJS.Timeout | null;
}

export class RemoteReceivers {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly ws: Workspace,
    private readonly remote: RemoteRunner,
    private readonly events: RemoteReceiverEvents = {},
  ) {}

  private async script(server: StoredServer, argv: string[], purpose: string, port?: number) {
    // A port below 1024 needs root; any other runs as the login user (its home keeps the files).
    return this.remote.runOk({ server, argv, sudo: port !== undefined && port < 1024 ? 'unless-root' : false, purpose, timeoutMs: 30_000, viaStdin: true });
  }

  /** What the server has to run a receiver with. Read-only. */
  async probe(serverId: number): Promise<RemoteProbe> {
    const server = this.ws.servers.get(serverId);
    return parseRemoteProbe((await this.script(server, probeArgv(), 'Looking for python3, socat or rsyslog')).stdout.text);
  }

  async start(input: { ticketId: string; serverId: number; address: string; port: number; minutes: number }): Promise<RemoteReceiver> {
    const server = this.ws.servers.get(input.serverId);
    if (server.ticketId !== input.ticketId) throw new BacklineError('VALIDATION_FAILED', `Server ${server.label} belongs to ${server.ticketId}.`);
    const probe = await this.probe(server.id);
    if (!probe.tool) throw new BacklineError('VALIDATION_FAILED', `A receiver cannot run on ${server.label}: ${probe.notes.join(' ')}`, { hint: 'Choose another server of the customer’s network, or install python3 there.' });
    const id = `${input.ticketId.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    const seconds = input.minutes * 60;
    const result = await this.script(server, startArgv({ id, tool: probe.tool, address: input.address, port: input.port, seconds, ticketId: input.ticketId }), `Starting a netconsole receiver on ${input.address}:${input.port} for ${input.minutes} min`, input.port);
    const started = parseStart(result.stdout.text);
    const now = this.ws.now();
    const receiver: RemoteReceiver = {
      id,
      ticketId: input.ticketId,
      serverId: server.id,
      serverLabel: server.label,
      tool: probe.tool,
      address: input.address,
      port: input.port,
      directory: started.directory ?? '',
      pid: started.pid,
      startedAt: now,
      endsAt: new Date(Date.parse(now) + seconds * 1000).toISOString(),
      status: started.running ? 'running' : 'failed',
      senders: [],
      note: started.running ? (probe.notes.join(' ') || null) : started.failure,
    };
    this.ws.change((tx) =>
      tx.record({
        ticketId: input.ticketId,
        action: 'netdump.remote-started',
        summary: started.running ? `${server.label}: netconsole receiver ${id} (${probe.tool}) on ${input.address}:${input.port} until ${receiver.endsAt}` : `${server.label}: the netconsole receiver did not start: ${started.failure ?? '?'}`,
        detail: { id, tool: probe.tool, directory: receiver.directory, pid: started.pid, log: started.log },
      }),
    );
    if (!started.running) {
      throw new BacklineError('REMOTE_COMMAND_FAILED', `The receiver on ${server.label} did not start: ${started.failure ?? 'no reason given'}.`, {
        hint: /in use/i.test(started.failure ?? '') ? `Port ${input.port} is taken on ${server.label}: choose another port.` : 'The start is in the audit log with what the server said.',
      });
    }
    this.tracked.set(id, { receiver, offsets: {}, assemblers: new Map(), follow: null });
    return receiver;
  }

  /** The ticket's receivers, as their servers report them now (a receiver past its time limit is `expired`). */
  async list(ticketId: string): Promise<RemoteReceiver[]> {
    const out: RemoteReceiver[] = [];
    for (const server of this.ws.servers.listForTicket(ticketId)) {
      const known = [...this.tracked.values()].some((t) => t.receiver.serverId === server.id);
      let listed;
      try {
        listed = parseList((await this.script(server, listArgv(), 'Listing netconsole receivers')).stdout.text);
      } catch (error) {
        if (known) for (const t of this.tracked.values()) if (t.receiver.serverId === server.id) out.push({ ...t.receiver, note: `Could not be read now: ${error instanceof Error ? error.message : String(error)}` });
        continue;
      }
      for (const r of listed.receivers.filter((l) => l.ticketId === ticketId)) {
        const tracked = this.tracked.get(r.id);
        const startedAt = r.startedAt !== null ? new Date(r.startedAt * 1000).toISOString() : (tracked?.receiver.startedAt ?? this.ws.now());
        const endsAt = new Date(Date.parse(startedAt) + (r.seconds ?? 0) * 1000).toISOString();
        const status: RemoteReceiver['status'] = r.running ? 'running' : r.stoppedByBackline ? 'stopped' : Date.parse(endsAt) <= Date.parse(this.ws.now()) + 5000 ? 'expired' : 'failed';
        const receiver: RemoteReceiver = {
          id: r.id,
          ticketId,
          serverId: server.id,
          serverLabel: server.label,
          tool: r.tool === 'socat' ? 'socat' : 'python3',
          address: r.address ?? '?',
          port: r.port ?? 0,
          directory: r.directory ?? '',
          pid: r.pid,
          startedAt,
          endsAt,
          status,
          senders: r.files.map((f) => {
            const address = senderOfFile(f.name);
            return { address, bytes: f.size, messages: tracked?.assemblers.get(address)?.stats.messages ?? 0 };
          }),
          note: status === 'failed' ? `It stopped before its time limit: ${r.lastLog ?? 'no log line'}` : null,
        };
        if (tracked) tracked.receiver = receiver;
        else this.tracked.set(r.id, { receiver, offsets: {}, assemblers: new Map(), follow: null });
        out.push(receiver);
      }
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  private get(id: string): Tracked {
    const tracked = this.tracked.get(id);
    if (!tracked) throw new BacklineError('NOT_FOUND', `No remote receiver ${id} is known.`, { hint: "List the ticket's receivers again." });
    return tracked;
  }

  /**
   * Streams back what the receiver's files gained since the last fetch (by offset) and parses it per
   * sender with the local receiver's parser. Returns the events the parser gave.
   */
  async fetch(id: string): Promise<AssemblerEvent[]> {
    const tracked = this.get(id);
    const server = this.ws.servers.get(tracked.receiver.serverId);
    const fetched = parseFetch((await this.script(server, fetchArgv(id, FETCH_BYTES, tracked.offsets), `Fetching the captures of receiver ${id}`)).stdout.text);
    if (fetched.missing) throw new BacklineError('NOT_FOUND', `Receiver ${id}'s directory is gone from ${server.label}.`);
    const events: AssemblerEvent[] = [];
    const senders = new Map(tracked.receiver.senders.map((s) => [s.address, s]));
    for (const file of fetched.files) {
      const sender = senderOfFile(file.name);
      tracked.offsets[file.name] = file.next;
      let assembler = tracked.assemblers.get(sender);
      if (!assembler) tracked.assemblers.set(sender, (assembler = new SenderAssembler(sender)));
      if (file.records.length > 0) this.events.onRecords?.(tracked.receiver, sender, file.records);
      for (const record of file.records) events.push(...assembler.feed({ bytes: record.bytes, receivedAtMs: record.receivedAtMs, capture: { file: `${tracked.receiver.directory}/${file.name}`, offset: record.offset } }));
      events.push(...assembler.tick(Date.now()));
      senders.set(sender, { address: sender, bytes: file.size, messages: assembler.stats.messages });
    }
    tracked.receiver = { ...tracked.receiver, senders: [...senders.values()] };
    if (events.length > 0) this.events.onEvents?.(tracked.receiver, events);
    return events;
  }

  /** Fetches every `intervalMs` until stopped (or the receiver is gone); errors end the following. */
  follow(id: string, intervalMs = 2000): void {
    const tracked = this.get(id);
    if (tracked.follow) return;
    const tick = () => {
      void this.fetch(id)
        .then(() => {
          if (tracked.follow) tracked.follow = setTimeout(tick, intervalMs).unref();
        })
        .catch(() => {
          tracked.follow = null;
        });
    };
    tracked.follow = setTimeout(tick, intervalMs).unref();
  }

  /** Stops it on its server (its files stay there), after a last fetch of what it received. */
  async stop(id: string): Promise<RemoteReceiver> {
    const tracked = this.get(id);
    if (tracked.follow) clearTimeout(tracked.follow);
    tracked.follow = null;
    const server = this.ws.servers.get(tracked.receiver.serverId);
    const said = (await this.script(server, stopArgv(id), `Stopping netconsole receiver ${id}`)).stdout.text.trim();
    await this.fetch(id).catch(() => []);
    for (const assembler of tracked.assemblers.values()) {
      const rest = assembler.finish();
      if (rest.length > 0) this.events.onEvents?.(tracked.receiver, rest);
    }
    tracked.receiver = { ...tracked.receiver, status: said === 'stopped' ? 'stopped' : tracked.receiver.status === 'running' ? 'expired' : tracked.receiver.status, note: said === 'stopped' ? null : 'It had already stopped (its time limit, or the server ended it).' };
    this.ws.change((tx) => tx.record({ ticketId: tracked.receiver.ticketId, action: 'netdump.remote-stopped', summary: `${server.label}: netconsole receiver ${id} ${said === 'stopped' ? 'stopped' : 'had already stopped'}`, detail: { id, senders: tracked.receiver.senders } }));
    return tracked.receiver;
  }

  /** Ends the following timers (Backline closing); the receivers keep running on their servers until their time limit. */
  close(): void {
    for (const t of this.tracked.values()) if (t.follow) clearTimeout(t.follow);
  }
}
