import type { ConnectionTest, RemoteTicket } from '../../../../shared/contract/tickets-system.js';
import { BacklineError, type ErrorCode } from '../../../../shared/errors.js';
import type { OutgoingPost, PostedRef, TicketConnector } from '../connector.js';
import {
  findPostInHistory,
  parseHistoryPage,
  parseQueueName,
  parseRtTicket,
  parseRtUser,
  parseRtVersion,
  parseTicketSearch,
  readAnswer,
  ticketQueueId,
  ticketWebUrl,
  tokenUserId,
  transactionIdFromLocation,
  type Failure,
  type TicketLine,
} from './rt-parse.js';

export interface RtConnectorOptions {
  /** RT's base URL (no /REST/2.0). */
  baseUrl: string;
  /** Read on each request, so a token file changed on disk is picked up. */
  token: () => string;
  timeoutMs?: number;
  /** Pages of 100 transactions searched for a post's marker before saying it is not there. */
  historyPages?: number;
}

/** Whether a failed request may have reached RT: only then must a resend look in the history first. */
export type Sent = 'no' | 'unknown' | 'yes';

const codeFor: Record<Failure['kind'], ErrorCode> = {
  'not-configured': 'TICKET_SYSTEM_NOT_CONFIGURED',
  'no-token': 'TICKET_SYSTEM_NOT_CONFIGURED',
  unreachable: 'TICKET_SYSTEM_UNREACHABLE',
  tls: 'TICKET_SYSTEM_UNREACHABLE',
  timeout: 'TICKET_SYSTEM_UNREACHABLE',
  'bad-token': 'TICKET_SYSTEM_REFUSED',
  'no-rights': 'TICKET_SYSTEM_REFUSED',
  missing: 'TICKET_SYSTEM_TICKET_MISSING',
  'not-rt': 'TICKET_SYSTEM_NOT_RT',
  'server-error': 'TICKET_SYSTEM_FAILED',
  'bad-request': 'TICKET_SYSTEM_FAILED',
};

export function failureError(failure: Failure, sent: Sent): BacklineError {
  return new BacklineError(codeFor[failure.kind], failure.message, { hint: failure.hint, detail: { kind: failure.kind, status: failure.status, sent } });
}

/** Errors before any byte of the request left: a resend cannot duplicate anything. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** What a thrown fetch error means, for people, and whether the request may have reached RT. */
export function networkFailure(error: unknown, where: string): { failure: Failure; sent: Sent } {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return {
      failure: { kind: 'timeout', status: null, message: `${where} did not answer in time.`, hint: 'RT may be overloaded or the network slow; Backline tries again later.' },
      sent: 'unknown',
    };
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const detail = typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/i.test(code)) {
    return {
      failure: { kind: 'tls', status: null, message: `The TLS certificate of ${where} was not accepted (${code}: ${detail}).`, hint: 'Check the address (https and host name) and that the certificate is valid and trusted by this system.' },
      sent: 'no',
    };
  }
  if (NOT_SENT_CODES.has(code)) {
    return {
      failure: { kind: 'unreachable', status: null, message: `${where} could not be reached (${code}).`, hint: 'Check the address and that RT is running; posts wait in the outbox until it answers.' },
      sent: 'no',
    };
  }
  return {
    failure: { kind: 'unreachable', status: null, message: `The connection to ${where} failed (${code || detail}).`, hint: 'Backline tries again later, checking RT first for what may already be there.' },
    sent: 'unknown',
  };
}

interface Reply {
  status: number;
  json: unknown;
  location: string | null;
}

/** Request Tracker 5 through REST2 with an auth token (`Authorization: token …`; RT refuses Bearer). */
export class RtConnector implements TicketConnector {
  private readonly base: string;
  private readonly queueNames = new Map<string, string>();

