import { z } from 'zod';

/**
 * Ticket ids as the ticket system writes them: RT's plain numbers (48213), or, for workspaces made
 * before Backline spoke to RT, a letter prefix, a dash, digits (TKT-48213).
 */
export const ticketIdSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^(?:[A-Z][A-Z0-9]{1,9}-)?\d{1,10}$/, 'Ticket ids are RT numbers like 48213, or look like TKT-48213: letters, a dash, then digits.');
export type TicketId = z.output<typeof ticketIdSchema>;

export const ticketStatuses = ['open', 'waiting', 'escalated', 'resolved', 'closed'] as const;
export const ticketStatusSchema = z.enum(ticketStatuses);
export type TicketStatus = z.output<typeof ticketStatusSchema>;

export const timestampSchema = z.iso.datetime();

export const ticketSchema = z.object({
  id: ticketIdSchema,
  title: z.string(),
  customer: z.string(),
  status: ticketStatusSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Ticket = z.output<typeof ticketSchema>;

export const ticketTitleSchema = z.string().trim().min(1, 'Give the ticket a title.').max(300);
export const customerSchema = z.string().trim().max(200);
