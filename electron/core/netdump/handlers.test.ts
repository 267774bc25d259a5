import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js';
import type { WireError } from '../../../shared/errors.js';
import { createCore, type Core } from '../core.js';
import { tempDir } from '../testing/temp-dir.js';
import { decodeCapture } from './captures/format.js';
import { freeUdpPort } from '../testing/free-udp-port.js';

/**
 * Netdump's receiver methods and events through a real core's contract dispatch, as a window uses them:
 * a kernel's datagrams (a recorded sysrq crash) sent to the receiver on loopback.
 */

const fixture = (name: string) => decodeCapture(readFileSync(join(import.meta.dirname, 'fixtures', name))).records.map((r) => Buffer.from(r.bytes));

async function send(datagrams: readonly Buffer[], port: number, address = '127.0.0.1'): Promise<void> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, address, (error) => (error ? reject(error) : resolve())));
  socket.close();
}

const opened: { core: Core; remove: () => void }[] = [];
afterEach(async () => {
  for (const { core, remove } of opened.splice(0)) {
    core.close();
    // The receiver writes what it holds as it closes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    remove();
  }
});

function open(dataDir?: string) {
  const dir = dataDir ? { path: dataDir, remove: () => undefined } : tempDir();
  const core = createCore({ dataDir: dir.path, shell: 'browser', version: 'test', log: () => undefined, ssh: { home: dir.path, user: 'engineer', agentSocket: null } });
  opened.push({ core, remove: dir.remove });
  const call = async <K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> => {
    const result = await core.dispatch(method, input, { shell: 'browser' });
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
    return result.value as MethodOutput<K>;
  };
  const failure = async (method: string, input: unknown): Promise<WireError> => {
    const result = await core.dispatch(method, input, { shell: 'browser' });
    if (result.ok) throw new Error(`${method} succeeded, but a failure was expected`);
    return result.error;
  };
  const seen: { event: EventName; payload: unknown }[] = [];
  core.events.subscribe((event, payload) => seen.push({ event, payload }));
  const next = <E extends EventName>(event: E, timeoutMs = 5000) =>
    new Promise<EventPayload<E>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} event in ${timeoutMs} ms`)), timeoutMs);
      const off = core.events.subscribe((name: EventName, payload: unknown) => {
        if (name !== event) return;
        clearTimeout(timer);
        off();
        resolve(payload as EventPayload<E>);
      });
    });
  return { core, call, failure, seen, next, dataDir: dir.path };
}

describe('the receiver through the contract', () => {
  it('captures a crash: batched message events, the panic on the ticket whose server sent it, the capture paged back', async () => {
    const app = open();
    await app.call('tickets.create', { id: 'TKT-51001', title: 'Fleet keeps panicking' });
    await app.call('servers.add', { ticketId: 'TKT-51001', label: 'vm1', host: '127.0.0.1', user: 'root', auth: 'key', keyFile: '/nonexistent' });
    const port = await freeUdpPort();

    const state = app.next('netdump.receiver');
    const started = await app.call('netdump.receiver.start', { address: '127.0.0.1', port });
    expect(started).toMatchObject({ status: 'listening', address: '127.0.0.1', port });
    expect(started.recvBufferSize).toBeGreaterThan(0);
    expect(await state).toMatchObject({ status: 'listening', port });

    const panicEvent = app.next('netdump.panic');
    const datagrams = fixture('extended-sysrq-panic.ncap');
    await send(datagrams, port);
    const { panic, tickets } = await panicEvent;
    expect(panic).toMatchObject({ sender: '127.0.0.1', kind: 'panic', title: 'Kernel panic - not syncing: sysrq triggered crash' });
    expect(panic.trace.join('\n')).toContain('sysrq_handle_crash');
    expect(tickets).toEqual([{ ticketId: 'TKT-51001', serverLabel: 'vm1', findingId: expect.any(Number) as unknown }]);

    // Messages went out in batches, far fewer events than datagrams, every message carried or counted.
    await expect.poll(() => app.seen.filter((s) => s.event === 'netdump.message').reduce((n, s) => n + (s.payload as EventPayload<'netdump.message'>).messages.length, 0)).toBe(datagrams.length);
    const batches = app.seen.filter((s) => s.event === 'netdump.message').length;
    expect(batches).toBeLessThan(datagrams.length / 2);

    const findings = await app.call('findings.list', { ticketId: 'TKT-51001' });
    expect(findings.find((f) => f.id === tickets[0]!.findingId)).toMatchObject({ title: 'Kernel panic - not syncing: sysrq triggered crash', severity: 'critical' });
    expect(await app.call('netdump.panics.list', { ticketId: 'TKT-51001' })).toEqual([panic]);
    expect(await app.call('netdump.panics.list', {})).toEqual([panic]);

    const [capture] = await app.call('netdump.captures.list', {});
    expect(capture).toMatchObject({ sender: '127.0.0.1', datagrams: datagrams.length, panics: 1 });
    const first = await app.call('netdump.captures.messages', { captureId: capture!.id, limit: 5 });
    expect(first.messages).toHaveLength(5);
    expect(first.messages[0]).toMatchObject({ text: 'netconsole: network logging started', sender: '127.0.0.1' });
    const rest = await app.call('netdump.captures.messages', { captureId: capture!.id, cursor: first.nextCursor!, limit: 500 });
    expect(rest.nextCursor).toBeNull();
    expect(first.messages.length + rest.messages.length).toBe(datagrams.length);
    expect([...first.messages, ...rest.messages].map((m) => m.seq)).toEqual([...Array(datagrams.length).keys()].map((i) => 370 + i));
    expect(rest.messages.map((m) => m.text)).toContain('Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)');

    const stopped = await app.call('netdump.receiver.stop', {});
    expect(stopped).toMatchObject({ status: 'stopped', port });
    const audit = await app.call('audit.list', { ticketId: 'TKT-51001' });
    expect(audit.map((e) => e.action)).toContain('netdump.panic-captured');
  });

  it('says clearly why it cannot listen, and keeps that in its state', async () => {
    const app = open();
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const { port } = taken.address();
    try {
      const error = await app.failure('netdump.receiver.start', { address: '127.0.0.1', port });
      expect(error).toMatchObject({ code: 'NETDUMP_RECEIVER_FAILED', message: expect.stringContaining(`UDP port ${port} on 127.0.0.1 is already in use`) as unknown });
      expect(await app.call('netdump.receiver.state', {})).toMatchObject({ status: 'failed', port, error: { code: 'NETDUMP_RECEIVER_FAILED' } });
    } finally {
      taken.close();
    }
    const bad = await app.failure('netdump.receiver.start', { address: 'receiver.example.net', port: 6666 });
    expect(bad).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'address', message: expect.stringContaining('not an IPv4 address') as unknown }] });
    expect(await app.failure('netdump.captures.messages', { captureId: 99 })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('at exit, indexes every datagram received before the store closes (shutdown, not close)', async () => {
    const dir = tempDir();
    try {
      const port = await freeUdpPort();
      const first = open(dir.path);
      await first.call('netdump.receiver.start', { address: '127.0.0.1', port });
      const message = first.next('netdump.message');
      await send([Buffer.from('6,1,1,-;one'), Buffer.from('6,2,2,-;two')], port);
      await message;
      opened.splice(0);
      await first.core.shutdown();

      const second = open(dir.path);
      const [capture] = await second.call('netdump.captures.list', {});
      expect(capture).toMatchObject({ sender: '127.0.0.1', datagrams: 2 });
      await second.call('netdump.receiver.stop', {});
    } finally {
      dir.remove();
    }
  });

  it('listens again after Backline restarts if it was on, and not once stopped', async () => {
    const dir = tempDir();
    try {
      const port = await freeUdpPort();
      const first = open(dir.path);
      await first.call('netdump.receiver.start', { address: '::1', port });
      opened.splice(0).forEach(({ core }) => core.close());
      await new Promise((resolve) => setTimeout(resolve, 100));

      const second = open(dir.path);
      await expect.poll(() => second.call('netdump.receiver.state', {})).toMatchObject({ status: 'listening', address: '::1', port });
      const message = second.next('netdump.message');
      await send([Buffer.from('6,1,1,-;after restart')], port, '::1');
      expect((await message).messages[0]).toMatchObject({ text: 'after restart', sender: '::1' });
      await second.call('netdump.receiver.stop', {});
      opened.splice(0).forEach(({ core }) => core.close());
      await new Promise((resolve) => setTimeout(resolve, 100));

      const third = open(dir.path);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await third.call('netdump.receiver.state', {})).toMatchObject({ status: 'stopped', port });
    } finally {
      dir.remove();
    }
  });
});
