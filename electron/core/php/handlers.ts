import { randomBytes } from 'node:crypto';
import type { HeadLimitsInput, ScanLimitsInput, FeedUrl } from '../../../shared/contract/php-input.js';
import type { WatchEnd, WatchInfo } from '../../../shared/contract/php.js';
import type { MemoryPicture } from '../../../shared/domain/php-memory.js';
import { watchNote } from '../../../shared/domain/php-findings.js';
import type { DocrootsResult, HeadProbeResult, IncludeScanResult, WatchResult, WatchSample } from '../../../shared/domain/php-scan.js';
import { BacklineError } from '../../../shared/errors.js';
import type { EventBus } from '../events.js';
import type { HandlerGroup } from '../handlers.js';
import type { RemoteRunner } from '../ssh/remote.js';
import type { SshDeps } from '../ssh/ssh-deps.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { FullOutputRunner } from './full-output-runner.js';
import { defaultPhpProbes } from './probes.js';

/** What the PHP tab runs on a server; each a read-only probe through the one runner (electron/core/php/*). */
export interface PhpProbes {
  memory(remote: RemoteRunner, server: StoredServer, options: { signal?: AbortSignal }): Promise<MemoryPicture>;
  docroots(remote: RemoteRunner, server: StoredServer): Promise<DocrootsResult>;
  scan(remote: RemoteRunner, server: StoredServer, docroots: readonly string[], limits: ScanLimitsInput): Promise<IncludeScanResult>;
  heads(remote: RemoteRunner, server: StoredServer, url: FeedUrl, options: { viaPhp: boolean; limits: HeadLimitsInput }): Promise<HeadProbeResult>;
  /** One long-running command; `onSample` for each sample as it comes; resolves when it ends (`signal` stops it). */
  watch(remote: RemoteRunner, server: StoredServer, options: { intervalS: number; signal: AbortSignal; onSample: (sample: WatchSample) => void }): Promise<WatchResult>;
}

/** Samples a watch keeps in memory for its note; past this the oldest half is thinned out. */
const MAX_KEPT_SAMPLES = 20_000;
/** Samples php.watch.list returns per watch: the chart's last hour at 5 s. */
const LIST_SAMPLES = 720;

interface RunningWatch {
  info: WatchInfo;
  server: StoredServer;
  samples: WatchSample[];
  abort: AbortController;
  timer: NodeJS.Timeout;
  /** Set once: however it ends, it is saved once. */
  end: WatchEnd | null;
  /** Resolves when the remote command has ended. */
  done: Promise<void>;
}

const newWatchId = () => `w${randomBytes(5).toString('hex')}`;

const endWords: Record<WatchEnd['stopped'], string> = {
  stopped: 'stopped by the engineer',
  time: 'stopped at the end of its time',
  ended: 'the command on the server ended by itself',
  error: 'stopped by an error',
  disconnected: 'stopped when the connection to the server closed',
};

/**
 * PHP memory diagnostics (issue 12): probes, scans and head probes are read-only and audited with
 * their full output (FullOutputRunner); the memory watch is one long-running command per server, kept
 * in a registry so it can be stopped, ends by itself at its time, and is stopped (its samples saved to
 * the ticket as a note) when its server disconnects, Backline's shutdown included.
 */
