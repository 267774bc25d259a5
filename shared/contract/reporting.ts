import { z } from 'zod';
import { reportArgsSchema, reportDefinitionSchema, reportDraftSchema, reportIdSchema, reportParamSchema, reportResultSchema } from '../domain/report.js';
import { boundedRecord, method } from './define.js';

/** How fresh one source is (story 4): when Backline last synced it, and how new the source's own newest data is. */
export const sourceFreshnessSchema = z.object({
  source: z.string(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  newestSourceAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** source-stale is the loud one: syncs succeed, yet the source has received nothing new. */
  verdict: z.enum(['ok', 'cache-old', 'source-stale', 'never-synced']),
  /** False for a source that is not expected to grow (staleAfterHours: null), such as a split-off archive. */
  expectsNewData: z.boolean(),
});
export type SourceFreshnessView = z.infer<typeof sourceFreshnessSchema>;

export const syncProgressSchema = z.object({
  source: z.string(),
  table: z.string(),
  rows: z.number().int(),
  expected: z.number().int().nullable(),
  rate: z.number(),
  etaSeconds: z.number().nullable(),
});

export const syncStateSchema = z.object({
  state: z.enum(['idle', 'running', 'cancelling']),
  full: z.boolean(),
  startedAt: z.string().nullable(),
  /** Rows committed in this run so far, all tables. */
  rows: z.number().int(),
  progress: syncProgressSchema.nullable(),
  /** How the last finished run ended. */
  last: z
    .object({
      outcome: z.enum(['done', 'failed', 'cancelled']),
      at: z.string(),
      rows: z.number().int(),
      ms: z.number(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    })
    .nullable(),
});
export type SyncState = z.infer<typeof syncStateSchema>;

export const reportingStatusSchema = z.object({
  /** Where the source config is read from, and whether it is usable. */
  configFile: z.string(),
  configured: z.boolean(),
  configError: z.string().nullable(),
  sources: z.array(z.object({ name: z.string(), tables: z.array(z.string()) })),
  cacheFile: z.string(),
  cacheBytes: z.number().int().nullable(),
  freshness: z.array(sourceFreshnessSchema),
  sync: syncStateSchema,
});
export type ReportingStatus = z.infer<typeof reportingStatusSchema>;

/** One column of a cache table, as SQLite declares it. */
export const cacheColumnSchema = z.object({
  name: z.string(),
  /** The declared type (INTEGER, TEXT, REAL...); empty when none was declared. */
  type: z.string(),
  notNull: z.boolean(),
  primaryKey: z.boolean(),
  /** A generated column (computed from others, e.g. ticket_spans.long_lived). */
  generated: z.boolean(),
});

export const cacheTableSchema = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view']),
  /** Backline's own bookkeeping (sync positions, freshness): readable, rarely what a report is about. */
  bookkeeping: z.boolean(),
  columns: z.array(cacheColumnSchema),
  /** Its indexes, each by the columns it covers in order: a condition on the first ones is fast. */
  indexes: z.array(z.object({ name: z.string(), columns: z.array(z.string()) })),
});
export type CacheTable = z.infer<typeof cacheTableSchema>;

export const cacheSchemaSchema = z.object({
  /** False before the first sync created the cache: there is nothing to browse yet. */
  exists: z.boolean(),
  tables: z.array(cacheTableSchema),
});
export type CacheSchema = z.infer<typeof cacheSchemaSchema>;

const runIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'A run id is 8 to 64 letters, digits, _ or -.');

export const reportingMethods = {
  'reporting.status': method({
    summary: 'The reporting cache: configured sources, how fresh each is, and the sync in progress or last finished.',
    input: z.object({}),
    output: reportingStatusSchema,
  }),
  'reporting.sync': method({
    summary: 'Start syncing the reporting cache from its sources (incremental, or full). Progress arrives as reporting.sync events.',
    input: z.object({ full: z.boolean().default(false) }),
    output: syncStateSchema,
  }),
  'reporting.cancelSync': method({
    summary: 'Stop the running sync after the batch in flight; everything committed so far stays, and the next sync continues from there.',
    input: z.object({}),
    output: syncStateSchema,
  }),
  'reporting.schema': method({
    summary: "The reporting cache's tables and views, their columns with types, and their indexes, read on a report's read-only connection.",
    input: z.object({}),
    output: cacheSchemaSchema,
  }),
  'reports.list': method({
    summary: 'Shipped and saved reports, and any report file that could not be read (with why).',
    input: z.object({}),
    output: z.object({ reports: z.array(reportDefinitionSchema), problems: z.array(z.object({ file: z.string(), message: z.string() })) }),
  }),
  'reports.save': method({
    summary: 'Save a report as a .sql file (checked first: it must parse, be read-only, and declare every parameter it uses).',
    input: reportDraftSchema,
    output: reportDefinitionSchema,
  }),
  'reports.delete': method({
    summary: 'Delete a saved report file (shipped reports cannot be deleted).',
    input: z.object({ id: reportIdSchema }),
    output: z.object({ id: reportIdSchema }),
  }),
  'reports.import': method({
    summary: "Add a report file a teammate shared (its file name becomes the report's id).",
    input: z.object({
      fileName: z.string().trim().min(1).max(200),
      content: z.string().max(200_000, 'A report file is at most 200 KB.'),
      replace: z.boolean().default(false),
    }),
    output: reportDefinitionSchema,
  }),
  'reports.file': method({
    summary: 'A report as its shareable .sql file.',
    input: z.object({ id: reportIdSchema }),
    output: z.object({ fileName: z.string(), content: z.string() }),
  }),
  'reports.run': method({
    summary: 'Run a saved report, or the SQL being edited, over the cache: read-only, off the main thread, with a time limit.',
    input: z.object({
      runId: runIdSchema,
      report: z.union([
        z.object({ id: reportIdSchema }),
        z.object({ sql: reportDraftSchema.shape.sql, params: z.array(reportParamSchema).max(20) }),
      ]),
      args: boundedRecord(reportArgsSchema, {
        maxEntries: 20,
        maxChars: 25_000,
        tooMany: 'A report takes at most 20 arguments.',
        tooLong: "A report's arguments are at most 25,000 characters in all.",
      }).default({}),
      timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
      maxRows: z.number().int().min(1).max(500_000).default(200_000),
    }),
    output: reportResultSchema.extend({ runId: runIdSchema }),
  }),
  'reports.cancel': method({
    summary: 'Stop a running report.',
    input: z.object({ runId: runIdSchema }),
    output: z.object({ cancelled: z.boolean() }),
  }),
};
