import { z } from 'zod';
import { ticketIdSchema, timestampSchema } from './ticket.js';

export const noteIdSchema = z.number().int().positive();
/** Notes are Markdown; 1 MiB is far beyond any ticket note and keeps a runaway paste from bloating the store. */
export const noteBodySchema = z.string().max(1024 * 1024, 'Notes are limited to 1 MiB.');
export const noteTitleSchema = z.string().trim().min(1, 'Give the note a title.').max(200);

export const noteSchema = z.object({
  id: noteIdSchema,
  ticketId: ticketIdSchema,
  title: z.string(),
  body: z.string(),
  revision: z.number().int().nonnegative(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Note = z.output<typeof noteSchema>;

export const noteVersionSchema = z.object({
  noteId: noteIdSchema,
  revision: z.number().int().nonnegative(),
  title: z.string(),
  body: z.string(),
  savedAt: timestampSchema,
});
export type NoteVersion = z.output<typeof noteVersionSchema>;