export function phpHandlers(
  ws: Workspace,
  ssh: SshDeps,
  events: EventBus,
  probes: PhpProbes = defaultPhpProbes,
): HandlerGroup<'php.memory' | 'php.docroots' | 'php.scan' | 'php.heads' | 'php.heads.last' | 'php.watch.start' | 'php.watch.stop' | 'php.watch.list'> {
  const remote = new FullOutputRunner(ws, ssh);
  const lastHeads = new Map<string, { probedAt: string; probe: HeadProbeResult }>();
  const watches = new Map<string, RunningWatch>();
  const headKey = (serverId: number, host: string) => `${serverId} ${host}`;

  // Like the firewall's, each call connects the server if it is not (the runner opens the session).
  const serverOf = (serverId: number): StoredServer => ws.servers.get(serverId);

  /** Saves the samples (once) and tells every window; the remote command is stopped by the abort. */
  const finish = (watch: RunningWatch, stopped: WatchEnd['stopped'], statements: string[] = []): WatchEnd => {
    if (watch.end) return watch.end;
    clearTimeout(watch.timer);
    watches.delete(watch.info.watchId);
    watch.abort.abort();
    const { info, server, samples } = watch;
    let noteId: number | null = null;
    const said = [...statements];
    if (samples.length > 0) {
      const note = watchNote(server.label, samples, info.intervalS, endWords[stopped]);
      try {
        noteId = ws.change((tx) => {
          const saved = ws.notes.create(info.ticketId, note.title, note.body, tx.now);
          tx.record({
            ticketId: info.ticketId,
            action: 'note.created',
            summary: `Memory watch on ${server.label} ended (${endWords[stopped]}): ${samples.length} samples saved as a note`,
            detail: { noteId: saved.id, watchId: info.watchId, samples: samples.length, intervalS: info.intervalS },
          });
          tx.emit('note.saved', saved);
          return saved.id;
        });
      } catch (error) {
        said.push(`The samples could not be saved to the ticket: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else {
      said.push('No sample came before the watch ended: nothing was saved.');
    }
    watch.end = { watchId: info.watchId, ticketId: info.ticketId, serverId: info.serverId, stopped, samples: samples.length, noteId, statements: said };
    ws.publish('php.watch.ended', watch.end);
    return watch.end;
  };

  // A server that disconnects (by the engineer, lost, or at Backline's shutdown, before the store closes) ends its watch, samples saved.
  events.subscribe((event, payload) => {
    if (event !== 'server.connection') return;
    const { serverId, state } = payload as { serverId: number; state: string };
    if (state === 'connected' || state === 'connecting') return;
    for (const watch of [...watches.values()]) if (watch.info.serverId === serverId) finish(watch, 'disconnected');
  });

  return {
    'php.memory': ({ serverId }) => probes.memory(remote, serverOf(serverId), {}),
    'php.docroots': ({ serverId }) => probes.docroots(remote, serverOf(serverId)),
    'php.scan': async ({ serverId, docroots, limits }) => {
      const server = serverOf(serverId);
      if (docroots.length > 0) return probes.scan(remote, server, docroots, limits);
      // None typed: the web server's own configuration names them.
      const found = await probes.docroots(remote, server);
      const paths = [...new Set(found.docroots.map((d) => d.path))];
      if (paths.length === 0) {
        return {
          docroots: [],
          hits: [],
          hitsLeftOut: 0,
          limits: { maxFiles: limits.maxFiles, maxBytes: limits.maxBytes, timeS: limits.timeS },
          stopped: { reason: 'done', filesSeen: 0, bytesSeen: 0, message: `Nothing was scanned: no docroot was found in ${server.label}'s web server configuration. Type the docroot to scan.` },
          unreadable: [],
          sudo: found.sudo,
          durationMs: 0,
          statements: found.statements,
          unparsed: found.unparsed,
        };
      }
      const scan = await probes.scan(remote, server, paths, limits);
      return { ...scan, statements: [`Docroots from ${server.label}'s web server configuration: ${paths.join(', ')}.`, ...found.statements, ...scan.statements] };
    },
    'php.heads': async ({ serverId, url, viaPhp, limits }) => {
      const server = serverOf(serverId);
      const probe = await probes.heads(remote, server, url, { viaPhp, limits });
      lastHeads.set(headKey(serverId, url.host), { probedAt: ws.now(), probe });
      return probe;
    },
    'php.heads.last': ({ serverId, host }) => lastHeads.get(headKey(serverId, host)) ?? null,
    'php.watch.start': ({ serverId, intervalS, maxMinutes }) => {
      const server = serverOf(serverId);
      const running = [...watches.values()].find((w) => w.info.serverId === serverId);
      if (running) {
        throw new BacklineError('CONFLICT', `A memory watch already runs on ${server.label} (since ${running.info.startedAt.slice(11, 19)}).`, {
          hint: 'Stop it first: one watch per server.',
          detail: { watchId: running.info.watchId },
        });
      }
      const startedAt = ws.now();
      const info: WatchInfo = {
        watchId: newWatchId(),
        ticketId: server.ticketId,
        serverId,
        intervalS,
        startedAt,
        endsAt: new Date(Date.parse(startedAt) + maxMinutes * 60_000).toISOString(),
      };
      const abort = new AbortController();
      const watch: RunningWatch = {
        info,
        server,
        samples: [],
        abort,
        timer: setTimeout(() => finish(watch, 'time'), maxMinutes * 60_000),
        end: null,
        done: Promise.resolve(),
      };
      watch.timer.unref();
      watches.set(info.watchId, watch);
      const onSample = (sample: WatchSample) => {
        if (watch.end) return;
        watch.samples.push(sample);
        // Hours at 1 s: the older half thinned to every other sample, the recent ones kept whole.
        if (watch.samples.length > MAX_KEPT_SAMPLES) {
          const half = Math.floor(watch.samples.length / 2);
          watch.samples = [...watch.samples.slice(0, half).filter((_, i) => i % 2 === 0), ...watch.samples.slice(half)];
        }
        ws.publish('php.watch.sample', { watchId: info.watchId, ticketId: info.ticketId, serverId, sample });
      };
      watch.done = probes
        .watch(remote, server, { intervalS, signal: abort.signal, onSample })
        .then((result) => {
          if (watch.end) return;
          finish(watch, result.stopped === 'error' ? 'error' : 'ended', result.statements);
        })
        .catch((error: unknown) => {
          if (watch.end) return;
          finish(watch, 'error', [error instanceof Error ? error.message : String(error)]);
        });
      return info;
    },
    'php.watch.stop': async ({ watchId }) => {
      const watch = watches.get(watchId);
      if (!watch) throw new BacklineError('NOT_FOUND', 'That memory watch has ended.', { hint: 'Its samples, if any came, are in the Notes tab.' });
      const end = finish(watch, 'stopped');
      await watch.done;
      return end;
    },
    'php.watch.list': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      return [...watches.values()].filter((w) => w.info.ticketId === ticketId).map((w) => ({ watch: w.info, samples: w.samples.slice(-LIST_SAMPLES) }));
    },
  };
}
