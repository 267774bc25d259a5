import type { NetdumpPanicEvent, RemoteReceiver } from '../../../shared/contract/netdump.js';
import { MAX_MESSAGES_PER_EVENT } from '../../../shared/contract/netdump.js';
import { hostPort } from '../../../shared/domain/address.js';
import type { NetdumpMessage, NetdumpPanic } from '../../../shared/domain/netdump.js';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import type { RemoteRunner } from '../ssh/remote.js';
import { CapturesRepo } from '../store/captures-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { readCapturePage } from './capture-page.js';
import { NetconsoleClient, type VerifyOptions } from './client/netconsole.js';
import { NetdumpReceiver } from './receiver/receiver.js';
import { recordPanic, systemResolver } from './receiver/record-panic.js';
import { RemoteReceivers } from './remote-receiver/remote-receiver.js';
import type { Resolver } from './receiver/panic-finding.js';

/** How often, at most, parsed messages (and the receiver's counts) go out to the windows. */
const MESSAGE_BATCH_MS = 250;
const STATE_EVERY_MS = 1000;

type ReceiverMethods = 'netdump.receiver.state' | 'netdump.receiver.start' | 'netdump.receiver.stop' | 'netdump.captures.list' | 'netdump.captures.messages' | 'netdump.panics.list';
type ClientMethods = 'netdump.preflight' | 'netdump.preview' | 'netdump.apply' | 'netdump.remove' | 'netdump.verify' | 'netdump.fleet.status' | 'netdump.fleet.setup';
type RemoteMethods = 'netdump.remote.start' | 'netdump.remote.list' | 'netdump.remote.stop';

export interface NetdumpOptions {
  ws: Workspace;
  remote: RemoteRunner;
  /** The data folder: captures go under `<dataDir>/netdump/`. */
  dataDir: string;
  log: (message: string, error: unknown) => void;
  /** How a server's host name is resolved to tell which server a sender is (default: the system's resolver). */
  resolve?: Resolver;
  /** The receiver's socket buffer, asked of the OS (tests keep it small). */
  recvBufferSize?: number;
}

export interface Netdump {
  handlers: HandlerGroup<ReceiverMethods | ClientMethods | RemoteMethods>;
  receiver: NetdumpReceiver;
  /** At Backline's start: listens again if the receiver was on when Backline stopped. */
  resume(): Promise<void>;
  /** Backline is closing: stops listening (what is remembered stays), writes what was received. */
  close(): Promise<void>;
}

/**
 * Netdump's I/O: the local receiver and its captures, what the windows hear of them, and a captured
 * panic onto the tickets whose servers sent it. Messages go out in batches (bounded; the capture file
 * keeps every one); the receiver's counts at most once a second.
 */
