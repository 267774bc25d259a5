import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invokePath, LAUNCH_TOKEN_PARAM } from '../shared/bridge.js';
import type { MethodName } from '../shared/contract/index.js';
import { expect, test } from './fixtures.js';

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
    const response = await page.goto(`${backline.running.origin}/`);
    expect(response?.status()).toBe(401);
    await expect(page.getByText('did not carry the launch token')).toBeVisible();
    await expect(page.getByText(`Open the URL with ?${LAUNCH_TOKEN_PARAM}=`)).toBeVisible();
  });

  test('opening the printed URL signs in and drops the token from the address bar', async ({ page, backline }) => {
    await backline.open(page);
    expect(page.url()).toBe(`${backline.running.origin}/`);
    const cookies = await page.context().cookies();
    expect(cookies).toContainEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Strict', value: backline.running.token }));
  });

  test('a page from another origin cannot make Backline act, even with the cookie', async ({ page, backline }) => {
    await backline.open(page);
    // An attacker's page on the same machine (same site, other port): the browser sends our cookie along.
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
    const answer = await page.evaluate(async (path) => {
      const response = await fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: "TKT-1'; DROP TABLE tickets; --", title: '' }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    }, createTicketPath);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        issues: expect.arrayContaining([
          { path: 'id', message: 'Ticket ids look like TKT-48213: letters, a dash, then digits.' },
          { path: 'title', message: 'Give the ticket a title.' },
        ]) as unknown,
      },
    });
    const list = await page.evaluate(async (path) => {
      const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return (await response.json()) as unknown;
    }, listTicketsPath);
    expect(list).toEqual({ ok: true, value: [] });
  });
});
