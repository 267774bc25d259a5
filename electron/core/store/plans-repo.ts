import { planSchema, type Plan } from '../../../shared/domain/plan.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface PlanRow {
  id: string;
  ticket_id: string;
  server_id: number;
  kind: string;
  title: string;
  status: string;
  steps: string;
  warnings: string;
  detail: string;
  rollback_at: string | null;
  log: string;
  created_at: string;
  updated_at: string;
}

const json = (text: string): unknown => JSON.parse(text);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Plans written before the detail and the log had schemas: families were 4 and 6, log lines had no kind,
 * and a plan not yet applied had no verification. Read as the schema now has them; nothing else changes.
 */
function upgradeStored(plan: Record<string, unknown>): Record<string, unknown> {
  const family = (value: unknown) => (value === 4 ? 'ipv4' : value === 6 ? 'ipv6' : value);
  const withFamily = (list: unknown) => (Array.isArray(list) ? list.map((item: unknown) => (isRecord(item) ? { ...item, family: family(item.family) } : item)) : list);
  const detail = plan.kind === 'firewall.block' && isRecord(plan.detail) ? { ...plan.detail, addresses: withFamily(plan.detail.addresses), rules: withFamily(plan.detail.rules), verification: plan.detail.verification ?? null } : plan.detail;
  const log = Array.isArray(plan.log) ? plan.log.map((line: unknown) => (isRecord(line) && line.kind === undefined ? { ...line, kind: 'note' } : line)) : plan.log;
  return { ...plan, detail, log };
}

/** A stored plan, checked against the contract's schema: what the store hands out is a Plan, not a hope. */
function toPlan(row: PlanRow): Plan {
  const stored = upgradeStored({
    id: row.id,
    ticketId: row.ticket_id,
    serverId: row.server_id,
    kind: row.kind,
    title: row.title,
    status: row.status,
    steps: json(row.steps),
    warnings: json(row.warnings),
    detail: json(row.detail),
    rollbackAt: row.rollback_at,
    log: json(row.log),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  const parsed = planSchema.safeParse(stored);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'plan'}: ${issue.message}`).join('; ');
    throw new BacklineError('INTERNAL', `Plan ${row.id} as stored does not read as a plan (${where.slice(0, 300)}).`, {
      hint: 'It may have been written by another version of Backline; the rest of the workspace is unaffected.',
    });
  }
  return parsed.data;
}

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

  /** Saves a plan and reads it back, of the same kind as given (a plan's id never changes kind). */
  save<P extends Plan>(plan: P): P {
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
    const saved = this.get(plan.id);
    if (saved.kind !== plan.kind) throw new BacklineError('CONFLICT', `Plan ${plan.id} is a ${saved.kind} plan, not a ${plan.kind} plan.`, { hint: 'Preview the change again.' });
    return saved as P;
  }
}
