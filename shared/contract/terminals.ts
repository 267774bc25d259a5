import { z } from 'zod';
import { noteIdSchema } from '../domain/note.js';
import { serverIdSchema } from '../domain/server.js';
import { ticketIdSchema, timestampSchema } from '../domain/ticket.js';
import { method } from './define.js';

export const terminalIdSchema = z.string().regex(/^term-[0-9a-f-]{8,64}$/);
const sizeSchema = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

export const terminalMethods = {
  'terminal.open': method({
    summary: 'Open an interactive shell on a server (an SSH shell channel with a pty); output arrives as terminal.output events.',
    input: z.object({ serverId: serverIdSchema, ...sizeSchema }),
    output: z.object({ terminalId: terminalIdSchema }),
  }),
  'terminal.input': method({
    summary: 'Keystrokes or pasted text for a terminal.',
    input: z.object({ terminalId: terminalIdSchema, data: z.string().max(64 * 1024) }),
    output: z.object({ ok: z.literal(true) }),
  }),
  'terminal.ack': method({
    summary:
      'The window has drawn everything before `offset` (a terminal.output offset plus its bytes). A window that falls far behind pauses the shell until it catches up; one that never acks does not.',
    input: z.object({ terminalId: terminalIdSchema, offset: z.number().int().nonnegative() }),
    output: z.object({ ok: z.literal(true) }),
  }),
  'terminal.resize': method({
    summary: "Tell the server the terminal's new size.",
    input: z.object({ terminalId: terminalIdSchema, ...sizeSchema }),
    output: z.object({ ok: z.literal(true) }),
  }),
  'terminal.list': method({
    summary: 'The terminals still open, so a window that comes back (a reload) shows them again as tabs.',
    input: z.object({}),
    output: z.array(
      z.object({ terminalId: terminalIdSchema, serverId: serverIdSchema, ticketId: ticketIdSchema, label: z.string(), where: z.string(), openedAt: timestampSchema }),
    ),
  }),
  'terminal.attach': method({
    summary:
      "A terminal's recent output, to draw it again in a window that shows it anew; `offset` is where the next terminal.output event starts, so events already drawn are skipped.",
    input: z.object({ terminalId: terminalIdSchema }),
    output: z.object({ screen: z.string(), offset: z.number().int().nonnegative() }),
  }),
  'terminal.close': method({
    summary: 'Close a terminal; its transcript is saved to the ticket as a note.',
    input: z.object({ terminalId: terminalIdSchema }),
    output: z.object({ noteId: noteIdSchema.nullable() }),
  }),
};
