import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput } from '../../../../shared/contract/index.js';
import type { WireResult } from '../../../../shared/bridge.js';
import { createCore, type Core } from '../../core.js';
import { tempDir } from '../../testing/temp-dir.js';
import { makeRtTicket, rtApi, rtHistory, rtTestEnv, type RtTestEnv } from './rt-testing.js';

let env: RtTestEnv;
let dir: ReturnType<typeof tempDir>;
let core: Core;

beforeEach(() => {
  env = rtTestEnv();
  dir = tempDir();
  core = createCore({ dataDir: dir.path, shell: 'browser', version: '0.0.0-rt', user: 'esc', log: () => undefined });
});
afterEach(() => {
  core.close();
  dir.remove();
});

const raw = (method: MethodName, input: unknown): Promise<WireResult> => core.dispatch(method, input, { shell: 'browser' });
async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await raw(method, input);
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result.error)}`);
  return result.value as MethodOutput<K>;
}
const connect = (tokenFile = env.engineerTokenFile, baseUrl = env.url) => call('ticketSystem.settings.set', { baseUrl, tokenFile });

describe('connection to the real RT', () => {
  it('says who the token logs in as', async () => {
    const settings = await connect();
    expect(settings).toMatchObject({ baseUrl: env.url, tokenSource: 'file', tokenFile: env.engineerTokenFile, canStoreToken: false });
    const test = await call('ticketSystem.test', {});
    expect(test).toMatchObject({ ok: true, user: { name: 'engineer', realName: 'Erin Engineer', email: 'engineer@backline.test' } });
    if (test.ok) expect(test.rtVersion).toMatch(/^5\./);
  });

  it('says a wrong token is refused, a user without rights has none, and a non-RT address is not RT', async () => {
    const wrong = `${dir.path}/wrong.token`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(wrong, '1-35-0123456789abcdef0123456789abcdef\n', { mode: 0o600 });
    await connect(wrong);
    expect(await call('ticketSystem.test', {})).toMatchObject({ ok: false, kind: 'bad-token', status: 401 });

    await connect(env.norightTokenFile);
    const noRights = await call('ticketSystem.test', {});
    expect(noRights).toMatchObject({ ok: false, kind: 'no-rights' });
    if (!noRights.ok) expect(noRights.message).toContain('noright');

    // RT's web UI (an HTML page), where the API was expected.
    await connect(env.engineerTokenFile, `${env.url}/NoAuth/Login.html`);
    expect(await call('ticketSystem.test', {})).toMatchObject({ ok: false, kind: 'not-rt' });

    // Nothing listens on port 9 of loopback.
    await connect(env.engineerTokenFile, 'http://127.0.0.1:9');
    expect(await call('ticketSystem.test', {})).toMatchObject({ ok: false, kind: 'unreachable' });
  });
});

describe('tickets from the real RT', () => {
  it('opens a workspace from an RT ticket number, filled from RT, and refreshes it', async () => {
    await connect();
    const number = await makeRtTicket(env, 'Backline test: open from RT');
    const opened = await call('ticketSystem.open', { number: `#${number}` });
    expect(opened.created).toBe(true);
    expect(opened.ticket).toMatchObject({ id: number, title: 'Backline test: open from RT', customer: 'customer@customer.test', status: 'open' });
    expect(opened.remote).toMatchObject({ number, queue: 'Backline Test', owner: 'engineer', requestors: ['customer@customer.test'], status: 'new' });
    expect(await call('ticketSystem.remote', { ticketId: number })).toEqual(opened.remote);

    // Changed in RT: the refresh brings it in, and says so in the audit log.
    await rtApi(env, 'POST', `/ticket/${number}/correspond`, { Content: 'Looking', ContentType: 'text/plain', Status: 'stalled' });
    const refreshed = await call('ticketSystem.refresh', { ticketId: number });
    expect(refreshed.ticket.status).toBe('waiting');
    expect(Date.parse(refreshed.remote.fetchedAt)).toBeGreaterThan(Date.parse(opened.remote.fetchedAt) - 1);
    const again = await call('ticketSystem.open', { number });
    expect(again.created).toBe(false);
  });

  it('says clearly when a ticket does not exist or cannot be seen', async () => {
    await connect();
    const missing = await raw('ticketSystem.open', { number: '99999999' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'TICKET_SYSTEM_TICKET_MISSING', message: 'RT has no ticket 99999999 (404).' } });
    // Ticket 5 is in the "Hidden" queue the engineer has no rights on.
    const hidden = await raw('ticketSystem.open', { number: '5' });
    expect(hidden).toMatchObject({ ok: false, error: { code: 'TICKET_SYSTEM_TICKET_MISSING', message: 'RT does not let you see ticket 5 (403).' } });
    const letters = await raw('ticketSystem.open', { number: '12a' });
    expect(letters).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it("lists my open tickets: mine, not resolved, not someone else's", async () => {
    await connect();
    const number = await makeRtTicket(env, 'Backline test: mine');
    await call('ticketSystem.open', { number });
    const mine = await call('ticketSystem.myTickets', { limit: 200 });
    const numbers = mine.map((t) => t.number);
    expect(numbers).toContain(number);
    expect(numbers).toContain('1');
    expect(numbers).not.toContain('3'); // resolved
    expect(numbers).not.toContain('4'); // the colleague's
    expect(mine.find((t) => t.number === number)).toMatchObject({ subject: 'Backline test: mine', queue: 'Backline Test', workspace: number });
  });
});

