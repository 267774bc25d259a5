import { z } from 'zod';
import { noteBodySchema, noteIdSchema, noteSchema, noteTitleSchema, noteVersionSchema } from '../domain/note.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { method } from './define.js';

export const noteMethods = {
  'notes.list': method({
    summary: "A ticket's notes, oldest first.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(noteSchema),
  }),
  'notes.create': method({
    summary: 'Start a new note on a ticket.',
    input: z.object({ ticketId: ticketIdSchema, title: noteTitleSchema.default('Notes'), body: noteBodySchema.default('') }),
    output: noteSchema,
  }),
  'notes.save': method({
    summary: 'Save a note. The save is refused if the note changed since `baseRevision`, so no edit is silently lost.',
    input: z.object({
      id: noteIdSchema,
      baseRevision: z.number().int().nonnegative(),
      title: noteTitleSchema.optional(),
      body: noteBodySchema,
    }),
    output: noteSchema,
  }),
  'notes.versions': method({
    summary: 'Earlier versions of a note, newest first.',
    input: z.object({ id: noteIdSchema }),
    output: z.array(noteVersionSchema),
  }),
};
