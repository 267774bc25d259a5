import { z } from 'zod';
import {
  evidenceSchema,
  findingDetailSchema,
  findingIdSchema,
  findingKindSchema,
  findingSchema,
  findingSeveritySchema,
} from '../domain/finding.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { boundedRecord, method } from './define.js';

export const findingMethods = {
  'findings.list': method({
    summary: "A ticket's findings, most severe first.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(findingSchema),
  }),
  'findings.add': method({
    summary: 'Record a finding on a ticket.',
    input: z.object({
      ticketId: ticketIdSchema,
      kind: findingKindSchema,
      severity: findingSeveritySchema,
      title: z.string().trim().min(1, 'Give the finding a title.').max(300),
      detail: boundedRecord(findingDetailSchema, {
        maxEntries: 100,
        maxChars: 100_000,
        tooMany: 'A finding has at most 100 details.',
        tooLong: "A finding's details are at most 100,000 characters in all.",
      }).default({}),
      evidence: z.array(evidenceSchema).max(50).default([]),
    }),
    output: findingSchema,
  }),
  'findings.remove': method({
    summary: 'Withdraw a finding. The audit log keeps what it said.',
    input: z.object({ id: findingIdSchema }),
    output: z.object({ removed: z.literal(true) }),
  }),
};
