import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
  tokenUserId,
  transactionIdFromLocation,
  workspaceStatus,
} from './rt-parse.js';

/** Answers recorded from the real RT 5.0.3 by scripts/rt/record-fixtures.sh. */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const json = (name: string): unknown => JSON.parse(fixture(name));

/** A `curl -i` recording: status, headers (lower-cased names) and body. */
function http(name: string): { status: number; headers: Map<string, string>; body: string } {
  const text = fixture(name);
  const split = text.indexOf('\n\n');
  const [statusLine, ...headerLines] = text.slice(0, split).split('\n');
  const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine?.split(' ')[1]), headers, body: text.slice(split + 2) };
}
const answerOf = (name: string) => {
  const { status, headers, body } = http(name);
  return readAnswer(status, headers.get('content-type') ?? '', body, 'ticket 5', 'RT at http://127.0.0.1:58081');
};

describe('readAnswer', () => {
  it("says a refused token is a bad token (RT's 401)", () => {
    expect(answerOf('error-401.http')).toMatchObject({ ok: false, failure: { kind: 'bad-token', status: 401 } });
  });

  it('says a ticket in a queue one cannot see is a matter of rights (403)', () => {
    const answer = answerOf('error-403-hidden.http');
    expect(answer).toMatchObject({ ok: false, failure: { kind: 'no-rights', status: 403 } });
  });

  it('says a ticket that does not exist is missing (404)', () => {
    expect(answerOf('error-404.http')).toMatchObject({ ok: false, failure: { kind: 'missing', status: 404, message: 'RT has no ticket 5 (404).' } });
  });

  it("reads a created comment's answer as JSON", () => {
    const answer = answerOf('comment-201.http');
    expect(answer).toEqual({ ok: true, json: ['Comments added'] });
  });

  it('says an HTML page (a proxy, a login page) is not RT, whatever its status', () => {
    const answer = readAnswer(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body>Sign in</body></html>', 'its version', 'RT at https://sso.example');
    expect(answer).toMatchObject({ ok: false, failure: { kind: 'not-rt', status: 200 } });
    if (!answer.ok) expect(answer.failure.message).toContain('HTML page');
  });

  it('says JSON that does not parse is not RT, and a 5xx is a server error', () => {
    expect(readAnswer(200, 'application/json', '{"Version":', 'x', 'RT')).toMatchObject({ ok: false, failure: { kind: 'not-rt' } });
    expect(readAnswer(502, 'application/json', '{"message":"bad gateway"}', 'x', 'RT')).toMatchObject({ ok: false, failure: { kind: 'server-error', status: 502 } });
  });
});

describe('records', () => {
  it("reads RT's version", () => {
    expect(parseRtVersion(json('rt-version.json'))).toMatch(/^5\.0\.3/);
    expect(parseRtVersion({ name: 'some other API' })).toBeNull();
  });

  it('reads the user a token belongs to', () => {
    // The shape of the token the seed script made for `engineer` (user 35); the clear token is not kept here.
    expect(tokenUserId('1-35-d97a0c6c43f8b1e2')).toBe(35);
    expect(tokenUserId('Bearer xyz')).toBeNull();
    expect(parseRtUser(json('user-35.json'))).toEqual({ id: 35, name: 'engineer', realName: 'Erin Engineer', email: 'engineer@backline.test' });
  });

  it('reads a ticket, with its queue named', () => {
    const ticket = json('ticket-1.json');
    expect(ticketQueueId(ticket)).toBe('3');
    expect(parseQueueName(json('queue-3.json'))).toBe('Backline Test');
    expect(parseRtTicket(ticket, 'Backline Test', 'http://127.0.0.1:58081', '2026-12-02T00:00:00.000Z')).toMatchObject({
      number: '1',
      subject: 'Site down after PHP upgrade',
      queue: 'Backline Test',
      status: 'open',
      owner: 'engineer',
      requestors: ['alice@customer.test'],
      url: 'http://127.0.0.1:58081/Ticket/Display.html?id=1',
      fetchedAt: '2026-12-02T00:00:00.000Z',
    });
    expect(parseRtTicket({ message: 'Not Found' }, '', 'http://x', '2026-12-02T00:00:00.000Z')).toBeNull();
  });

  it('maps RT statuses onto the workspace', () => {
    expect(['new', 'open', 'stalled', 'resolved', 'rejected', 'deleted', 'custom'].map(workspaceStatus)).toEqual(['open', 'open', 'waiting', 'resolved', 'closed', 'closed', 'open']);
  });

  it('reads a ticket search, newest first as RT sent it, and keeps what it cannot read', () => {
    const { tickets, unparsed } = parseTicketSearch(json('search-mine.json'));
    expect(unparsed).toEqual([]);
    expect(tickets.map((t) => [t.number, t.subject, t.queue, t.status])).toEqual([
      ['2', 'Mail queue stuck on web2', 'Backline Test', 'new'],
      ['1', 'Site down after PHP upgrade', 'Backline Test', 'open'],
    ]);
    expect(parseTicketSearch({ items: [{ id: 'x' }] }).unparsed).toEqual([{ id: 'x' }]);
  });

  it("reads a created transaction's id from its Location", () => {
    expect(transactionIdFromLocation(http('comment-201.http').headers.get('location') ?? null)).toMatch(/^\d+$/);
    expect(transactionIdFromLocation(null)).toBeNull();
    expect(transactionIdFromLocation('/REST/2.0/ticket/3')).toBeNull();
  });

  it("finds a post by the marker in its subject in the ticket's history", () => {
    const { items, unparsed } = parseHistoryPage(json('history-3.json'));
    expect(unparsed).toEqual([]);
    expect(items.map((item) => item.type)).toContain('Comment');
    expect(findPostInHistory(items, 'bl-00000000fixture')).toMatchObject({ type: 'Comment' });
    expect(findPostInHistory(items, 'bl-0000000000000000')).toBeNull();
  });
});