describe('posting to the real RT', () => {
  it('posts a finding with its evidence attached, and RT has it as written', async () => {
    await connect();
    const number = await makeRtTicket(env, 'Backline test: post a finding');
    await call('ticketSystem.open', { number });
    const finding = await call('findings.add', {
      ticketId: number,
      kind: 'cause',
      severity: 'high',
      title: 'PHP exhausts memory_limit <128M>',
      detail: { host: 'web1', rss_mb: 412 },
      evidence: [{ label: 'php-fpm log', content: 'PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted\n' }],
    });
    const queued = await call('ticketSystem.post', { ticketId: number, item: { kind: 'finding', id: finding.id }, mode: 'comment', format: 'html' });
    const posted = await waitPosted(queued.id);
    expect(posted).toMatchObject({ state: 'posted', attempts: 1, attachments: [{ name: 'php-fpm-log.txt', bytes: 67 }] });
    expect(posted.url).toBe(`${env.url}/Ticket/Display.html?id=${number}#txn-${posted.transactionId}`);

    const txn = await rtApi<{ Type: string; Data: string }>(env, 'GET', `/transaction/${posted.transactionId}`);
    expect(txn.json).toMatchObject({ Type: 'Comment', Data: expect.stringContaining(`[${queued.id}]`) as unknown });
    const attachments = await rtApi<{ items: { id: string; Filename: string; ContentType: string }[] }>(
      env,
      'GET',
      `/transaction/${posted.transactionId}/attachments?fields=Filename,ContentType`,
    );
    const file = attachments.json.items.find((a) => a.Filename === 'php-fpm-log.txt');
    expect(file).toBeDefined();
    const body = await rtApi<{ Content: string }>(env, 'GET', `/attachment/${file?.id}`);
    expect(Buffer.from(body.json.Content, 'base64').toString('utf8')).toBe('PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted\n');
    const html = attachments.json.items.find((a) => a.ContentType === 'text/html');
    const htmlBody = await rtApi<{ Content: string }>(env, 'GET', `/attachment/${html?.id}`);
    expect(Buffer.from(htmlBody.json.Content, 'base64').toString('utf8')).toContain('PHP exhausts memory_limit &lt;128M&gt;');

    const audit = await call('audit.list', { ticketId: number });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['rt.linked', 'rt.post-queued', 'rt.posted']));
  });

  it('asks for confirmation before a reply, and keeps a post too large as failed with its reason', async () => {
    await connect();
    const number = await makeRtTicket(env, 'Backline test: reply and size');
    await call('ticketSystem.open', { number });
    expect(await raw('ticketSystem.post', { ticketId: number, item: { kind: 'text', title: 'Hi', body: 'x' }, mode: 'reply' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const reply = await call('ticketSystem.post', { ticketId: number, item: { kind: 'text', title: 'Status', body: 'We found it.' }, mode: 'reply', format: 'text', confirmReply: true });
    const posted = await waitPosted(reply.id);
    expect((await rtApi<{ Type: string }>(env, 'GET', `/transaction/${posted.transactionId}`)).json.Type).toBe('Correspond');

    const big = 'x'.repeat(200 * 1024);
    const finding = await call('findings.add', {
      ticketId: number,
      kind: 'observation',
      severity: 'info',
      title: 'Huge evidence',
      detail: {},
      evidence: Array.from({ length: 30 }, (_, i) => ({ label: `part ${i}`, content: big })),
    });
    const tooBig = await call('ticketSystem.post', { ticketId: number, item: { kind: 'finding', id: finding.id }, mode: 'comment' });
    expect(tooBig).toMatchObject({ state: 'failed', lastError: expect.stringContaining('a post takes at most 5') as unknown });
    expect(await raw('ticketSystem.outbox.retry', { id: tooBig.id })).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(await call('ticketSystem.outbox.cancel', { id: tooBig.id })).toMatchObject({ state: 'cancelled' });
    expect((await rtHistory(env, number)).some((t) => t.Data.includes(tooBig.id))).toBe(false);
  });
});

async function waitPosted(id: string) {
  const until = Date.now() + 120_000;
  for (;;) {
    const post = (await call('ticketSystem.outbox.list', {})).find((p) => p.id === id);
    if (post?.state === 'posted') return post;
    if (post?.state === 'failed' || Date.now() > until) throw new Error(`post ${id} did not get posted: ${JSON.stringify(post)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
