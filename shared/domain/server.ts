import { z } from 'zod';
import { parseIpAddress } from './address.js';
import { ticketIdSchema, timestampSchema } from './ticket.js';

/**
 * A host as typed: an ~/.ssh/config alias, a DNS name, an IPv4 address or a bracket-less IPv6 one.
 * Never starts with '-' (it would read as an option to anything that gets it) and never has spaces.
 */
export const hostSchema = z
  .string()
  .trim()
  .min(1, 'Give a host name, address or ~/.ssh/config alias.')
  .max(253)
  .regex(/^(?!-)[A-Za-z0-9._:%-]+$/, 'A host is a name, an address or an ssh config alias: letters, digits, dots, dashes and colons only.')
  .superRefine((host, ctx) => {
    // What is meant as an address is checked by the one address parser; a link-local zone (fe80::1%eth0) is a real SSH target.
    if (!host.includes(':') && !/^[\d.]+$/.test(host)) return;
    const parsed = parseIpAddress(host.replace(/%[A-Za-z0-9._-]+$/, ''));
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  });

export const portSchema = z.number().int().min(1, 'Ports run from 1 to 65535.').max(65535, 'Ports run from 1 to 65535.');

export const sshUserSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9._-]*\$?$/, 'A user name is letters, digits, dots, dashes and underscores, starting with a letter.');

/** ProxyJump as OpenSSH writes it: `[user@]host[:port]`, comma-separated for several hops. */
export const jumpSpecSchema = z
  .string()
  .trim()
  .max(1000)
  .regex(
    /^((ssh:\/\/)?([A-Za-z_][A-Za-z0-9._-]*@)?(\[[0-9A-Fa-f:.]+\]|(?!-)[A-Za-z0-9._-]+)(:\d{1,5})?)(,(ssh:\/\/)?([A-Za-z_][A-Za-z0-9._-]*@)?(\[[0-9A-Fa-f:.]+\]|(?!-)[A-Za-z0-9._-]+)(:\d{1,5})?)*$/,
    'A jump host is written as OpenSSH does: [user@]host[:port], several separated by commas.',
  );

export const authMethods = ['auto', 'agent', 'key', 'password'] as const;
export const authMethodSchema = z.enum(authMethods);

export const keyFileSchema = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .refine((path) => !/["\p{Cc}]/u.test(path), 'A key file path cannot contain control characters or double quotes.');

export const serverIdSchema = z.number().int().positive();

/**
 * The last connection problem of a server, kept on its row (from the audit) until it connects again:
 * a failed connect, or a connection that was lost.
 */
export const lastErrorSchema = z.object({
  /** `connect`: a connect that failed; `lost`: a connection that died. */
  kind: z.enum(['connect', 'lost']),
  code: z.string(),
  message: z.string(),
  hint: z.string().nullable(),
  at: timestampSchema,
});
export type LastError = z.output<typeof lastErrorSchema>;

export const serverSchema = z.object({
  id: serverIdSchema,
  ticketId: ticketIdSchema,
  label: z.string(),
  host: z.string(),
  port: z.number().int().nullable(),
  user: z.string().nullable(),
  auth: authMethodSchema,
  keyFile: z.string().nullable(),
  jump: z.string().nullable(),
  createdAt: timestampSchema,
  /** Live state of this window's session to it. */
  connection: z.enum(['disconnected', 'connecting', 'connected', 'lost']),
  /** Its last connection problem, until it connects again; servers.* always say (null when none). */
  lastError: lastErrorSchema.nullable().optional(),
});
export type Server = z.output<typeof serverSchema>;

/**
 * Something about how ~/.ssh/config was read for a hop. `skipped`: Backline did not do what ssh would
 * (a Match it does not evaluate, an Include it could not read, an option it does not follow); `info`:
 * ssh does the same (an Include that matched no file). Never silent: the route shows every one.
 */
export const configNoteSchema = z.object({
  kind: z.enum(['skipped', 'info']),
  /** `file:line` in the config. */
  at: z.string(),
  message: z.string(),
});
export type ConfigNote = z.output<typeof configNoteSchema>;

export const resolvedHopSchema = z.object({
  label: z.string(),
  host: z.string(),
  port: z.number().int(),
  user: z.string(),
  identityFiles: z.array(z.string()),
  usesAgent: z.boolean(),
  notes: z.array(configNoteSchema),
});
export type ResolvedHop = z.output<typeof resolvedHopSchema>;

/**
 * A server the engineer can attach again without typing it: one attached to another ticket (the same
 * settings once, with every ticket it is on), or a Host of ~/.ssh/config naming hosts literally.
 */
export const libraryEntrySchema = z.object({
  source: z.enum(['ticket', 'ssh-config']),
  /** What the attach form is filled with. */
  label: z.string(),
  host: z.string(),
  port: z.number().int().nullable(),
  user: z.string().nullable(),
  auth: authMethodSchema,
  keyFile: z.string().nullable(),
  jump: z.string().nullable(),
  /** The tickets it is attached to, most recent first (source `ticket`). */
  tickets: z.array(z.string()),
  /** When it was last attached to a ticket (source `ticket`). */
  lastAttachedAt: timestampSchema.nullable(),
  /** Where ~/.ssh/config names it, `file:line` (source `ssh-config`), and the other names on that Host line. */
  configAt: z.string().nullable(),
  otherNames: z.array(z.string()),
  /** Where it leads, as ~/.ssh/config resolves it now: `user@host:port` and the jump hosts; null when it cannot be resolved. */
  resolved: z.object({ target: z.string(), via: z.array(z.string()) }).nullable(),
});
export type LibraryEntry = z.output<typeof libraryEntrySchema>;
