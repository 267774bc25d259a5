import { z } from 'zod';
import { findingIdSchema } from '../domain/finding.js';
import { noteIdSchema } from '../domain/note.js';
import { ticketIdSchema, ticketSchema, timestampSchema } from '../domain/ticket.js';
import { event, method } from './define.js';

/**
 * The ticket system (Request Tracker 5 through REST2) seen from the renderer: the connection
 * settings (the token itself never crosses this contract outward), tickets fetched from it, and the
 * outbox of posts that reach it exactly once.
 */

/** An RT ticket number as typed: digits only (`#` and spaces around are tolerated). */
export const remoteTicketNumberSchema = z
  .string()
  .trim()
  .transform((text) => text.replace(/^#/, ''))
  .pipe(z.string().regex(/^\d{1,10}$/, 'An RT ticket number is digits only, like 48213.'));

/** Where the token comes from: the OS keychain (desktop), an environment variable or a file (browser shell). */
export const tokenSources = ['keychain', 'env', 'file', 'none'] as const;
export const tokenSourceSchema = z.enum(tokenSources);
export type TokenSource = z.output<typeof tokenSourceSchema>;

export const ticketSystemSettingsSchema = z.object({
  kind: z.literal('rt'),
  /** RT's base URL, e.g. `https://rt.example.com` or `https://example.com/rt` (no `/REST/2.0`); null: not set. */
  baseUrl: z.string().nullable(),
  /** Where the token is read from now; `none`: no token available. */
  tokenSource: tokenSourceSchema,
  /** The file named in settings (browser shell), if any; BACKLINE_RT_TOKEN_FILE wins over it. */
  tokenFile: z.string().nullable(),
  /** Whether this shell can keep a token itself (desktop with a real keychain). */
  canStoreToken: z.boolean(),
  /** Why it cannot (Linux's plain-text backend, the browser shell), for people; null when it can. */
  storeRefusal: z.string().nullable(),
});
export type TicketSystemSettings = z.output<typeof ticketSystemSettingsSchema>;

export const ticketSystemSettingsInputSchema = z.object({
  baseUrl: z.string().trim().min(1, 'Give RT’s address, e.g. https://rt.example.com.').max(500),
  /** Desktop only: a new token to keep in the keychain; omitted: keep the one stored. */
  token: z.string().trim().min(1).max(500).optional(),
  /** Browser shell: a file holding the token (read on each use, never copied); null: forget it. */
  tokenFile: z.string().trim().max(1000).nullable().optional(),
  /** Forget the token stored in the keychain. */
  forgetToken: z.boolean().optional(),
});

export const connectionFailureKinds = ['not-configured', 'no-token', 'unreachable', 'tls', 'timeout', 'bad-token', 'no-rights', 'not-rt', 'server-error'] as const;
export const connectionFailureKindSchema = z.enum(connectionFailureKinds);
export type ConnectionFailureKind = z.output<typeof connectionFailureKindSchema>;

export const rtUserSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  realName: z.string(),
  email: z.string(),
});
export type RtUser = z.output<typeof rtUserSchema>;

export const connectionTestSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), user: rtUserSchema, rtVersion: z.string(), baseUrl: z.string(), elapsedMs: z.number() }),
  z.object({
    ok: z.literal(false),
    kind: connectionFailureKindSchema,
    /** What failed, for people: "RT at https://… answered 401: the token was refused." */
    message: z.string(),
    hint: z.string(),
    /** HTTP status when there was an answer. */
    status: z.number().int().nullable(),
  }),
]);
export type ConnectionTest = z.output<typeof connectionTestSchema>;

/** A ticket as RT has it, with when Backline last read it. */
export const remoteTicketSchema = z.object({
  /** RT's number, as text (it is also the workspace's ticket id for workspaces opened from RT). */
  number: z.string(),
  subject: z.string(),
  queue: z.string(),
  status: z.string(),
  owner: z.string(),
  requestors: z.array(z.string()),
  created: z.string().nullable(),
  lastUpdated: z.string().nullable(),
  /** Link to the ticket in RT's web UI. */
  url: z.string(),
  fetchedAt: timestampSchema,
});
export type RemoteTicket = z.output<typeof remoteTicketSchema>;

/** One line of "my tickets": enough to choose and open. */
export const remoteTicketSummarySchema = z.object({
  number: z.string(),
  subject: z.string(),
  queue: z.string(),
  status: z.string(),
  lastUpdated: z.string().nullable(),
  /** The workspace id when a workspace for it exists already. */
  workspace: ticketIdSchema.nullable(),
});
export type RemoteTicketSummary = z.output<typeof remoteTicketSummarySchema>;

/** A file posted with a text: its name as RT shows it, its type, and its content as text. */
export const postAttachmentSchema = z.object({
  name: z.string().trim().min(1).max(200),
  type: z.string().trim().max(100).default('text/plain'),
  content: z.string().max(8 * 1024 * 1024),
});

/** What is posted: a finding, a note, or a text Backline made (the snippets report). */
export const postItemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('finding'), id: findingIdSchema }),
  z.object({ kind: z.literal('note'), id: noteIdSchema }),
  z.object({
    kind: z.literal('text'),
    title: z.string().trim().min(1).max(200),
    body: z.string().max(1024 * 1024),
    /** Files to attach (a capture, the memory chart's samples as CSV); their total is bounded like evidence. */
    attachments: z.array(postAttachmentSchema).max(20).default([]),
  }),
]);
export type PostItem = z.output<typeof postItemSchema>;

