import { describe, expect, it } from 'vitest';
import { auditActionSchema, auditEntrySchema } from './audit.js';

describe('audit actions', () => {
  const entry = (action: string) => ({ id: 1, ticketId: 'TKT-1', at: '2025-01-01T00:00:00.000Z', actor: 'me', action, summary: 's', detail: {} });

  it('names only the actions Backline writes', () => {
    expect(auditActionSchema.safeParse('ticket.created').success).toBe(true);
    expect(auditActionSchema.safeParse('ticket.create').success).toBe(false);
  });

  it('reads back a row whose action another version wrote, as stored', () => {
    expect(auditEntrySchema.parse(entry('firewall.armed')).action).toBe('firewall.armed');
    expect(auditEntrySchema.parse(entry('legacy.renamed')).action).toBe('legacy.renamed');
  });
});
