import { z } from 'zod';
import { runIdSchema, runSchema, runSummarySchema } from '../domain/command.js';
import { findingIdSchema, findingKindSchema, findingSchema, findingSeveritySchema } from '../domain/finding.js';
import { noteIdSchema, noteSchema, noteTitleSchema } from '../domain/note.js';
import { serverIdSchema } from '../domain/server.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { method } from './define.js';

/** Which servers of a run to take; all of them that answered when omitted. */
const hostPickSchema = z.array(serverIdSchema).min(1, 'Pick at least one server of the run.').max(200).optional();

/** The run history of a ticket: every command run from the Servers tab, its output kept (bounded) with the ticket. */
export const runMethods = {
  'runs.list': method({
    summary: "A ticket's runs, newest first, without their output.",
    input: z.object({ ticketId: ticketIdSchema, limit: z.number().int().min(1).max(500).default(50) }),
    output: z.array(runSummarySchema),
  }),
  'runs.get': method({
    summary: 'One run with each server’s output (bounded head and tail, and the file holding the whole when it was larger).',
    input: z.object({ id: runIdSchema }),
    output: runSchema,
  }),
  'runs.commands': method({
    summary: 'Commands typed in the command line, most recent first and each once, across tickets: the history ↑ walks.',
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.array(z.string()),
  }),
  'runs.toFinding': method({
    summary:
      "Add a run's output as evidence (one entry per server): to an existing finding of the same ticket, or to a new finding described here.",
    input: z.object({
      runId: runIdSchema,
      serverIds: hostPickSchema,
      target: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('existing'), findingId: findingIdSchema }),
        z.object({
          kind: z.literal('new'),
          findingKind: findingKindSchema,
          severity: findingSeveritySchema,
          title: z.string().trim().min(1, 'Give the finding a title.').max(300),
        }),
      ]),
    }),
    output: findingSchema,
  }),
  'runs.toNote': method({
    summary: "Append a run's output to a note of the same ticket as a fenced block per server, or start a new note with it.",
    input: z.object({
      runId: runIdSchema,
      serverIds: hostPickSchema,
      target: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('existing'), noteId: noteIdSchema }),
        z.object({ kind: z.literal('new'), title: noteTitleSchema }),
      ]),
    }),
    output: noteSchema,
  }),
};
