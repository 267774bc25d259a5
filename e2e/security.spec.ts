import { request as httpRequest } from 'node:http';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invokePath } from '../shared/bridge.js';
import type { MethodName } from '../shared/contract/index.js';
import { expect, test } from './fixtures.js';
import { createTicket } from './steps.js';

const createTicketPath = invokePath('tickets.create' satisfies MethodName);
const listTicketsPath = invokePath('tickets.list' satisfies MethodName);

/** Raw HTTP, because browsers (and fetch) won't let a test forge the Host header. */
function rawPost(port: number, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test.describe('the browser shell is a locked door', () => {
  test('without the launch token the app does not open', async ({ page, backline }) => {
    await page.goto(`${backline.running.origin}/`);
    await expect(page.getByText('This page did not carry the launch token')).toBeVisible();
    await expect(page.getByText('Open the URL Backline printed when it started')).toBeVisible();
    await expect(page.getByRole('button', { name: 'New ticket' })).toHaveCount(0);
  });

  test('opening the printed URL signs in with no cookie, drops the token from the address bar, and a reload stays signed in', async ({ page, backline }) => {
    await backline.open(page);
    expect(page.url()).toBe(`${backline.running.origin}/#/`);
    expect(await page.context().cookies()).toEqual([]);
    await page.reload();
    await createTicket(page, 'TKT-31', 'Still signed in after a reload');
    expect(page.url()).not.toContain(backline.running.token);
    // The events socket is signed in too (a subprotocol carries the token): a ticket made elsewhere shows up live.
    await page.goto(`${backline.running.origin}/#/`);
    await expect(page.getByRole('cell', { name: 'TKT-31' })).toBeVisible();
    const { port, origin, token } = backline.running;
    const made = await rawPost(port, createTicketPath, { Origin: origin, 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, JSON.stringify({ id: 'TKT-33', title: 'Made elsewhere' }));
    expect(made.status).toBe(200);
    await expect(page.getByRole('cell', { name: 'TKT-33' })).toBeVisible();
  });

  test('another service on 127.0.0.1 that the page is led to receives no credential', async ({ page, backline }) => {
    // Anyone who can bind a loopback port: another user, a dev server, a tunnel. Browsers scope cookies by host, not port.
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const other: Server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      await backline.open(page);
      await createTicket(page, 'TKT-32', 'Signed in, then led away');
      // Led away by the page: a new window, then a plain navigation; and the same browser opening it by hand.
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate((url) => void window.open(`${url}/opened`), elsewhere)]);
      await popup.waitForLoadState();
      await page.evaluate((url) => void (window.location.href = `${url}/navigated`), elsewhere);
      await page.waitForURL(`${elsewhere}/navigated`);
      const typed = await page.context().newPage();
      await typed.goto(`${elsewhere}/typed`);
      expect(seen.map((r) => r.url)).toEqual(expect.arrayContaining(['/opened', '/navigated', '/typed']));
      for (const { url, headers } of seen) {
        expect(headers.cookie, url).toBeUndefined();
        expect(headers.authorization, url).toBeUndefined();
        expect(JSON.stringify({ url, headers }), url).not.toContain(backline.running.token);
      }
    } finally {
      other.close();
    }
  });

  test('a page from another origin cannot make Backline act', async ({ page, backline }) => {
    await backline.open(page);
    // An attacker's page on the same machine (same site, other port), posting a form to our API.
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<form id="f" method="POST" enctype="text/plain" action="${backline.running.origin}${createTicketPath}">
        <input name='{"id":"TKT-666","title":"pwned","x":"' value='"}'></form>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const attacker = await page.context().newPage();
      await attacker.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const [answer] = await Promise.all([attacker.waitForResponse((r) => new URL(r.url()).pathname === createTicketPath), attacker.locator('#f').evaluate((f: HTMLFormElement) => f.submit())]);
      expect(answer.status()).toBe(403);
      expect(await answer.text()).toContain('FORBIDDEN_ORIGIN');
    } finally {
      evil.close();
    }
    await page.reload();
    await expect(page.getByRole('button', { name: 'New ticket' })).toBeVisible();
    await expect(page.getByText('TKT-666')).toHaveCount(0);
  });

  test('a request naming another host (DNS rebinding) is refused, token or not', async ({ backline }) => {
    const { port, token } = backline.running;
    const reply = await rawPost(
      port,
      listTicketsPath,
      { Host: `rebind.attacker.example:${port}`, Origin: `http://rebind.attacker.example:${port}`, 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      '{}',
    );
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_HOST' } });
  });

  test('a payload that fails its schema gets a clear error and changes nothing', async ({ page, backline }) => {
    await backline.open(page);
    const call = async (path: string, body: string) =>
      page.evaluate(
        async ({ path, body, token }) => {
          const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body });
          return { status: response.status, body: (await response.json()) as unknown };
        },
        { path, body, token: backline.running.token },
      );
    const answer = await call(createTicketPath, JSON.stringify({ id: "TKT-1'; DROP TABLE tickets; --", title: '' }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        issues: expect.arrayContaining([
          { path: 'id', message: 'Ticket ids are RT numbers like 48213, or look like TKT-48213: letters, a dash, then digits.' },
          { path: 'title', message: 'Give the ticket a title.' },
        ]) as unknown,
      },
    });
    expect((await call(listTicketsPath, '{}')).body).toEqual({ ok: true, value: [] });
  });
});
