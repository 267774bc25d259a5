import type { ConnectionFailureKind, RemoteTicket, RtUser } from '../../../../shared/contract/tickets-system.js';
import type { TicketStatus } from '../../../../shared/domain/ticket.js';

/**
 * Pure readers of RT 5's REST2 answers (fixtures recorded from the real RT next to this file). RT
 * is loose about types: ids are numbers in single records and strings in refs and collections,
 * so every reader accepts both and says what it could not read.
 */

export interface Failure {
  kind: ConnectionFailureKind | 'missing' | 'bad-request';
  message: string;
  hint: string;
  status: number | null;
}

export type Answer = { ok: true; json: unknown } | { ok: false; failure: Failure };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const refId = (value: unknown): string => (isObject(value) ? text(value.id) : text(value));
/** RT writes "never" as the epoch. */
const date = (value: unknown): string | null => {
  const t = text(value);
  return t === '' || t.startsWith('1970-01-01') ? null : t;
};

/**
 * What an HTTP answer from RT means: its JSON, or exactly what failed. `what` names the request
 * for people ("ticket 48213"); `where` is the address asked.
 */
export function readAnswer(status: number, contentType: string, body: string, what: string, where: string): Answer {
  const isJson = /\bjson\b/i.test(contentType);
  let json: unknown;
  let parsed = false;
  if (isJson) {
    try {
      json = JSON.parse(body);
      parsed = true;
    } catch {
      parsed = false;
    }
  }
  if (!parsed) {
    const looksHtml = /^\s*<(!doctype|html|head|body)/i.test(body);
    return {
      ok: false,
      failure: {
        kind: 'not-rt',
        status,
        message: looksHtml
          ? `${where} answered ${status} with an HTML page, not RT's REST2 API (a login page, a proxy, or not RT).`
          : `${where} answered ${status} with ${contentType || 'no content type'}, not RT's REST2 JSON.`,
        hint: 'Check the address: it is RT’s base URL (e.g. https://rt.example.com), without /REST/2.0.',
      },
    };
  }
  const message = isObject(json) ? text(json.message) : '';
  if (status >= 200 && status < 300) return { ok: true, json };
  if (status === 401) {
    return {
      ok: false,
      failure: { kind: 'bad-token', status, message: `RT refused the token for ${what} (401 ${message || 'Unauthorized'}).`, hint: 'Make a new token in RT (Logged in as → Settings → Auth Tokens) and set it here.' },
    };
  }
  if (status === 403) {
    return {
      ok: false,
      failure: {
        kind: 'no-rights',
        status,
        message: `RT does not let this user do that: ${what} (403 ${message || 'Forbidden'}).`,
        hint: 'Ask an RT admin for the rights on the queue (ShowTicket, CommentOnTicket, ReplyToTicket).',
      },
    };
  }
  if (status === 404) {
    return { ok: false, failure: { kind: 'missing', status, message: `RT has no ${what} (404).`, hint: 'Check the number in RT.' } };
  }
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return { ok: false, failure: { kind: 'bad-request', status, message: `RT refused ${what}: ${message || `HTTP ${status}`}.`, hint: 'This will fail again as it is; cancel it or change what is posted.' } };
  }
  return { ok: false, failure: { kind: 'server-error', status, message: `RT answered ${status} for ${what}${message ? `: ${message}` : ''}.`, hint: 'RT has a problem; Backline tries again later.' } };
}

/** `GET /rt`: the version proves it is RT. */
export function parseRtVersion(json: unknown): string | null {
  return isObject(json) && typeof json.Version === 'string' ? json.Version : null;
}

/** RT's tokens read `1-<user id>-<hex>`: the id says who to ask about, since RT 5.0 has no "current user" endpoint. */
export function tokenUserId(token: string): number | null {
  const match = /^\d+-(\d+)-[0-9a-f]+$/i.exec(token.trim());
  return match ? Number(match[1]) : null;
}

export function parseRtUser(json: unknown): RtUser | null {
  if (!isObject(json)) return null;
  const id = Number(json.id);
  const name = text(json.Name);
  if (!Number.isInteger(id) || name === '') return null;
  return { id, name, realName: text(json.RealName), email: text(json.EmailAddress) };
}

export function parseQueueName(json: unknown): string | null {
  return isObject(json) && typeof json.Name === 'string' ? json.Name : null;
}

