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
});

const severityRank = (finding: Finding): number => findingSeverities.indexOf(finding.severity);

export type NewFinding = Omit<Finding, 'id' | 'createdAt'>;

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
        'INSERT INTO findings (ticket_id, kind, severity, title, detail, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        finding.ticketId,
        finding.kind,
        finding.severity,
        finding.title,
        JSON.stringify(finding.detail),
        JSON.stringify(finding.evidence),
        now,
      );
    return this.get(Number(lastInsertRowid));
  }

  /** Adds evidence entries to a finding (the schema's trigger keeps its full-text index in step). */
  addEvidence(id: number, evidence: readonly Evidence[]): Finding {
    const finding = this.get(id);
    this.db.prepare('UPDATE findings SET evidence = ? WHERE id = ?').run(JSON.stringify([...finding.evidence, ...evidence]), id);
    return this.get(id);
  }

  remove(id: number): Finding {
    const finding = this.get(id);
    this.db.prepare('DELETE FROM findings WHERE id = ?').run(id);
    return finding;
  }
}
