import { z } from 'zod';
import { auditEntrySchema } from '../domain/audit.js';
import { searchHitSchema } from '../domain/search.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { method } from './define.js';

export const workspaceMethods = {
  'app.info': method({
    summary: 'Which shell is running, where the data lives, and who the local user is.',
    input: z.object({}),
    output: z.object({
      version: z.string(),
      shell: z.enum(['electron', 'browser']),
      dataDir: z.string(),
      user: z.string(),
    }),
  }),
  'audit.list': method({
    summary: "A ticket's audit log, newest first.",
    input: z.object({ ticketId: ticketIdSchema, limit: z.number().int().min(1).max(5000).default(500) }),
    output: z.array(auditEntrySchema),
  }),
  'search.query': method({
    summary: 'Full-text search over tickets, notes and findings.',
    input: z.object({ text: z.string().trim().min(1, 'Type something to search for.').max(200), limit: z.number().int().min(1).max(200).default(50) }),
    output: z.array(searchHitSchema),
  }),
  'export.markdown': method({
    summary: "A ticket's notes and findings as Markdown, ready to paste into the ticket system. Recorded in the audit log.",
    input: z.object({ ticketId: ticketIdSchema, destination: z.enum(['clipboard', 'file']) }),
    output: z.object({ markdown: z.string(), fileName: z.string() }),
  }),
};
