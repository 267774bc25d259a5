import { z } from 'zod';
import { argvSchema, hostResultSchema, runIdSchema } from '../domain/command.js';
import {
  authMethodSchema,
  hostSchema,
  jumpSpecSchema,
  keyFileSchema,
  libraryEntrySchema,
  portSchema,
  resolvedHopSchema,
  serverIdSchema,
  serverSchema,
  sshUserSchema,
} from '../domain/server.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { method } from './define.js';

/** Secrets typed by the engineer: held in memory for the session, never written to disk. */
const secretsSchema = z.object({
  password: z.string().max(1024).optional(),
  passphrase: z.string().max(1024).optional(),
});

export const serverMethods = {
  'servers.list': method({
    summary: "The servers attached to a ticket, with this session's connection state.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(serverSchema),
  }),
  'servers.add': method({
    summary: 'Attach a server to a ticket. Unset fields come from ~/.ssh/config.',
    input: z.object({
      ticketId: ticketIdSchema,
      label: z.string().trim().max(100).optional(),
      host: hostSchema,
      port: portSchema.optional(),
      user: sshUserSchema.optional(),
      auth: authMethodSchema.default('auto'),
      keyFile: keyFileSchema.optional(),
      jump: jumpSpecSchema.optional(),
    }),
    output: serverSchema,
  }),
  'servers.library': method({
    summary:
      'Servers the engineer can attach without typing them again: those attached to other tickets (each set of settings once, with its tickets, most recent first), then Host entries of ~/.ssh/config without wildcards, with where they lead. Leaves out what this ticket already has; the query matches names, addresses, users, jump hosts and ticket ids.',
    input: z.object({
      ticketId: ticketIdSchema,
      query: z.string().trim().max(200).default(''),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    output: z.array(libraryEntrySchema),
  }),
  'servers.remove': method({
    summary: 'Detach a server from a ticket (closing its session).',
    input: z.object({ id: serverIdSchema }),
    output: z.object({ removed: z.literal(true) }),
  }),
  'servers.resolve': method({
    summary: 'What Backline will connect to, hop by hop, after reading ~/.ssh/config.',
    input: z.object({ id: serverIdSchema }),
    output: z.array(resolvedHopSchema),
  }),
  'servers.connect': method({
    summary:
      'Open (or reuse) the SSH session to a server. Fails with SSH_HOST_UNKNOWN until its host key is trusted, and with SSH_HOST_KEY_TYPE_CHANGED when it presents a key of another type than those on record.',
    input: z.object({
      id: serverIdSchema,
      secrets: secretsSchema.default({}),
      /** Keep the secrets across restarts, encrypted by the OS keychain (desktop app only). */
      remember: z.boolean().default(false),
    }),
    output: serverSchema,
  }),
  'servers.forgetSecrets': method({
    summary: 'Forget the password and passphrase held or stored for a server.',
    input: z.object({ id: serverIdSchema }),
    output: z.object({ forgotten: z.literal(true) }),
  }),
  'servers.trustHostKey': method({
    summary:
      "Accept the host key a server just presented, by its fingerprint; remembered in Backline's known_hosts. A host on record under other key types (SSH_HOST_KEY_TYPE_CHANGED) needs acceptKeyTypeChange, the engineer's explicit override.",
    input: z.object({
      id: serverIdSchema,
      host: z.string().max(253),
      port: portSchema,
      fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
      acceptKeyTypeChange: z.boolean().default(false),
    }),
    output: z.object({ trusted: z.literal(true), file: z.string() }),
  }),
  'servers.disconnect': method({
    summary: 'Close the SSH session to a server.',
    input: z.object({ id: serverIdSchema }),
    output: serverSchema,
  }),
  'commands.run': method({
    summary: 'Run one command on one or more servers of a ticket at once; output streams as command.output events.',
    input: z.object({
      ticketId: ticketIdSchema,
      runId: runIdSchema,
      serverIds: z.array(serverIdSchema).min(1, 'Pick at least one server.').max(200),
      argv: argvSchema,
      sudo: z.boolean().default(false),
      timeoutS: z.number().int().min(1).max(24 * 3600).default(300),
    }),
    output: z.object({ runId: runIdSchema, results: z.array(hostResultSchema) }),
  }),
  'commands.cancel': method({
    summary: 'Stop a running command on every server it runs on, killing the remote processes.',
    input: z.object({ runId: runIdSchema }),
    output: z.object({ cancelled: z.boolean() }),
  }),
};
