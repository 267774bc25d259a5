import type { AuditAction, AuditEntry } from '../../../shared/domain/audit.js';
import type { EventName, EventPayload } from '../../../shared/contract/index.js';
import { AuditLog } from '../store/audit-log.js';
import type { Db } from '../store/database.js';
import { FindingsRepo } from '../store/findings-repo.js';
import { NotesRepo } from '../store/notes-repo.js';
import { SearchIndex } from '../store/search-index.js';
import { PlansRepo } from '../store/plans-repo.js';
import { RunsRepo } from '../store/runs-repo.js';
import { ServersRepo } from '../store/servers-repo.js';
import { TicketsRepo } from '../store/tickets-repo.js';
import type { EventBus } from '../events.js';

export interface Recordable {
  ticketId: string | null;
  /** One of shared/domain/audit.ts's `auditActions`: a new action is declared there first. */
  action: AuditAction;
  summary: string;
  detail?: Record<string, unknown>;
}

/**
 * The workspace's repositories and the one way to change them: `change` runs the writes and their
 * audit entries in a single transaction, then publishes events only once the commit is durable;
 * `changeGrouped` does the same for changes that can share one commit with the others of their turn.
 */
export class Workspace {
  readonly tickets: TicketsRepo;
  readonly notes: NotesRepo;
  readonly findings: FindingsRepo;
  readonly audit: AuditLog;
  readonly search: SearchIndex;
  readonly servers: ServersRepo;
  readonly plans: PlansRepo;
  readonly runs: RunsRepo;
  /** Changes waiting for the end of this turn's group commit, in the order they came. */
  private queued: QueuedChange[] = [];
  /** When the queued changes commit: at the end of this turn, or by a deadline (`maxWaitMs`). */
  private commit: { immediate?: NodeJS.Immediate; timer?: NodeJS.Timeout; due: number } = { due: 0 };

  constructor(
    readonly db: Db,
    private readonly bus: EventBus,
    private readonly user: string,
    private readonly clock: () => Date,
  ) {
    this.tickets = new TicketsRepo(db);
    this.notes = new NotesRepo(db);
    this.findings = new FindingsRepo(db);
    this.audit = new AuditLog(db);
    this.search = new SearchIndex(db);
    this.servers = new ServersRepo(db);
    this.plans = new PlansRepo(db);
    this.runs = new RunsRepo(db);
  }

  now(): string {
    return this.clock().toISOString();
  }

  /** An event that records nothing (live output, connection state): sent at once. */
  publish<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.bus.emit(event, payload);
  }

  change<T>(work: (tx: ChangeScope) => T): T {
    const pending: PendingEvent[] = [];
    const result = this.db.transaction(() => work(this.scope(pending)))();
    this.publishAll(pending);
    return result;
  }

  /**
   * A change that shares its durable commit with the others queued in the same turn of the event
   * loop (group commit): with synchronous=FULL each commit waits for the disk, and a fan-out to 200
   * servers recording one result each would otherwise make 200 of them, each holding the event loop.
   * The batch runs at the end of the turn (setImmediate) in one transaction, each change in its own
   * savepoint, in the order queued: a change that throws rolls back alone and rejects only its own
   * promise. Each promise settles, and each change's events are published, only once the commit
   * holding it is durable; changes queued while that commit runs go into the next one.
   */
  changeGrouped<T>(work: (tx: ChangeScope) => T, options: GroupOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (options.maxWaitMs === undefined) {
        this.commit.immediate ??= setImmediate(() => this.commitQueued());
      } else if (!this.commit.immediate) {
        const due = performance.now() + options.maxWaitMs;
        if (this.commit.timer && this.commit.due <= due) return;
        clearTimeout(this.commit.timer);
        this.commit.due = due;
        this.commit.timer = setTimeout(() => this.commitQueued(), options.maxWaitMs);
      }
    });
  }

  private commitQueued(): void {
    clearImmediate(this.commit.immediate);
    clearTimeout(this.commit.timer);
    this.commit = { due: 0 };
    const batch = this.queued;
    this.queued = [];
    const outcomes: ({ ok: true; value: unknown; pending: PendingEvent[] } | { ok: false; error: unknown })[] = [];
    try {
      this.db.transaction(() => {
        for (const change of batch) {
          const pending: PendingEvent[] = [];
          try {
            // Nested: a savepoint, so this change's writes roll back alone if it throws.
            const value = this.db.transaction(() => change.work(this.scope(pending)))();
            outcomes.push({ ok: true, value, pending });
          } catch (error) {
            // Some SQLite errors (disk full, I/O) end the whole transaction, not only the savepoint: then the batch fails as one.
            if (!this.db.inTransaction) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed (the disk, the database closed): nothing of the batch is kept.
      for (const change of batch) change.reject(error);
      return;
    }
    batch.forEach((change, index) => {
      const outcome = outcomes[index]!;
      if (!outcome.ok) return change.reject(outcome.error);
      try {
        this.publishAll(outcome.pending);
        change.resolve(outcome.value);
      } catch (error) {
        // A listener that throws: committed, but its caller hears of it, as `change`'s caller would.
        change.reject(error);
      }
    });
  }

  private scope(pending: PendingEvent[]): ChangeScope {
    const scope: ChangeScope = {
      now: this.now(),
      record: (what) => {
        const entry = this.audit.append({
          ticketId: what.ticketId,
          at: scope.now,
          actor: this.user,
          action: what.action,
          summary: what.summary,
          detail: what.detail ?? {},
        });
        if (what.ticketId) this.tickets.touch(what.ticketId, scope.now);
        pending.push({ event: 'audit.appended', payload: entry });
        if (what.ticketId) pending.push({ event: 'ticket.changed', payload: { ticketId: what.ticketId } });
        return entry;
      },
      emit: (event, payload) => pending.push({ event, payload }),
    };
    return scope;
  }

  private publishAll(pending: readonly PendingEvent[]): void {
    for (const { event, payload } of pending) this.bus.emit(event, payload as EventPayload<typeof event>);
  }
}

export interface GroupOptions {
  /**
   * Let the change wait up to this long for others to share its commit, instead of committing at the
   * end of this turn; any change queued meanwhile without it commits this one too, in order. For a
   * write nobody waits on (a run's start row), so that its commit need not hold the event loop
   * while a result is on its way: a quick run's start and result then share one durable commit.
   */
  maxWaitMs?: number;
}

interface PendingEvent {
  event: EventName;
  payload: unknown;
}

interface QueuedChange {
  work: (tx: ChangeScope) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface ChangeScope {
  /** One timestamp for everything in the change. */
  now: string;
  record(what: Recordable): AuditEntry;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}
