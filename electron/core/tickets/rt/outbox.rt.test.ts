import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WireResult } from '../../../../shared/bridge.js';
import type { MethodInput, MethodName, MethodOutput } from '../../../../shared/contract/index.js';
import type { OutboxPost } from '../../../../shared/contract/tickets-system.js';
import { createCore, type Core } from '../../core.js';
import { tempDir } from '../../testing/temp-dir.js';
import { countPosts, LossyProxy, makeRtTicket, rtScript, rtTestEnv, waitFor, type RtTestEnv } from './rt-testing.js';

/** Exactly once against the real RT: RT down then up, an answer lost after RT made the post, Backline killed mid-send. */

let env: RtTestEnv;
let dir: ReturnType<typeof tempDir>;
let core: Core | null = null;
const previousBase = process.env.BACKLINE_RT_OUTBOX_BASE_MS;

beforeEach(() => {
  env = rtTestEnv();
  dir = tempDir();
  // Short first backoff, so a retry does not wait seconds; doubling and cap as in use.
  process.env.BACKLINE_RT_OUTBOX_BASE_MS = '300';
});
afterEach(() => {
  core?.close();
  core = null;
  dir.remove();
  if (previousBase === undefined) delete process.env.BACKLINE_RT_OUTBOX_BASE_MS;
  else process.env.BACKLINE_RT_OUTBOX_BASE_MS = previousBase;
});

