import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * For the tests against the real RT (`*.rt.test.ts`, `npm run test:rt`): where the test RT runs
 * (scripts/rt/rt.sh), reading it back through REST2 as the engineer, and a TCP proxy that loses
 * RT's answers on purpose.
 */

const script = fileURLToPath(new URL('../../../../scripts/rt/rt.sh', import.meta.url));

export function rtScript(action: 'up' | 'down' | 'status' | 'env'): string {
  return execFileSync('bash', [script, action], { encoding: 'utf8', timeout: 300_000 });
}

export interface RtTestEnv {
  url: string;
  engineerTokenFile: string;
  norightTokenFile: string;
}

export function rtTestEnv(): RtTestEnv {
  const lines = Object.fromEntries(
    rtScript('env')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const url = lines.RT_URL;
  const engineerTokenFile = lines.RT_TOKEN_FILE_ENGINEER;
  const norightTokenFile = lines.RT_TOKEN_FILE_NORIGHT;
  if (!url || !engineerTokenFile || !norightTokenFile) throw new Error('The test RT is not initialised: run `bash scripts/rt/rt.sh up`.');
  return { url, engineerTokenFile, norightTokenFile };
}

/** REST2 as the seeded engineer, for making tickets and reading back what Backline posted. */
export async function rtApi<T = unknown>(env: RtTestEnv, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: T; location: string | null }> {
  const response = await fetch(`${env.url}/REST/2.0${path}`, {
    method,
    headers: { Authorization: `token ${readFileSync(env.engineerTokenFile, 'utf8').trim()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T, location: response.headers.get('location') };
}

/** A fresh ticket owned by the engineer, so each test reads back only its own posts. */
export async function makeRtTicket(env: RtTestEnv, subject: string): Promise<string> {
  const made = await rtApi<{ id: number | string }>(env, 'POST', '/ticket', {
    Queue: 'Backline Test',
    Subject: subject,
    Owner: 'engineer',
    Requestor: 'customer@customer.test',
    Content: 'Made by a Backline test.',
  });
  if (made.status !== 201) throw new Error(`RT did not make the ticket: ${made.status} ${JSON.stringify(made.json)}`);
  return String(made.json.id);
}

export interface RtHistoryItem {
  id: string;
  Type: string;
  Data: string;
}

/** Every transaction on a ticket, oldest first. */
export async function rtHistory(env: RtTestEnv, number: string): Promise<RtHistoryItem[]> {
  const all: RtHistoryItem[] = [];
  for (let page = 1; ; page++) {
    const { json } = await rtApi<{ items: RtHistoryItem[] }>(env, 'GET', `/ticket/${number}/history?fields=Type,Data&per_page=100&page=${page}`);
    all.push(...json.items);
    if (json.items.length < 100) return all;
  }
}

/** How many comments or replies on the ticket carry this post's marker. */
export async function countPosts(env: RtTestEnv, number: string, postId: string): Promise<number> {
  return (await rtHistory(env, number)).filter((t) => (t.Type === 'Comment' || t.Type === 'Correspond') && t.Data.includes(`[${postId}]`)).length;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A TCP proxy in front of RT. `pass` forwards both ways; `cut` forwards a request to RT and, as RT's
 * answer arrives, closes the client's connection without it (the request reached RT, the answer
 * is lost); `hold` forwards the request and keeps the answer forever.
 */
export class LossyProxy {
  mode: 'pass' | 'cut' | 'hold' = 'pass';
  /** Requests whose answers were lost or held. */
  lost = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<string> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      // The mode is read as each answer arrives: connections are kept alive and reused.
      upstream.on('data', (chunk: Buffer) => {
        if (this.mode === 'pass') client.write(chunk);
        else if (!client.destroyed) {
          this.lost++;
          if (this.mode === 'cut') client.destroy();
        }
      });
      client.on('data', (chunk: Buffer) => upstream.write(chunk));
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('close', end);
      // Held: RT closing its side must not tell the client anything.
      upstream.on('close', () => {
        if (this.mode !== 'hold') end();
      });
      client.on('error', end);
      upstream.on('error', () => {
        if (this.mode !== 'hold') end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
