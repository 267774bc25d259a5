import { join } from 'node:path';
import type { RemoteTicket, TicketSystemSettings } from '../../../shared/contract/tickets-system.js';
import type { Ticket } from '../../../shared/domain/ticket.js';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import type { Encryptor } from '../ssh/secret-vault.js';
import type { Workspace } from '../workspace/workspace.js';
import type { TicketConnector } from './connector.js';
import { Outbox } from './outbox.js';
import { OutboxRepo } from './outbox-repo.js';
import { defaultBackoff, type BackoffPolicy } from './outbox-state.js';
import { findingPost, newPostId, notePost, textPost, type BuiltPost } from './post-content.js';
import { RtConnector } from './rt/rt-connector.js';
import { workspaceStatus } from './rt/rt-parse.js';
import { RtSettingsRepo, RtTicketsRepo } from './rt-data-repo.js';
import { TokenKeeper } from './token-keeper.js';

export interface TicketSystemDeps {
  ws: Workspace;
  dataDir: string;
  encryptor?: Encryptor | undefined;
  /** BACKLINE_RT_URL (default address), BACKLINE_RT_TOKEN, BACKLINE_RT_TOKEN_FILE. */
  env?: Record<string, string | undefined>;
  policy?: BackoffPolicy;
  timeoutMs?: number;
  log: (message: string, error: unknown) => void;
}

export type TicketSystemMethod =
  | 'ticketSystem.settings.get'
  | 'ticketSystem.settings.set'
  | 'ticketSystem.test'
  | 'ticketSystem.open'
  | 'ticketSystem.refresh'
  | 'ticketSystem.remote'
  | 'ticketSystem.myTickets'
  | 'ticketSystem.post'
  | 'ticketSystem.outbox.list'
  | 'ticketSystem.outbox.retry'
  | 'ticketSystem.outbox.cancel';

export interface TicketSystem {
  handlers: HandlerGroup<TicketSystemMethod>;
  outbox: Outbox;
  /** Sends what a Backline before this one left in the outbox. */
  resume(): void;
  close(): void;
}

/** RT's base URL as people paste it: the web UI's address, maybe with /REST/2.0 or a trailing slash. */
export function normaliseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new BacklineError('VALIDATION_FAILED', `"${text.trim()}" is not an address.`, { hint: 'Give RT’s address, e.g. https://rt.example.com.', issues: [{ path: 'baseUrl', message: 'Not an address.' }] });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BacklineError('VALIDATION_FAILED', `RT is reached over http or https, not ${url.protocol}`, { issues: [{ path: 'baseUrl', message: 'Use http:// or https://.' }] });
  }
  if (url.username || url.password) {
    throw new BacklineError('VALIDATION_FAILED', 'The address must not carry a user name or password.', { hint: 'The token is the credential.', issues: [{ path: 'baseUrl', message: 'No credentials in the address.' }] });
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/REST\/2\.0$/i, '').replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

