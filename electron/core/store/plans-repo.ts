import type { Plan } from '../../../shared/domain/plan.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface PlanRow {
  id: string;
  ticket_id: string;
  server_id: number;
  kind: string;
  title: string;
  status: Plan['status'];
  steps: string;
  warnings: string;
  detail: string;
  rollback_at: string | null;
  log: string;
  created_at: string;
  updated_at: string;
}

const toPlan = (row: PlanRow): Plan => ({
  id: row.id,
  ticketId: row.ticket_id,
  serverId: row.server_id,
  kind: row.kind,
  title: row.title,
  status: row.status,
  steps: JSON.parse(row.steps) as Plan['steps'],
  warnings: JSON.parse(row.warnings) as string[],
  detail: JSON.parse(row.detail) as Record<string, unknown>,
  rollbackAt: row.rollback_at,
  log: JSON.parse(row.log) as Plan['log'],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class PlansRepo {
  constructor(private readonly db: Db) {}

  get(id: string): Plan {
    const row = this.db.prepare<[string], PlanRow>('SELECT * FROM plans WHERE id = ?').get(id);
    if (!row) throw new BacklineError('NOT_FOUND', `Plan ${id} does not exist.`, { hint: 'Preview the change again.' });
    return toPlan(row);
  }

  listForTicket(ticketId: string): Plan[] {
    return this.db.prepare<[string], PlanRow>('SELECT * FROM plans WHERE ticket_id = ? ORDER BY created_at DESC').all(ticketId).map(toPlan);
  }

  save(plan: Plan): Plan {
    this.db
      .prepare(
        `INSERT INTO plans (id, ticket_id, server_id, kind, title, status, steps, warnings, detail, rollback_at, log, created_at, updated_at)
         VALUES (@id, @ticket_id, @server_id, @kind, @title, @status, @steps, @warnings, @detail, @rollback_at, @log, @created_at, @updated_at)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, steps = excluded.steps, warnings = excluded.warnings,
           detail = excluded.detail, rollback_at = excluded.rollback_at, log = excluded.log, updated_at = excluded.updated_at`,
      )
      .run({
        id: plan.id,
        ticket_id: plan.ticketId,
        server_id: plan.serverId,
        kind: plan.kind,
        title: plan.title,
        status: plan.status,
        steps: JSON.stringify(plan.steps),
        warnings: JSON.stringify(plan.warnings),
        detail: JSON.stringify(plan.detail),
        rollback_at: plan.rollbackAt,
        log: JSON.stringify(plan.log),
        created_at: plan.createdAt,
        updated_at: plan.updatedAt,
      });
    return this.get(plan.id);
  }
}
