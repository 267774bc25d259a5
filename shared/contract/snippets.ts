import { z } from 'zod';
import { snippetsReportSchema } from '../domain/snippets.js';
import { timestampSchema } from '../domain/ticket.js';
import { method } from './define.js';

/** Snippets (story 8): one's own work in a period, from the audit log and the store. */
export const snippetsMethods = {
  'snippets.report': method({
    summary: 'What I found, changed, ran and noted between two instants, per ticket, most important first.',
    input: z
      .object({ from: timestampSchema, to: timestampSchema })
      .refine(({ from, to }) => Date.parse(from) < Date.parse(to), { message: 'The period ends before it starts: choose an end after the start.', path: ['to'] }),
    output: snippetsReportSchema,
  }),
};
