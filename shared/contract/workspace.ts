import { z } from 'zod';
import { auditEntrySchema } from '../domain/audit.js';
import { findingIdSchema, findingKindSchema, findingSeveritySchema, findingStatusSchema } from '../domain/finding.js';
import { noteIdSchema } from '../domain/note.js';
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
  'export.options': method({
    summary: "What an export of a ticket can take: its notes (terminal transcripts marked, left out by default) and findings (superseded ones marked).",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.object({
      notes: z.array(z.object({ id: noteIdSchema, title: z.string(), transcript: z.boolean(), empty: z.boolean(), selected: z.boolean() })),
      findings: z.array(z.object({ id: findingIdSchema, title: z.string(), kind: findingKindSchema, severity: findingSeveritySchema, status: findingStatusSchema, selected: z.boolean() })),
    }),
  }),
  'export.markdown': method({
    summary: "A ticket's notes and findings as Markdown, ready to paste into the ticket system. Recorded in the audit log. Without a choice, every finding and every note but terminal transcripts.",
    input: z.object({
      ticketId: ticketIdSchema,
      destination: z.enum(['clipboard', 'file']),
      /** The notes and findings to export, chosen by the engineer; absent: the defaults of export.options. */
      noteIds: z.array(noteIdSchema).max(10_000).optional(),
      findingIds: z.array(findingIdSchema).max(10_000).optional(),
    }),
    output: z.object({ markdown: z.string(), fileName: z.string() }),
  }),
};
