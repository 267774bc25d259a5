import { z } from 'zod';
import { noteIdSchema } from '../domain/note.js';
import { serverIdSchema } from '../domain/server.js';
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
  'terminal.resize': method({
    summary: "Tell the server the terminal's new size.",
    input: z.object({ terminalId: terminalIdSchema, ...sizeSchema }),
    output: z.object({ ok: z.literal(true) }),
  }),
  'terminal.close': method({
    summary: 'Close a terminal; its transcript is saved to the ticket as a note.',
    input: z.object({ terminalId: terminalIdSchema }),
    output: z.object({ noteId: noteIdSchema.nullable() }),
  }),
};