export const postModes = ['comment', 'reply'] as const;
export const postModeSchema = z.enum(postModes);
export const postFormats = ['html', 'text'] as const;
export const postFormatSchema = z.enum(postFormats);

/**
 * queued: waiting to be sent (first try or after a failure that will be retried at `nextAttemptAt`);
 * sending: a request is out (after a crash: the outcome is unknown, and RT's history is checked first);
 * posted: in RT (transaction id and link); failed: will not be retried by itself (reason given);
 * cancelled: the engineer cancelled it before it was posted.
 */
export const postStates = ['queued', 'sending', 'posted', 'failed', 'cancelled'] as const;
export const postStateSchema = z.enum(postStates);
export type PostState = z.output<typeof postStateSchema>;

/** Backline's own id for a post (`bl-` and 16 hex digits): RT keeps it in the post's subject, so a resend can find it. */
export const postIdSchema = z.string().regex(/^bl-[0-9a-f]{16}$/, 'A post id looks like bl-0123456789abcdef.');

export const outboxPostSchema = z.object({
  id: postIdSchema,
  ticketId: ticketIdSchema,
  /** RT ticket number posted to. */
  remoteNumber: z.string(),
  item: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('finding'), id: findingIdSchema }),
    z.object({ kind: z.literal('note'), id: noteIdSchema }),
    z.object({ kind: z.literal('text'), title: z.string() }),
  ]),
  mode: postModeSchema,
  format: postFormatSchema,
  subject: z.string(),
  /** Names and sizes of the files attached. */
  attachments: z.array(z.object({ name: z.string(), bytes: z.number().int() })),
  state: postStateSchema,
  attempts: z.number().int(),
  /** The last failure, for people (kept after a later success for the record is not needed: null when posted). */
  lastError: z.string().nullable(),
  nextAttemptAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
  postedAt: timestampSchema.nullable(),
  transactionId: z.string().nullable(),
  /** Link to the ticket's history in RT, at the transaction. */
  url: z.string().nullable(),
});
export type OutboxPost = z.output<typeof outboxPostSchema>;

/** Largest attachment total for one post (bytes, before base64). */
export const MAX_POST_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export const ticketSystemMethods = {
  'ticketSystem.settings.get': method({
    summary: 'The ticket system connection settings (never the token).',
    input: z.object({}),
    output: ticketSystemSettingsSchema,
  }),
  'ticketSystem.settings.set': method({
    summary: 'Set RT’s address and where its token comes from (a token given here goes to the OS keychain).',
    input: ticketSystemSettingsInputSchema,
    output: ticketSystemSettingsSchema,
  }),
  'ticketSystem.test': method({
    summary: 'Test the connection: who RT says we are, or exactly what failed.',
    input: z.object({}),
    output: connectionTestSchema,
  }),
  'ticketSystem.open': method({
    summary: 'Open (or create) the workspace for an RT ticket number, filled from RT.',
    input: z.object({ number: remoteTicketNumberSchema }),
    output: z.object({ ticket: ticketSchema, remote: remoteTicketSchema, created: z.boolean() }),
  }),
  'ticketSystem.refresh': method({
    summary: "Fetch a workspace's ticket from RT again.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.object({ ticket: ticketSchema, remote: remoteTicketSchema }),
  }),
  'ticketSystem.remote': method({
    summary: "RT's data for a workspace as last fetched (null: not linked to RT), without asking RT.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: remoteTicketSchema.nullable(),
  }),
  'ticketSystem.myTickets': method({
    summary: 'My open RT tickets (owner = me, not resolved), most recently updated first.',
    input: z.object({ limit: z.number().int().min(1).max(200).default(50) }),
    output: z.array(remoteTicketSummarySchema),
  }),
  'ticketSystem.post': method({
    summary: 'Queue a finding, note or text to post to the ticket in RT (a reply needs confirmReply); sent at once when RT answers.',
    input: z.object({
      ticketId: ticketIdSchema,
      item: postItemSchema,
      mode: postModeSchema,
      format: postFormatSchema.default('html'),
      /** Attach the finding's evidence as files. */
      attachEvidence: z.boolean().default(true),
      /** A reply goes to the customer: the window asks first and says so here. */
      confirmReply: z.boolean().default(false),
    }),
    output: outboxPostSchema,
  }),
  'ticketSystem.outbox.list': method({
    summary: 'Posts, newest first: of one ticket, or all not yet posted.',
    input: z.object({ ticketId: ticketIdSchema.optional(), pendingOnly: z.boolean().default(false), limit: z.number().int().min(1).max(5000).default(500) }),
    output: z.array(outboxPostSchema),
  }),
  'ticketSystem.outbox.retry': method({
    summary: 'Send a queued or failed post now.',
    input: z.object({ id: postIdSchema }),
    output: outboxPostSchema,
  }),
  'ticketSystem.outbox.cancel': method({
    summary: 'Cancel a post not yet in RT (checked against RT first when a send was in flight).',
    input: z.object({ id: postIdSchema }),
    output: outboxPostSchema,
  }),
};

export const ticketSystemEvents = {
  'ticketSystem.post': event({
    summary: 'A post in the outbox changed state (queued, sending, posted, failed, cancelled).',
    payload: outboxPostSchema,
  }),
};
