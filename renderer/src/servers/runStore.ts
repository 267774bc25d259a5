import type { HostResult } from '../../../shared/domain/command.js';
import type { WireError } from '../../../shared/errors.js';
import type { BacklineClient } from '../api/client.js';
import { toWireError } from '../app/errors.js';
import { commandArgv, DEFAULT_TIMEOUT_S } from './command.js';
import { appendForServer, type LiveByServer } from './liveOutput.js';

export interface RunTarget {
  serverId: number;
  label: string;
}

/** A run started from this window: live output while it runs, then its results. */
export interface CommandRun {
  runId: string;
  ticketId: string;
  command: string;
  sudo: boolean;
  timeoutS: number;
  startedAt: string;
  targets: readonly RunTarget[];
  live: LiveByServer;
  /** Set when commands.run answered; replaces the live output. */
  results: readonly HostResult[] | null;
  /** Set when the run as a whole was refused (e.g. validation); no host ran it. */
  error: WireError | null;
  cancelling: boolean;
}

export interface RunRequest {
  ticketId: string;
  command: string;
  targets: readonly RunTarget[];
  sudo: boolean;
  timeoutS: number;
}

/** The command line as the engineer left it: kept while they look at other tabs. */
export interface Draft {
  command: string;
  picked: readonly number[];
  sudo: boolean;
  timeoutS: number | string;
}

export const emptyDraft: Draft = { command: '', picked: [], sudo: false, timeoutS: DEFAULT_TIMEOUT_S };

interface TicketRuns {
  draft: Draft;
  /** The run shown under the command line (one of ours, or one reopened from the history); null for none. */
  shown: string | null;
  /** Commands typed in this window, newest first (the stored history follows them). */
  typed: readonly string[];
}

const emptyTicket: TicketRuns = { draft: emptyDraft, shown: null, typed: [] };

export const isRunning = (run: CommandRun): boolean => run.results === null && run.error === null;

/** Finished runs of ours kept in memory per ticket, besides the one shown: older ones are read back from the history. */
const KEPT_PER_TICKET = 3;

/**
 * The runs of this window, for every ticket, above any one tab: leaving the Servers tab (or the
 * ticket) neither loses a run's output nor stops following it. One per window, made by the layout.
 */
export class RunStore {
  private runs = new Map<string, CommandRun>();
  private tickets = new Map<string, TicketRuns>();
  private version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly client: BacklineClient,
    private readonly newRunId: () => string = () => crypto.randomUUID(),
    private readonly clock: () => Date = () => new Date(),
  ) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Changes whenever anything here does (for useSyncExternalStore). */
  readonly snapshot = (): number => this.version;

  private changed(): void {
    this.version++;
    this.listeners.forEach((l) => l());
  }

  private ticket(ticketId: string): TicketRuns {
    return this.tickets.get(ticketId) ?? emptyTicket;
  }

  private setTicket(ticketId: string, patch: Partial<TicketRuns>): void {
    this.tickets.set(ticketId, { ...this.ticket(ticketId), ...patch });
    this.changed();
  }

  draft(ticketId: string): Draft {
    return this.ticket(ticketId).draft;
  }

  setDraft(ticketId: string, patch: Partial<Draft>): void {
    this.setTicket(ticketId, { draft: { ...this.draft(ticketId), ...patch } });
  }

  typed(ticketId: string): readonly string[] {
    return this.ticket(ticketId).typed;
  }

  shown(ticketId: string): string | null {
    return this.ticket(ticketId).shown;
  }

  show(ticketId: string, runId: string | null): void {
    this.setTicket(ticketId, { shown: runId });
  }

  /** A run started in this window, while it is kept. */
  run(runId: string): CommandRun | undefined {
    return this.runs.get(runId);
  }

  /** This ticket's run still going, if any. */
  running(ticketId: string): CommandRun | undefined {
    return [...this.runs.values()].find((run) => run.ticketId === ticketId && isRunning(run));
  }

  private update(runId: string, patch: (run: CommandRun) => Partial<CommandRun>): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.set(runId, { ...run, ...patch(run) });
    this.changed();
  }

  /** Starts a run and shows it; resolves when every server answered (or the run was refused). */
  async start(request: RunRequest): Promise<CommandRun> {
    const runId = this.newRunId();
    const run: CommandRun = {
      runId,
      ticketId: request.ticketId,
      command: request.command,
      sudo: request.sudo,
      timeoutS: request.timeoutS,
      startedAt: this.clock().toISOString(),
      targets: request.targets,
      live: {},
      results: null,
      error: null,
      cancelling: false,
    };
    this.runs.set(runId, run);
    const ticket = this.ticket(request.ticketId);
    this.setTicket(request.ticketId, { shown: runId, typed: [request.command, ...ticket.typed.filter((t) => t !== request.command)].slice(0, 200) });
    this.forget(request.ticketId);
    // Subscribe before asking: the first output can arrive before the answer.
    const off = this.client.on('command.output', (event) => {
      if (event.runId !== runId) return;
      this.update(runId, (r) => (isRunning(r) ? { live: appendForServer(r.live, event.serverId, event.stream, event.data) } : {}));
    });
    try {
      const output = await this.client.invoke('commands.run', {
        ticketId: request.ticketId,
        runId,
        serverIds: request.targets.map((t) => t.serverId),
        argv: commandArgv(request.command),
        sudo: request.sudo,
        timeoutS: request.timeoutS,
      });
      this.update(runId, () => ({ results: output.results, live: {} }));
    } catch (error) {
      this.update(runId, () => ({ error: toWireError(error), live: {} }));
    } finally {
      off();
    }
    return this.runs.get(runId) ?? run;
  }

  async cancel(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (!run || !isRunning(run)) return;
    this.update(runId, () => ({ cancelling: true }));
    try {
      await this.client.invoke('commands.cancel', { runId });
    } catch (error) {
      this.update(runId, () => ({ cancelling: false }));
      throw error;
    }
  }

  /** Keeps the memory of finished runs bounded: the newest few per ticket, the shown one, and any still running. */
  private forget(ticketId: string): void {
    const shown = this.shown(ticketId);
    const finished = [...this.runs.values()].filter((run) => run.ticketId === ticketId && !isRunning(run) && run.runId !== shown);
    for (const run of finished.slice(0, Math.max(0, finished.length - KEPT_PER_TICKET))) this.runs.delete(run.runId);
  }
}
