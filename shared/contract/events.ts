import { z } from 'zod';
import { auditEntrySchema } from '../domain/audit.js';
import { runIdSchema } from '../domain/command.js';
import { noteSchema } from '../domain/note.js';
import { planIdSchema, planKindSchema, planStatusSchema } from '../domain/plan.js';
import { serverIdSchema, serverSchema } from '../domain/server.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { event } from './define.js';
import { syncStateSchema } from './reporting.js';
import { phpEvents } from './php.js';
import { netdumpMessageEventSchema, netdumpPanicEventSchema } from './netdump.js';
import { receiverStateSchema } from '../domain/netdump.js';
import { ticketSystemEvents } from './tickets-system.js';

export const events = {
  'audit.appended': event({ summary: 'Something was recorded in the audit log.', payload: auditEntrySchema }),
  'note.saved': event({ summary: 'A note was saved (by this window or another).', payload: noteSchema }),
  'server.connection': event({
    summary: "A server's SSH session opened, closed or was lost.",
    payload: z.object({ ticketId: ticketIdSchema, serverId: serverIdSchema, state: serverSchema.shape.connection }),
  }),
  'command.output': event({
    summary: 'Output of a running command, as it arrives (batched; live output stops after a limit, the result keeps the rest).',
    payload: z.object({ runId: runIdSchema, serverId: serverIdSchema, stream: z.enum(['stdout', 'stderr']), data: z.string() }),
  }),
  'terminal.output': event({
    summary: 'What a terminal printed; `offset` counts the bytes it printed before this, `bytes` the bytes in this one (what terminal.ack counts).',
    payload: z.object({ terminalId: z.string(), data: z.string(), offset: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  }),
  'terminal.closed': event({
    summary: 'A terminal ended (closed by the engineer, the shell exited, or the connection was lost).',
    payload: z.object({ terminalId: z.string(), reason: z.string(), noteId: z.number().int().nullable() }),
  }),
  'plan.changed': event({
    summary: 'A plan moved on (applied, awaiting confirmation, confirmed, rolled back...).',
    payload: z.object({ planId: planIdSchema, ticketId: ticketIdSchema, serverId: serverIdSchema, kind: planKindSchema, status: planStatusSchema }),
  }),
  'reporting.sync': event({
    summary: 'The reporting sync started, made progress (a few times a second at most), or ended.',
    payload: syncStateSchema,
  }),
  'ticket.changed': event({
    summary: 'A ticket, or something on it, changed.',
    payload: z.object({ ticketId: ticketIdSchema }),
  }),
  'netdump.receiver': event({
    summary: 'The local netconsole receiver started, stopped or failed (and its counts, once a second at most while datagrams arrive).',
    payload: receiverStateSchema,
  }),
  'netdump.message': event({
    summary: 'Netconsole messages as they are parsed, batched (a few times a second at most, bounded; the capture file keeps every one).',
    payload: netdumpMessageEventSchema,
  }),
  'netdump.panic': event({
    summary: 'A kernel panic (or oops, BUG, WARNING) was captured, with its whole trace, and the tickets it was recorded on.',
    payload: netdumpPanicEventSchema,
  }),
  ...phpEvents,
  ...ticketSystemEvents,
};
