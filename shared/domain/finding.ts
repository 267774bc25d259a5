import { z } from 'zod';
import { ticketIdSchema, timestampSchema } from './ticket.js';

export const findingKinds = ['observation', 'cause', 'action', 'risk', 'question'] as const;
export const findingSeverities = ['info', 'low', 'medium', 'high', 'critical'] as const;

export const findingIdSchema = z.number().int().positive();
export const findingKindSchema = z.enum(findingKinds);
export const findingSeveritySchema = z.enum(findingSeverities);

/** Structured detail: flat facts a later capability fills in (host, address, port, rss_mb...). */
export const findingDetailSchema = z.record(
  z.string().trim().min(1).max(100),
  z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]),
);
export type FindingDetail = z.output<typeof findingDetailSchema>;

export const evidenceSchema = z.object({
  label: z.string().trim().min(1).max(200),
  content: z.string().max(256 * 1024, 'Evidence is limited to 256 KiB; keep the relevant lines.'),
});
export type Evidence = z.output<typeof evidenceSchema>;

/**
 * A finding Backline made from an action (a confirmed block) follows that action: `current` while it
 * holds, `superseded` once it ended (removed, expired, rolled back), with what happened and when.
 */
export const findingStatuses = ['current', 'superseded'] as const;
export const findingStatusSchema = z.enum(findingStatuses);
export type FindingStatus = z.output<typeof findingStatusSchema>;

export const findingSchema = z.object({
  id: findingIdSchema,
  ticketId: ticketIdSchema,
  kind: findingKindSchema,
  severity: findingSeveritySchema,
  title: z.string(),
  detail: findingDetailSchema,
  evidence: z.array(evidenceSchema),
  createdAt: timestampSchema,
  status: findingStatusSchema,
  /** What ended it, for people (null while current). */
  statusNote: z.string().nullable(),
  statusAt: timestampSchema.nullable(),
  /** The plan whose action this finding records (null: written by an engineer). */
  planId: z.string().nullable(),
});
export type Finding = z.output<typeof findingSchema>;