function open(): Core {
  core = createCore({ dataDir: dir.path, shell: 'browser', version: '0.0.0-rt', user: 'esc', log: () => undefined });
  return core;
}
async function call<K extends MethodName>(c: Core, method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await c.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result.error)}`);
  return result.value as MethodOutput<K>;
}
const postOf = async (c: Core, id: string): Promise<OutboxPost | undefined> => (await call(c, 'ticketSystem.outbox.list', {})).find((p) => p.id === id);
const text = (title: string) => ({ kind: 'text' as const, title, body: `${title}: written by the exactly-once test.` });

describe('the outbox against the real RT', () => {
  it('queues a post while RT is down and posts it once when RT is back', async () => {
    const c = open();
    await call(c, 'ticketSystem.settings.set', { baseUrl: env.url, tokenFile: env.engineerTokenFile });
    const number = await makeRtTicket(env, 'Backline test: RT down then up');
    await call(c, 'ticketSystem.open', { number });
    rtScript('down');
    try {
      const post = await call(c, 'ticketSystem.post', { ticketId: number, item: text('Posted while RT was down'), mode: 'comment', format: 'text' });
      const waiting = await waitFor('the first try to fail', async () => {
        const p = await postOf(c, post.id);
        return p?.state === 'queued' && p.attempts >= 1 ? p : null;
      });
      expect(waiting.lastError).toMatch(/could not be reached \(ECONNREFUSED\)/);
      expect(await call(c, 'ticketSystem.outbox.list', { ticketId: number, pendingOnly: true })).toHaveLength(1);
    } finally {
      rtScript('up');
    }
    const [post] = await call(c, 'ticketSystem.outbox.list', { ticketId: number });
    const posted = await waitFor('the post to go out once RT is back', async () => ((await postOf(c, post?.id ?? ''))?.state === 'posted' ? postOf(c, post?.id ?? '') : null), 180_000);
    expect(posted?.attempts).toBeGreaterThanOrEqual(2);
    expect(await countPosts(env, number, post?.id ?? '')).toBe(1);
  });

  it('posts once when the connection is cut after RT took the request', async () => {
    const proxy = new LossyProxy({ host: '127.0.0.1', port: Number(new URL(env.url).port) });
    const proxyUrl = await proxy.start();
    try {
      const c = open();
      await call(c, 'ticketSystem.settings.set', { baseUrl: proxyUrl, tokenFile: env.engineerTokenFile });
      const number = await makeRtTicket(env, 'Backline test: answer lost');
      await call(c, 'ticketSystem.open', { number });
      proxy.mode = 'cut';
      const post = await call(c, 'ticketSystem.post', { ticketId: number, item: text('Answer lost on the way back'), mode: 'comment', format: 'html' });
      await waitFor('RT to take the post and its answer to be lost', async () => proxy.lost >= 1 && (await countPosts(env, number, post.id)) === 1);
      proxy.mode = 'pass';
      const posted = await waitFor('the post to be found in the history', async () => {
        const p = await postOf(c, post.id);
        return p?.state === 'posted' ? p : null;
      });
      expect(posted.attempts).toBeGreaterThanOrEqual(2);
      expect(await countPosts(env, number, post.id)).toBe(1);
    } finally {
      await proxy.stop();
    }
  });

  it('neither loses nor doubles posts when Backline is killed with SIGKILL mid-send', async () => {
    const proxy = new LossyProxy({ host: '127.0.0.1', port: Number(new URL(env.url).port) });
    const proxyUrl = await proxy.start();
    const number = await makeRtTicket(env, 'Backline test: SIGKILL mid-send');
    try {
      const first = await Child.start(dir.path);
      await first.call('ticketSystem.settings.set', { baseUrl: proxyUrl, tokenFile: env.engineerTokenFile });
      await first.call('ticketSystem.open', { number });
      // RT takes the first post; its answer never comes back. The other two wait behind it.
      proxy.mode = 'hold';
      const ids: string[] = [];
      for (const title of ['First, in flight when killed', 'Second, queued', 'Third, queued']) {
        ids.push(((await first.call('ticketSystem.post', { ticketId: number, item: text(title), mode: 'comment', format: 'text' })) as OutboxPost).id);
      }
      await waitFor('RT to make the first post', async () => (await countPosts(env, number, ids[0] ?? '')) === 1);
      const before = (await first.call('ticketSystem.outbox.list', { ticketId: number })) as OutboxPost[];
      expect(Object.fromEntries(before.map((p) => [p.id, p.state]))).toEqual({ [ids[0] ?? '']: 'sending', [ids[1] ?? '']: 'queued', [ids[2] ?? '']: 'queued' });
      await first.kill('SIGKILL');

      proxy.mode = 'pass';
      const second = await Child.start(dir.path);
      try {
        const after = await waitFor('every post to be posted after the restart', async () => {
          const list = (await second.call('ticketSystem.outbox.list', { ticketId: number })) as OutboxPost[];
          return list.every((p) => p.state === 'posted') ? list : null;
        });
        expect(after).toHaveLength(3);
        for (const id of ids) expect(await countPosts(env, number, id), id).toBe(1);
      } finally {
        await second.kill('SIGTERM');
      }
    } finally {
      await proxy.stop();
    }
  });
});

/** A Backline core in its own process (rt-child.ts), driven over stdin/stdout. */
class Child {
  private next = 1;
  private readonly waiting = new Map<number, (result: WireResult) => void>();

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {}

  static async start(dataDir: string): Promise<Child> {
    const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const proc = spawn(tsx, [fileURLToPath(new URL('./rt-child.ts', import.meta.url)), dataDir], { env: { ...process.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const child = new Child(proc);
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`rt-child exited (${code}) at start: ${stderr}`)));
      createInterface({ input: proc.stdout }).on('line', (line) => {
        const message = JSON.parse(line) as { ready?: number; id?: number; result?: WireResult };
        if (message.ready) resolve();
        else if (message.id !== undefined && message.result) child.waiting.get(message.id)?.(message.result);
      });
    });
    return child;
  }

  async call(method: MethodName, input: unknown): Promise<unknown> {
    const id = this.next++;
    const result = await new Promise<WireResult>((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.stdin.write(`${JSON.stringify({ id, method, input })}\n`);
    });
    if (!result.ok) throw new Error(`${method} failed in the child: ${JSON.stringify(result.error)}`);
    return result.value;
  }

  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill(signal);
    });
  }
}
