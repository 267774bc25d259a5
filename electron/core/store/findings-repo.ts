import { findingSeverities, type Evidence, type Finding, type FindingDetail } from '../../../shared/domain/finding.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from './database.js';

interface FindingRow {
  id: number;
  ticket_id: string;
  kind: Finding['kind'];
  severity: Finding['severity'];
  title: string;
  detail: string;
  evidence: string;
  created_at: string;
  status: Finding['status'];
  status_note: string | null;
  status_at: string | null;
  plan_id: string | null;
}

const toFinding = (row: FindingRow): Finding => ({
  id: row.id,
  ticketId: row.ticket_id,
  kind: row.kind,
  severity: row.severity,
  title: row.title,
  detail: JSON.parse(row.detail) as FindingDetail,
  evidence: JSON.parse(row.evidence) as Evidence[],
  createdAt: row.created_at,
  status: row.status,
  statusNote: row.status_note,
  statusAt: row.status_at,
  planId: row.plan_id,
});

const severityRank = (finding: Finding): number => findingSeverities.indexOf(finding.severity);

export type NewFinding = Omit<Finding, 'id' | 'createdAt' | 'status' | 'statusNote' | 'statusAt' | 'planId'> & { planId?: string | null };

/** What a finding that no longer holds says now. */
export interface Supersession {
  title: string;
  note: string;
}

export class FindingsRepo {
  constructor(private readonly db: Db) {}

  listForTicket(ticketId: string): Finding[] {
    return this.db
      .prepare<[string], FindingRow>('SELECT * FROM findings WHERE ticket_id = ? ORDER BY id')
      .all(ticketId)
      .map(toFinding)
      .sort((a, b) => severityRank(b) - severityRank(a) || a.id - b.id);
  }

  get(id: number): Finding {
    const row = this.db.prepare<[number], FindingRow>('SELECT * FROM findings WHERE id = ?').get(id);
    if (!row) throw new BacklineError('NOT_FOUND', `Finding ${id} does not exist.`, { hint: 'Reload the ticket.' });
    return toFinding(row);
  }

  add(finding: NewFinding, now: string): Finding {
    const { lastInsertRowid } = this.db
      .prepare(
        'INSERT INTO findings (ticket_id, kind, severity, title, detail, evidence, created_at, plan_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        finding.ticketId,
        finding.kind,
        finding.severity,
        finding.title,
        JSON.stringify(finding.detail),
        JSON.stringify(finding.evidence),
        now,
        finding.planId ?? null,
      );
    return this.get(Number(lastInsertRowid));
  }

  /** Adds evidence entries to a finding (the schema's trigger keeps its full-text index in step). */
  addEvidence(id: number, evidence: readonly Evidence[]): Finding {
    const finding = this.get(id);
    this.db.prepare('UPDATE findings SET evidence = ? WHERE id = ?').run(JSON.stringify([...finding.evidence, ...evidence]), id);
    return this.get(id);
  }

  /** The current findings a plan's action made. */
  currentForPlan(planId: string): Finding[] {
    return this.db
      .prepare<[string], FindingRow>("SELECT * FROM findings WHERE plan_id = ? AND status = 'current' ORDER BY id")
      .all(planId)
      .map(toFinding);
  }

  /**
   * Marks the current findings of a plan superseded, each with what it says now. Run inside the
   * transaction that ends the plan, so the finding never says more than the plan does.
   */
  supersedeForPlan(planId: string, now: string, say: (finding: Finding) => Supersession): Finding[] {
    const update = this.db.prepare("UPDATE findings SET status = 'superseded', title = ?, status_note = ?, status_at = ? WHERE id = ?");
    return this.currentForPlan(planId).map((finding) => {
      const { title, note } = say(finding);
      update.run(title, note, now, finding.id);
      return this.get(finding.id);
    });
  }

  remove(id: number): Finding {
    const finding = this.get(id);
    this.db.prepare('DELETE FROM findings WHERE id = ?').run(id);
    return finding;
  }
}