export function createTicketSystem(deps: TicketSystemDeps): TicketSystem {
  const { ws } = deps;
  const env = deps.env ?? process.env;
  const settingsRepo = new RtSettingsRepo(ws.db);
  const rtTickets = new RtTicketsRepo(ws.db);
  const repo = new OutboxRepo(ws.db);
  const keeper = new TokenKeeper({ file: join(deps.dataDir, 'rt-token.enc'), encryptor: deps.encryptor, env });

  const baseUrl = (): string | null => settingsRepo.get().baseUrl ?? (env.BACKLINE_RT_URL ? normaliseBaseUrl(env.BACKLINE_RT_URL) : null);
  let cached: { url: string; connector: RtConnector } | null = null;
  const connector = (): TicketConnector => {
    const url = baseUrl();
    if (url === null) throw new BacklineError('TICKET_SYSTEM_NOT_CONFIGURED', undefined, { detail: { kind: 'not-configured', status: null, sent: 'no' } });
    const token = keeper.resolve(settingsRepo.get().tokenFile);
    if (token.source === 'none') token.read();
    if (cached?.url !== url) cached = { url, connector: new RtConnector({ baseUrl: url, token: () => keeper.resolve(settingsRepo.get().tokenFile).read(), ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}) }) };
    return cached.connector;
  };

  // BACKLINE_RT_OUTBOX_BASE_MS shortens the first backoff (tests, the benchmark); the doubling and the cap stay.
  const baseMs = Number(env.BACKLINE_RT_OUTBOX_BASE_MS);
  const policy = deps.policy ?? (baseMs > 0 ? { ...defaultBackoff, baseMs } : defaultBackoff);
  const outbox = new Outbox({ ws, repo, connector, policy, log: deps.log });

  const settings = (): TicketSystemSettings => {
    const stored = settingsRepo.get();
    const refusal = keeper.storeRefusal();
    return { kind: 'rt', baseUrl: baseUrl(), tokenSource: keeper.resolve(stored.tokenFile).source, tokenFile: stored.tokenFile, canStoreToken: refusal === null, storeRefusal: refusal };
  };

  /** The RT number of a workspace: the one it was opened from, or its own id when that is a plain number. */
  const numberOf = (ticketId: string): string => {
    const linked = rtTickets.find(ticketId);
    if (linked) return linked.number;
    if (/^\d+$/.test(ticketId)) return ticketId;
    throw new BacklineError('NOT_FOUND', `Workspace ${ticketId} is not linked to an RT ticket.`, { hint: 'Workspaces opened from an RT ticket number are; this one was made by hand.' });
  };

  const workspaceFor = (number: string): string | null => rtTickets.workspaceFor(number) ?? (ws.tickets.find(number) ? number : null);

  /** Writes what RT said into the workspace: its title, customer and status follow RT. */
  const apply = (ticketId: string | null, remote: RemoteTicket): { ticket: Ticket; created: boolean } =>
    ws.change((tx) => {
      const fields = {
        title: remote.subject.trim().slice(0, 300) || `RT ticket ${remote.number}`,
        customer: remote.requestors.join(', ').slice(0, 200),
        status: workspaceStatus(remote.status),
      };
      const id = ticketId ?? remote.number;
      const before = ws.tickets.find(id);
      if (!before) {
        ws.tickets.create({ id, ...fields }, tx.now);
        tx.record({ ticketId: id, action: 'ticket.created', summary: `Opened workspace for ${id}: ${fields.title}` });
      }
      const wasLinked = rtTickets.find(id) !== null;
      rtTickets.save(id, remote);
      const changed = before ? (['title', 'customer', 'status'] as const).filter((key) => before[key] !== fields[key]) : [];
      if (before && changed.length > 0) ws.tickets.update(id, fields, tx.now);
      if (!wasLinked) {
        tx.record({ ticketId: id, action: 'rt.linked', summary: `Linked to RT ticket ${remote.number} (${remote.queue}, ${remote.status}, owner ${remote.owner})`, detail: { number: remote.number, url: remote.url } });
      } else if (changed.length > 0) {
        tx.record({
          ticketId: id,
          action: 'rt.refreshed',
          summary: `From RT: ${changed.map((key) => `${key}: ${before?.[key] || '—'} → ${fields[key] || '—'}`).join('; ')}`,
          detail: Object.fromEntries(changed.map((key) => [key, { from: before?.[key], to: fields[key] }])),
        });
      }
      tx.emit('ticket.changed', { ticketId: id });
      return { ticket: ws.tickets.get(id), created: !before };
    });

  const build = (ticketId: string, input: { item: Parameters<HandlerGroup<'ticketSystem.post'>['ticketSystem.post']>[0]['item']; mode: 'comment' | 'reply'; format: 'html' | 'text'; attachEvidence: boolean }): BuiltPost => {
    const options = { postId: newPostId(), mode: input.mode, format: input.format };
    const { item } = input;
    if (item.kind === 'text') return textPost(item.title, item.body, options, 'Backline', item.attachments);
    const owned = item.kind === 'finding' ? ws.findings.get(item.id) : ws.notes.get(item.id);
    if (owned.ticketId !== ticketId) throw new BacklineError('NOT_FOUND', `That ${item.kind} belongs to ${owned.ticketId}, not ${ticketId}.`);
    return item.kind === 'finding' ? findingPost(ws.findings.get(item.id), { ...options, attachEvidence: input.attachEvidence }) : notePost(ws.notes.get(item.id), options);
  };

  const handlers: HandlerGroup<TicketSystemMethod> = {
    'ticketSystem.settings.get': () => settings(),
    'ticketSystem.settings.set': (input) => {
      const url = normaliseBaseUrl(input.baseUrl);
      if (input.token !== undefined) keeper.store(input.token);
      if (input.forgetToken) keeper.forget();
      const stored = settingsRepo.get();
      const tokenFile = input.tokenFile === undefined ? stored.tokenFile : input.tokenFile || null;
      ws.change((tx) => {
        settingsRepo.set({ baseUrl: url, tokenFile }, tx.now);
        tx.record({
          ticketId: null,
          action: 'rt.settings-changed',
          summary: `Ticket system: RT at ${url}${input.token !== undefined ? ', new token in the keychain' : ''}${input.forgetToken ? ', stored token forgotten' : ''}`,
          detail: { baseUrl: url, tokenFile, tokenStored: input.token !== undefined, tokenForgotten: input.forgetToken === true },
        });
      });
      cached = null;
      outbox.tryNow();
      return settings();
    },
    'ticketSystem.test': async () => {
      let rt: TicketConnector;
      try {
        rt = connector();
      } catch (error) {
        if (!(error instanceof BacklineError)) throw error;
        return { ok: false, kind: baseUrl() === null ? 'not-configured' : 'no-token', message: error.message, hint: error.hint ?? '', status: null };
      }
      const result = await rt.test();
      if (result.ok) outbox.tryNow();
      return result;
    },
    'ticketSystem.open': async ({ number }) => {
      const remote = await connector().getTicket(number, ws.now());
      const result = apply(workspaceFor(number), remote);
      outbox.tryNow();
      return { ...result, remote };
    },
    'ticketSystem.refresh': async ({ ticketId }) => {
      ws.tickets.get(ticketId);
      const remote = await connector().getTicket(numberOf(ticketId), ws.now());
      outbox.tryNow();
      return { ticket: apply(ticketId, remote).ticket, remote };
    },
    'ticketSystem.remote': ({ ticketId }) => rtTickets.find(ticketId),
    'ticketSystem.myTickets': async ({ limit }) => {
      const lines = await connector().myOpenTickets(limit);
      outbox.tryNow();
      return lines.map((line) => ({ ...line, workspace: workspaceFor(line.number) }));
    },
    'ticketSystem.post': (input) => {
      ws.tickets.get(input.ticketId);
      const number = numberOf(input.ticketId);
      if (input.mode === 'reply' && !input.confirmReply) {
        throw new BacklineError('VALIDATION_FAILED', 'A reply goes to the customer: confirm it first.', { issues: [{ path: 'confirmReply', message: 'Confirm that the customer should see this.' }] });
      }
      const built = build(input.ticketId, input);
      return outbox.queue({
        ticketId: input.ticketId,
        remoteNumber: number,
        item: input.item.kind === 'text' ? { kind: 'text', title: input.item.title } : input.item,
        itemTitle: built.itemTitle,
        format: input.format,
        outgoing: built.outgoing,
        ...(built.refusal !== null ? { failedWith: built.refusal } : {}),
      });
    },
    'ticketSystem.outbox.list': ({ ticketId, pendingOnly, limit }) => repo.list({ ticketId, pendingOnly, limit }).map(({ outgoing: _outgoing, ...post }) => post),
    'ticketSystem.outbox.retry': ({ id }) => outbox.retry(id),
    'ticketSystem.outbox.cancel': ({ id }) => outbox.cancel(id),
  };

  return { handlers, outbox, resume: () => outbox.kick(), close: () => outbox.close() };
}
