import type { Migration } from './migration.js';

/**
 * Findings that follow the action they record: the plan that made one, and whether it still holds.
 * Block findings made before this migration are tied to their plan (their detail names it), and those
 * whose plan already ended are marked superseded now.
 */
export const migration005: Migration = {
  version: 5,
  name: 'finding-status',
  up: `
    ALTER TABLE findings ADD COLUMN plan_id TEXT;
    ALTER TABLE findings ADD COLUMN status TEXT NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'superseded'));
    ALTER TABLE findings ADD COLUMN status_note TEXT;
    ALTER TABLE findings ADD COLUMN status_at TEXT;
    CREATE INDEX findings_by_plan ON findings(plan_id) WHERE plan_id IS NOT NULL;

    UPDATE findings SET plan_id = json_extract(detail, '$.plan')
      WHERE kind = 'action' AND json_valid(detail) AND json_extract(detail, '$.plan') IN (SELECT id FROM plans);
    UPDATE findings SET
        status = 'superseded',
        title = CASE WHEN instr(title, ' blocked from ') > 0 AND instr(title, ' until ') > 0
          THEN replace(substr(title, 1, instr(title, ' until ') - 1), ' blocked from ', ' no longer blocked from ')
               || ': the block was ' || replace((SELECT status FROM plans WHERE plans.id = findings.plan_id), '-', ' ')
          ELSE title END,
        status_at = (SELECT updated_at FROM plans WHERE plans.id = findings.plan_id),
        status_note = 'No longer in effect: the plan ended ' || (SELECT status FROM plans WHERE plans.id = findings.plan_id) || '.'
      WHERE plan_id IN (SELECT id FROM plans WHERE status IN ('removed', 'expired', 'rolled-back'));
  `,
};