/** The queue's id a ticket names (its name needs `GET /queue/<id>`). */
export function ticketQueueId(json: unknown): string | null {
  return isObject(json) ? refId(json.Queue) || null : null;
}

/** RT's statuses mapped onto the workspace's; anything RT's lifecycles add stays "open". */
export function workspaceStatus(rtStatus: string): TicketStatus {
  switch (rtStatus.toLowerCase()) {
    case 'stalled':
      return 'waiting';
    case 'resolved':
      return 'resolved';
    case 'rejected':
    case 'deleted':
      return 'closed';
    default:
      return 'open';
  }
}

/** The web page of a ticket, at a transaction when one is given. */
export function ticketWebUrl(baseUrl: string, number: string, transactionId?: string): string {
  const page = `${baseUrl.replace(/\/+$/, '')}/Ticket/Display.html?id=${encodeURIComponent(number)}`;
  return transactionId ? `${page}#txn-${encodeURIComponent(transactionId)}` : page;
}

/** `GET /ticket/N` (+ the queue's name): the fields a workspace shows. */
export function parseRtTicket(json: unknown, queueName: string, baseUrl: string, fetchedAt: string): RemoteTicket | null {
  if (!isObject(json)) return null;
  const number = text(json.id);
  if (!/^\d+$/.test(number) || typeof json.Subject !== 'string') return null;
  const requestors = Array.isArray(json.Requestor) ? json.Requestor.map(refId).filter((id) => id !== '') : [];
  return {
    number,
    subject: json.Subject,
    queue: queueName,
    status: text(json.Status),
    owner: refId(json.Owner),
    requestors,
    created: date(json.Created),
    lastUpdated: date(json.LastUpdated),
    url: ticketWebUrl(baseUrl, number),
    fetchedAt,
  };
}

export interface TicketLine {
  number: string;
  subject: string;
  queue: string;
  status: string;
  lastUpdated: string | null;
}

/** A page of `GET /tickets?query=…&fields=Subject,Status,Queue,LastUpdated&fields[Queue]=Name`. */
export function parseTicketSearch(json: unknown): { tickets: TicketLine[]; unparsed: unknown[] } {
  const items = isObject(json) && Array.isArray(json.items) ? json.items : null;
  if (!items) return { tickets: [], unparsed: [json] };
  const tickets: TicketLine[] = [];
  const unparsed: unknown[] = [];
  for (const item of items) {
    const number = isObject(item) ? text(item.id) : '';
    if (!isObject(item) || !/^\d+$/.test(number)) {
      unparsed.push(item);
      continue;
    }
    tickets.push({
      number,
      subject: text(item.Subject),
      queue: isObject(item.Queue) ? text(item.Queue.Name) || refId(item.Queue) : text(item.Queue),
      status: text(item.Status),
      lastUpdated: date(item.LastUpdated),
    });
  }
  return { tickets, unparsed };
}

/** A created comment or reply: `Location: /REST/2.0/transaction/<id>`. */
export function transactionIdFromLocation(location: string | null): string | null {
  const match = location ? /\/transaction\/(\d+)\/?$/.exec(location) : null;
  return match?.[1] ?? null;
}

export interface HistoryItem {
  id: string;
  type: string;
  /** For a comment or reply: its subject (RT keeps it in the transaction's Data). */
  data: string;
}

/** A page of `GET /ticket/N/history?fields=Type,Data,Created`. */
export function parseHistoryPage(json: unknown): { items: HistoryItem[]; unparsed: unknown[] } {
  const items = isObject(json) && Array.isArray(json.items) ? json.items : null;
  if (!items) return { items: [], unparsed: [json] };
  const out: HistoryItem[] = [];
  const unparsed: unknown[] = [];
  for (const item of items) {
    if (isObject(item) && /^\d+$/.test(text(item.id))) out.push({ id: text(item.id), type: text(item.Type), data: text(item.Data) });
    else unparsed.push(item);
  }
  return { items: out, unparsed };
}

/** The marker a post carries in its subject, so the ticket's history can say whether it is there. */
export function postMarker(postId: string): string {
  return `[${postId}]`;
}

/** The comment or reply that carries this post's marker, if the page holds it. */
export function findPostInHistory(items: readonly HistoryItem[], postId: string): HistoryItem | null {
  const marker = postMarker(postId);
  return items.find((item) => (item.type === 'Comment' || item.type === 'Correspond') && item.data.includes(marker)) ?? null;
}
