import { z } from 'zod';
import { auditEntrySchema } from '../domain/audit.js';
import { noteSchema } from '../domain/note.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { event } from './define.js';

export const events = {
  'audit.appended': event({ summary: 'Something was recorded in the audit log.', payload: auditEntrySchema }),
  'note.saved': event({ summary: 'A note was saved (by this window or another).', payload: noteSchema }),
  'ticket.changed': event({
    summary: 'A ticket, or something on it, changed.',
    payload: z.object({ ticketId: ticketIdSchema }),
  }),
};
