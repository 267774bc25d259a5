import { z } from 'zod';
import { customerSchema, ticketIdSchema, ticketSchema, ticketStatusSchema, ticketTitleSchema } from '../domain/ticket.js';
import { method } from './define.js';

export const ticketMethods = {
  'tickets.list': method({
    summary: 'Tickets, most recently changed first, optionally only those whose id, title or customer match.',
    input: z.object({ filter: z.string().max(200).optional() }),
    output: z.array(ticketSchema),
  }),
  'tickets.get': method({
    summary: 'One ticket.',
    input: z.object({ id: ticketIdSchema }),
    output: ticketSchema,
  }),
  'tickets.create': method({
    summary: 'Open a workspace for a ticket from the ticket system.',
    input: z.object({
      id: ticketIdSchema,
      title: ticketTitleSchema,
      customer: customerSchema.default(''),
      status: ticketStatusSchema.default('open'),
    }),
    output: ticketSchema,
  }),
  'tickets.update': method({
    summary: "Change a ticket's title, customer or status.",
    input: z.object({
      id: ticketIdSchema,
      title: ticketTitleSchema.optional(),
      customer: customerSchema.optional(),
      status: ticketStatusSchema.optional(),
    }),
    output: ticketSchema,
  }),
};