  constructor(private readonly options: RtConnectorOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  private async call(method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<Reply> {
    const url = `${this.base}/REST/2.0${path}`;
    const where = `RT at ${this.base}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `token ${this.options.token()}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
      text = await response.text();
    } catch (error) {
      if (error instanceof BacklineError) throw error;
      const { failure, sent } = networkFailure(error, where);
      throw failureError(failure, method === 'GET' ? 'no' : sent);
    }
    const answer = readAnswer(response.status, response.headers.get('content-type') ?? '', text, what, where);
    // A refused write was not made; an RT error page after a write may hide a partial one.
    if (!answer.ok) throw failureError(answer.failure, method === 'GET' ? 'no' : answer.failure.kind === 'server-error' ? 'unknown' : 'no');
    return { status: response.status, json: answer.json, location: response.headers.get('location') };
  }

  async test(): Promise<ConnectionTest> {
    const started = performance.now();
    try {
      const version = parseRtVersion((await this.call('GET', '/rt', 'its version')).json);
      if (version === null) {
        return { ok: false, kind: 'not-rt', status: 200, message: `${this.base}/REST/2.0/rt answered JSON without RT's version: it is not RT.`, hint: 'Check the address: it is RT’s base URL.' };
      }
      const userId = tokenUserId(this.options.token());
      if (userId === null) {
        return { ok: false, kind: 'bad-token', status: null, message: 'RT answered, but this token does not look like an RT auth token (1-<user>-<hex>).', hint: 'Copy the token RT showed when it was made.' };
      }
      const user = parseRtUser((await this.call('GET', `/user/${userId}`, 'your user record')).json);
      if (!user) return { ok: false, kind: 'not-rt', status: 200, message: 'RT answered the user record with something Backline cannot read.', hint: 'Check that this is RT 5 or later.' };
      // RT answers searches with nothing rather than 403 when rights are missing: no queue seen is the sign.
      const queues = (await this.call('GET', '/queues/all?per_page=1', 'the queues you can see')).json as { count?: unknown };
      if (Number(queues.count) === 0) {
        return {
          ok: false,
          kind: 'no-rights',
          status: 200,
          message: `Logged in to RT as ${user.name}, but RT lets ${user.name} see no queue: no ticket can be read or posted to.`,
          hint: 'Ask an RT admin for SeeQueue, ShowTicket and CommentOnTicket on your queues.',
        };
      }
      return { ok: true, user, rtVersion: version, baseUrl: this.base, elapsedMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (!(error instanceof BacklineError)) throw error;
      const detail = error.detail as { kind?: Failure['kind']; status?: number | null } | undefined;
      const kind = detail?.kind === 'missing' ? 'not-rt' : detail?.kind === 'bad-request' ? 'server-error' : (detail?.kind ?? 'server-error');
      const message = detail?.kind === 'missing' ? `${this.base} has no RT REST2 API (404 on /REST/2.0/rt).` : error.message;
      return { ok: false, kind, status: detail?.status ?? null, message, hint: error.hint ?? '' };
    }
  }

  private async queueName(id: string): Promise<string> {
    const known = this.queueNames.get(id);
    if (known !== undefined) return known;
    const name = parseQueueName((await this.call('GET', `/queue/${encodeURIComponent(id)}`, `queue ${id}`)).json) ?? `#${id}`;
    this.queueNames.set(id, name);
    return name;
  }

  async getTicket(number: string, fetchedAt: string): Promise<RemoteTicket> {
    let json: unknown;
    try {
      json = (await this.call('GET', `/ticket/${encodeURIComponent(number)}`, `ticket ${number}`)).json;
    } catch (error) {
      // RT says 403 for a ticket that exists in a queue you cannot see: to the engineer it is missing.
      if (error instanceof BacklineError && (error.detail as { kind?: string } | undefined)?.kind === 'no-rights') {
        throw new BacklineError('TICKET_SYSTEM_TICKET_MISSING', `RT does not let you see ticket ${number} (403).`, {
          hint: 'Check the number; if it is right, ask for the rights on its queue.',
          detail: { kind: 'no-rights', status: 403, sent: 'no' },
        });
      }
      throw error;
    }
    const queueId = ticketQueueId(json);
    const ticket = parseRtTicket(json, queueId ? await this.queueName(queueId) : '', this.base, fetchedAt);
    if (!ticket) throw failureError({ kind: 'not-rt', status: 200, message: `RT's answer for ticket ${number} is not a ticket Backline can read.`, hint: 'Check that this is RT 5 or later.' }, 'no');
    return ticket;
  }

  async myOpenTickets(limit: number): Promise<TicketLine[]> {
    const query = "Owner = '__CurrentUser__' AND Status != 'resolved' AND Status != 'rejected' AND Status != 'deleted'";
    const params = new URLSearchParams({ query, fields: 'Subject,Status,Queue,LastUpdated', 'fields[Queue]': 'Name', orderby: 'LastUpdated', order: 'DESC', per_page: String(limit) });
    const { tickets } = parseTicketSearch((await this.call('GET', `/tickets?${params.toString()}`, 'the search for your open tickets')).json);
    return tickets;
  }

  async post(number: string, post: OutgoingPost): Promise<PostedRef> {
    const body = {
      Subject: post.subject,
      Content: post.content,
      ContentType: post.contentType,
      ...(post.attachments.length > 0
        ? { Attachments: post.attachments.map((file) => ({ FileName: file.name, FileType: file.type, FileContent: file.content.toString('base64') })) }
        : {}),
    };
    const path = `/ticket/${encodeURIComponent(number)}/${post.mode === 'reply' ? 'correspond' : 'comment'}`;
    const reply = await this.call('POST', path, `the ${post.mode} on ticket ${number}`, body);
    const transactionId = transactionIdFromLocation(reply.location);
    if (transactionId === null) {
      // 2xx without a transaction: RT took the request but says nothing was made (its messages say why).
      const messages = Array.isArray(reply.json) ? reply.json.filter((m): m is string => typeof m === 'string').join('; ') : '';
      throw failureError({ kind: 'bad-request', status: reply.status, message: `RT did not add the ${post.mode} to ticket ${number}${messages ? `: ${messages}` : ''}.`, hint: 'Check your rights on the ticket.' }, 'unknown');
    }
    return { transactionId, url: ticketWebUrl(this.base, number, transactionId) };
  }

  async findPost(number: string, postId: string): Promise<PostedRef | null> {
    const pages = this.options.historyPages ?? 20;
    for (let page = 1; page <= pages; page++) {
      const params = new URLSearchParams({ fields: 'Type,Data', per_page: '100', page: String(page), orderby: 'id', order: 'DESC' });
      const { items } = parseHistoryPage((await this.call('GET', `/ticket/${encodeURIComponent(number)}/history?${params.toString()}`, `the history of ticket ${number}`)).json);
      const found = findPostInHistory(items, postId);
      if (found) return { transactionId: found.id, url: ticketWebUrl(this.base, number, found.id) };
      if (items.length < 100) return null;
    }
    return null;
  }
}
