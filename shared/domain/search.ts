import { z } from 'zod';
import { ticketIdSchema } from './ticket.js';

/** Snippets mark matched terms with these characters; the renderer turns them into highlights. */
export const SNIPPET_OPEN = '\u0002';
export const SNIPPET_CLOSE = '\u0003';

export const searchHitSchema = z.object({
  ticketId: ticketIdSchema,
  ticketTitle: z.string(),
  kind: z.enum(['ticket', 'note', 'finding']),
  refId: z.number().int().nullable(),
  title: z.string(),
  snippet: z.string(),
});
export type SearchHit = z.output<typeof searchHitSchema>;

/** Splits a snippet into plain and highlighted runs. Pure, so both shells and tests share it. */
export function splitSnippet(snippet: string): { text: string; match: boolean }[] {
  const runs: { text: string; match: boolean }[] = [];
  let match = false;
  let text = '';
  for (const ch of snippet) {
    if (ch === SNIPPET_OPEN || ch === SNIPPET_CLOSE) {
      if (text) runs.push({ text, match });
      text = '';
      match = ch === SNIPPET_OPEN;
    } else {
      text += ch;
    }
  }
  if (text) runs.push({ text, match });
  return runs;
}
