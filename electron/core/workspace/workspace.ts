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
 * audit entries in a single transaction, then publishes events only once the commit is durable.
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
    const pending: { event: EventName; payload: unknown }[] = [];
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
    const result = this.db.transaction(() => work(scope))();
    for (const { event, payload } of pending) this.bus.emit(event, payload as EventPayload<typeof event>);
    return result;
  }
}

export interface ChangeScope {
  /** One timestamp for everything in the change. */
  now: string;
  record(what: Recordable): AuditEntry;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}