export function createNetdump(options: NetdumpOptions): Netdump {
  const { ws, dataDir, log } = options;
  const captures = new CapturesRepo(ws.db);
  const receiver = new NetdumpReceiver({ dataDir, captures, ...(options.recvBufferSize ? { recvBufferSize: options.recvBufferSize } : {}) });
  const resolve = options.resolve ?? systemResolver;

  let batch: NetdumpMessage[] = [];
  let more = 0;
  let batchTimer: NodeJS.Timeout | null = null;
  let lastState = 0;
  let stateTimer: NodeJS.Timeout | null = null;
  const publishState = () => {
    stateTimer = null;
    lastState = Date.now();
    ws.publish('netdump.receiver', receiver.state());
  };
  const flushBatch = () => {
    batchTimer = null;
    if (batch.length === 0 && more === 0) return;
    ws.publish('netdump.message', { messages: batch, more });
    batch = [];
    more = 0;
    // The counts follow, once a second at most, and always after the last batch.
    if (!stateTimer) {
      stateTimer = setTimeout(publishState, Math.max(0, lastState + STATE_EVERY_MS - Date.now()));
      stateTimer.unref();
    }
  };
  /** Those waiting for a marker at a remote receiver (its messages arrive in fetches over SSH). */
  const remoteWaiters = new Set<(message: NetdumpMessage) => void>();
  const heard = (message: NetdumpMessage) => {
    if (batch.length < MAX_MESSAGES_PER_EVENT) batch.push(message);
    else more++;
    if (!batchTimer) {
      batchTimer = setTimeout(flushBatch, MESSAGE_BATCH_MS);
      batchTimer.unref();
    }
  };
  receiver.onMessage(heard);
  receiver.onState((state) => {
    lastState = Date.now();
    ws.publish('netdump.receiver', state);
  });
  receiver.on('error', (error) => {
    log('netdump receiver', error);
    void receiver.stop().catch((e: unknown) => log('netdump receiver stop', e));
  });

  const panicked = async (panic: NetdumpPanic) => {
    const { findings, servers } = await recordPanic(ws, panic, resolve);
    const labels = new Map(servers.map((s) => [s.ticketId, s.label]));
    const event: NetdumpPanicEvent = { panic, tickets: findings.map((f) => ({ ticketId: f.ticketId, serverLabel: labels.get(f.ticketId) ?? panic.sender, findingId: f.id })) };
    ws.publish('netdump.panic', event);
  };
  const onPanic = (panic: NetdumpPanic) => void panicked(panic).catch((error: unknown) => log(`recording the panic from ${panic.sender}`, error));
  receiver.onPanic(onPanic);

  // A remote receiver's captures, streamed back and parsed with the same parser, go where the local one's do.
  const remotes = new RemoteReceivers(ws, options.remote, {
    onEvents: (_from, events) => {
      for (const event of events) {
        if (event.type === 'message') {
          heard(event.message);
          for (const waiter of remoteWaiters) waiter(event.message);
        } else if (event.type === 'panic') onPanic(event.panic);
      }
    },
  });
  /** The remote receivers started or listed, by id: which one a verification can wait at. */
  const known = new Map<string, RemoteReceiver>();
  const remember = (receivers: RemoteReceiver[]) => {
    for (const r of receivers) known.set(r.id, r);
    return receivers;
  };

  const client = new NetconsoleClient(ws, options.remote);

  /**
   * Where a server's marker is waited for: the receiver here, when it listens on the port the servers
   * send to. Its address is not compared: behind NAT (QEMU's user networking, a bastion's forward) the
   * servers send to an address that is not the one it listens on. The marker is unique, so any sender
   * counts: the address a datagram comes from is the NAT's, not the server's.
   */
  const receiverFor = (port: number, ticketId: string): Pick<VerifyOptions, 'waitForMarker' | 'receiver'> => {
    const state = receiver.state();
    const remoteOne = [...known.values()].find((r) => r.ticketId === ticketId && r.status === 'running' && r.port === port && Date.parse(r.endsAt) > Date.now());
    if ((state.status !== 'listening' || state.port !== port) && remoteOne) {
      return {
        receiver: `the remote receiver on ${remoteOne.serverLabel} (${hostPort(remoteOne.address, remoteOne.port)})`,
        waitForMarker: (_sender, marker, timeoutMs) =>
          new Promise((resolve) => {
            const waiter = (message: NetdumpMessage) => {
              if (!message.text.includes(marker)) return;
              done({ arrivedAt: message.receivedAt });
            };
            const done = (result: { arrivedAt: string } | null) => {
              clearTimeout(timer);
              remoteWaiters.delete(waiter);
              resolve(result);
            };
            const timer = setTimeout(() => done(null), timeoutMs);
            remoteWaiters.add(waiter);
          }),
      };
    }
    if (state.status !== 'listening' || state.port !== port) {
      const now = state.status === 'listening' ? `it listens on ${hostPort(state.address, state.port)}` : state.status === 'failed' ? `it failed: ${state.error?.message ?? 'unknown error'}` : 'it is stopped';
      throw new BacklineError('CONFLICT', `The marker would be sent to port ${port}, but Backline's receiver does not listen there (${now}).`, {
        hint: `Start the receiver on port ${port} in the Netdump tab (0.0.0.0 hears every IPv4 address), or a remote receiver on that port, then verify again.`,
      });
    }
    return {
      receiver: `the local receiver (${hostPort(state.address, state.port)})`,
      waitForMarker: async (_sender, marker, timeoutMs) => {
        const message = await receiver.waitForMarker(null, marker, timeoutMs);
        return message ? { arrivedAt: message.receivedAt } : null;
      },
    };
  };

  const handlers: HandlerGroup<ReceiverMethods | ClientMethods | RemoteMethods> = {
    'netdump.receiver.state': () => receiver.state(),
    'netdump.receiver.start': async (config) => {
      const state = await receiver.start(config);
      ws.change((tx) => tx.record({ ticketId: null, action: 'netdump.receiver-started', summary: `Netconsole receiver listening on ${config.address}:${config.port} (UDP)`, detail: { ...config, recvBufferSize: state.recvBufferSize } }));
      return state;
    },
    'netdump.receiver.stop': async () => {
      const before = receiver.state();
      const state = await receiver.stop();
      if (before.status === 'listening') {
        ws.change((tx) => tx.record({ ticketId: null, action: 'netdump.receiver-stopped', summary: `Netconsole receiver on ${before.address}:${before.port} stopped`, detail: { datagrams: before.datagrams, bytes: before.bytes } }));
      }
      return state;
    },
    'netdump.captures.list': async ({ sender }) => {
      // The index is brought up to date about once a second; a window asking now sees what was received until now.
      // (A capture that could not be written stops the receiver and is logged; the index is listed as it stands.)
      await receiver.flush().catch(() => undefined);
      return sender ? captures.listForSender(sender).reverse() : captures.list();
    },
    'netdump.captures.messages': async ({ captureId, cursor, limit }) => {
      const entry = captures.get(captureId);
      if (!entry) throw new BacklineError('NOT_FOUND', `There is no capture ${captureId}.`, { hint: 'The capture list may be out of date: read it again.' });
      // What the receiver holds for this file is written first, so the page has every datagram received.
      await receiver.flush().catch(() => undefined);
      try {
        return readCapturePage(dataDir, entry, cursor, limit);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new BacklineError('NOT_FOUND', `The capture file ${entry.file} is no longer in the data folder.`, { hint: 'It was moved or deleted outside Backline; its index entry remains.' });
        }
        throw error;
      }
    },
    'netdump.panics.list': ({ ticketId }) => {
      const stored = captures.listPanics();
      if (!ticketId) return stored.map((s) => s.panic);
      ws.tickets.get(ticketId);
      const onTicket = new Set(ws.findings.listForTicket(ticketId).flatMap((f) => (typeof f.detail.panicId === 'string' ? [f.detail.panicId] : [])));
      return stored.filter((s) => s.ticketId === ticketId || onTicket.has(s.panic.id)).map((s) => s.panic);
    },
    'netdump.preflight': async ({ serverId, target }) => (await client.preflight(serverId, target)).view,
    'netdump.preview': (input) => client.preview(input),
    'netdump.apply': ({ planId }) => client.apply(planId),
    'netdump.remove': ({ planId }) => client.remove(planId),
    'netdump.verify': ({ planId, level, timeoutS }) => {
      const plan = ws.plans.get(planId);
      if (plan.kind !== 'netconsole.target') throw new BacklineError('CONFLICT', `Plan ${planId} is not a netconsole plan.`);
      return client.verify(planId, { ...receiverFor(plan.detail.remotePort, plan.ticketId), ...(level === undefined ? {} : { level }), timeoutMs: timeoutS * 1000 });
    },
    'netdump.fleet.status': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      return client.fleetStatus(ticketId);
    },
    'netdump.fleet.setup': (input) => {
      ws.tickets.get(input.ticketId);
      return client.fleetSetup(input, receiverFor(input.target.port, input.ticketId));
    },
    'netdump.remote.start': async (input) => {
      const started = await remotes.start(input);
      remember([started]);
      // Its files stream back every few seconds until it stops.
      remotes.follow(started.id);
      return started;
    },
    'netdump.remote.list': async ({ ticketId }) => {
      ws.tickets.get(ticketId);
      const listed = remember(await remotes.list(ticketId));
      for (const r of listed) if (r.status === 'running') remotes.follow(r.id);
      return listed;
    },
    'netdump.remote.stop': async ({ id }) => {
      const [stopped] = remember([await remotes.stop(id)]);
      return stopped!;
    },
  };

  return {
    handlers,
    receiver,
    resume: async () => {
      await receiver.resumeIfWasOn();
    },
    close: async () => {
      remotes.close();
      if (batchTimer) clearTimeout(batchTimer);
      if (stateTimer) clearTimeout(stateTimer);
      await receiver.close();
    },
  };
}
