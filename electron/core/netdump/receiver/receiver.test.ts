import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { NetdumpMessage, NetdumpPanic } from '../../../../shared/domain/netdump.js';
import { BacklineError } from '../../../../shared/errors.js';
import { EventBus } from '../../events.js';
import { CapturesRepo } from '../../store/captures-repo.js';
import { openWorkspaceDb } from '../../store/database.js';
import { tempDir } from '../../testing/temp-dir.js';
import { Workspace } from '../../workspace/workspace.js';
import { decodeCapture } from '../captures/format.js';
import { NetdumpReceiver } from './receiver.js';
import { recordPanic } from './record-panic.js';
import { freeUdpPort } from '../../testing/free-udp-port.js';

const fixtureRecords = (name: string) => decodeCapture(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)))).records.map((r) => Buffer.from(r.bytes));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const dir = tempDir();
  const db = openWorkspaceDb(join(dir.path, 'backline.sqlite'));
  const captures = new CapturesRepo(db);
  const receivers: NetdumpReceiver[] = [];
  const make = () => {
    const receiver = new NetdumpReceiver({ dataDir: dir.path, captures, tickMs: 20, indexMs: 50 });
    receivers.push(receiver);
    return receiver;
  };
  cleanups.push(async () => {
    for (const r of receivers) await r.close();
    db.close();
    dir.remove();
  });
  return { dir, db, captures, make };
}

async function sender(type: 'udp4' | 'udp6' = 'udp4'): Promise<Socket> {
  const socket = createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

async function send(socket: Socket, datagrams: Buffer[], port: number, address: string) {
  for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, address, (error) => (error ? reject(error) : resolve())));
}

const next = <T>(subscribe: (listener: (value: T) => void) => () => void, timeoutMs = 3000): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    const stop = subscribe((value) => {
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });

const hasIpv6 = await (async () => {
  try {
    await freeUdpPort('udp6');
    return true;
  } catch {
    return false;
  }
})();

describe('NetdumpReceiver on loopback', () => {
  it('captures every datagram raw in the sender file, parses it, and gives out the panic once it is on disk (IPv4)', async () => {
    const { dir, captures, make } = setup();
    const receiver = make();
    const port = await freeUdpPort();
    const state = await receiver.start({ address: '127.0.0.1', port });
    expect(state).toMatchObject({ status: 'listening', address: '127.0.0.1', port, error: null });
    expect(state.recvBufferSize).toBeGreaterThan(1024 * 1024);
    const datagrams = fixtureRecords('extended-sysrq-panic.ncap');
    const from = await sender();
    const panic = next<NetdumpPanic>((l) => receiver.onPanic(l));
    await send(from, datagrams, port, '127.0.0.1');
    const got = await panic;
    expect(got).toMatchObject({ sender: '127.0.0.1', kind: 'panic', title: 'Kernel panic - not syncing: sysrq triggered crash', kernelRelease: '6.1.0-28-amd64' });
    // The capture holds the datagrams exactly, in order, and the panic's pointer is its first line's record.
    const file = readFileSync(join(dir.path, ...got.capture!.file.split('/')));
    const records = decodeCapture(file).records;
    expect(records.map((r) => Buffer.from(r.bytes))).toEqual(datagrams);
    expect(records.every((r) => r.port === from.address().port)).toBe(true);
    expect(file.subarray(got.capture!.offset).toString('latin1')).toMatch(/^#ncap1 \d+ \d+ \d+\n0,373,/);
    await receiver.flush();
    expect(captures.list()).toEqual([
      expect.objectContaining({ sender: '127.0.0.1', file: got.capture!.file, datagrams: 29, messages: 29, lost: 0, reboots: 0, panics: 1, kernelRelease: '6.1.0-28-amd64' }),
    ]);
    expect(receiver.state()).toMatchObject({ datagrams: 29, senders: 1, pendingWrites: 0 });
  });

  it.skipIf(!hasIpv6)('listens on ::1 (IPv6), and on :: hears IPv4 senders by their IPv4 address', async () => {
    const { make } = setup();
    const receiver = make();
    const port = await freeUdpPort('udp6');
    await receiver.start({ address: '::1', port });
    const message = next<NetdumpMessage>((l) => receiver.onMessage(l));
    await send(await sender('udp6'), [Buffer.from('6,1,100,-;over IPv6')], port, '::1');
    expect(await message).toMatchObject({ sender: '::1', text: 'over IPv6', seq: 1 });

    const both = make();
    const port2 = await freeUdpPort('udp6');
    await both.start({ address: '::', port: port2 });
    const marker = both.waitForMarker('127.0.0.1', 'marker-42', 3000);
    await send(await sender('udp4'), [Buffer.from('10,5,100,-;backline marker-42')], port2, '127.0.0.1');
    expect(await marker).toMatchObject({ sender: '127.0.0.1', level: 2, facility: 1 });
  });

  it('reassembles fragments that arrive out of order over the wire', async () => {
    const { make } = setup();
    const receiver = make();
    const port = await freeUdpPort();
    await receiver.start({ address: '127.0.0.1', port });
    const panic = next<NetdumpPanic>((l) => receiver.onPanic(l));
    // The fixture sends the modules line's fragments last first; shuffle them further.
    const datagrams = fixtureRecords('extended-oops-fragments.ncap');
    const fragments = datagrams.filter((d) => d.includes('ncfrag='));
    expect(fragments.length).toBeGreaterThan(1);
    const order = datagrams.filter((d) => !d.includes('ncfrag='));
    order.splice(20, 0, fragments[1]!, ...fragments.slice(2), fragments[0]!);
    await send(await sender(), order, port, '127.0.0.1');
    const got = await panic;
    expect(got.modules).toMatch(/^Modules linked in: netconsole configfs mod_00_x+ .* mod_69_x+$/);
    expect(got.headlines).toHaveLength(3);
  });

  it('takes a boot-time replay burst (399 datagrams sent at once, recorded from a real kernel) without losing one', async () => {
    const { captures, make } = setup();
    const receiver = make();
    const port = await freeUdpPort();
    await receiver.start({ address: '127.0.0.1', port });
    const datagrams = fixtureRecords('recorded/boot-extended-panic.ncap');
    const from = await sender();
    const panic = next<NetdumpPanic>((l) => receiver.onPanic(l));
    // All queued at once, as the kernel replays its log: no waiting for each send.
    await Promise.all(datagrams.map((d) => new Promise<void>((resolve, reject) => from.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))));
    await panic;
    await receiver.flush();
    expect(receiver.state().datagrams).toBe(datagrams.length);
    expect(captures.list()[0]).toMatchObject({ datagrams: datagrams.length, messages: datagrams.length, panics: 1, reboots: 0 });
  });

  it('waitForMarker gives null when the marker does not come', async () => {
    const { make } = setup();
    const receiver = make();
    await receiver.start({ address: '127.0.0.1', port: await freeUdpPort() });
    expect(await receiver.waitForMarker(null, 'never-sent', 100)).toBeNull();
  });
});

describe('NetdumpReceiver: bad addresses and ports', () => {
  it('says the port is taken and what to do, and shows it in the state', async () => {
    const { make } = setup();
    const taken = await sender();
    const port = taken.address().port;
    const receiver = make();
    const error = await receiver.start({ address: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BacklineError);
    expect(error).toMatchObject({ code: 'NETDUMP_RECEIVER_FAILED', message: `UDP port ${port} on 127.0.0.1 is already in use by another program, so the receiver cannot listen on 127.0.0.1:${port}.` });
    expect((error as BacklineError).hint).toMatch(/choose another port/);
    expect(receiver.state()).toMatchObject({ status: 'failed', port, error: { code: 'NETDUMP_RECEIVER_FAILED' } });
  });

  it('says an address is not this machine\'s, and refuses what is not an address', async () => {
    const { make } = setup();
    const receiver = make();
    await expect(receiver.start({ address: '192.0.2.1', port: await freeUdpPort() })).rejects.toThrow(/192\.0\.2\.1 is not an address of this machine/);
    await expect(receiver.start({ address: 'not-an-ip', port: 6666 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('NetdumpReceiver: a capture that cannot be written', () => {
  it('says so once, with what to do, and does not crash the process', async () => {
    const { dir, make } = setup();
    writeFileSync(join(dir.path, 'netdump'), 'a file where the captures folder should be');
    const receiver = make();
    const port = await freeUdpPort();
    await receiver.start({ address: '127.0.0.1', port });
    const failure = next<BacklineError>((l) => {
      receiver.on('error', l);
      return () => receiver.off('error', l);
    });
    await send(await sender(), [Buffer.from('6,1,1,-;one'), Buffer.from('6,2,2,-;two')], port, '127.0.0.1');
    const error = await failure;
    expect(error.message).toMatch(/^A capture file could not be written in .*: ENOTDIR/);
    expect(error.hint).toBe('Check the free space and permissions of the data folder, then start the receiver again.');
    expect(receiver.state().error).toMatchObject({ code: 'NETDUMP_RECEIVER_FAILED' });
  });
});

describe('NetdumpReceiver: after a restart', () => {
  it('listens again if it was on, and not if it was stopped', async () => {
    const { make, captures } = setup();
    const port = await freeUdpPort();
    const first = make();
    await first.start({ address: '127.0.0.1', port });
    await first.close(); // Backline quits: the receiver was on.
    expect(captures.receiverConfig()).toMatchObject({ enabled: true, address: '127.0.0.1', port });

    const second = make();
    expect(await second.resumeIfWasOn()).toMatchObject({ status: 'listening', address: '127.0.0.1', port });
    const message = next<NetdumpMessage>((l) => second.onMessage(l));
    await send(await sender(), [Buffer.from('6,1,1,-;after restart')], port, '127.0.0.1');
    expect(await message).toMatchObject({ text: 'after restart' });
    expect(await second.stop()).toMatchObject({ status: 'stopped', port });

    const third = make();
    expect(await third.resumeIfWasOn()).toMatchObject({ status: 'stopped', address: '127.0.0.1', port });
  });
});

describe('a captured panic onto the ticket', () => {
  it('makes one finding on the ticket whose server sent it, with an audit entry, however often it is seen', async () => {
    const { dir, db, make } = setup();
    const ws = new Workspace(db, new EventBus(), 'esc', () => new Date());
    ws.change((tx) => {
      ws.tickets.create({ id: 'TKT-7', title: 'Fleet keeps panicking', customer: 'acme', status: 'open' }, tx.now);
      ws.tickets.create({ id: 'TKT-8', title: 'Other customer', customer: 'other', status: 'open' }, tx.now);
      ws.servers.add({ ticketId: 'TKT-7', label: 'web1', host: '127.0.0.1', port: 22, user: 'root', auth: 'auto', keyFile: null, jump: null }, tx.now);
      ws.servers.add({ ticketId: 'TKT-8', label: 'db1', host: '10.77.0.30', port: 22, user: 'root', auth: 'auto', keyFile: null, jump: null }, tx.now);
    });
    const datagrams = fixtureRecords('extended-sysrq-panic.ncap');
    const port = await freeUdpPort();
    const seen: NetdumpPanic[] = [];
    for (const round of [1, 2]) {
      // The same crash twice: once live, once more from a receiver started again (a replay reaches a fresh parser).
      const receiver = make();
      await receiver.start({ address: '127.0.0.1', port });
      const panic = next<NetdumpPanic>((l) => receiver.onPanic(l));
      await send(await sender(), datagrams, port, '127.0.0.1');
      seen.push(await panic);
      const recorded = await recordPanic(ws, seen.at(-1)!, () => Promise.resolve([]));
      expect(recorded.servers.map((s) => s.label)).toEqual(['web1']);
      expect(recorded.findings).toHaveLength(round === 1 ? 1 : 0);
      await receiver.close();
    }
    expect(seen[0]!.id).toBe(seen[1]!.id);
    const findings = ws.findings.listForTicket('TKT-7');
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding).toMatchObject({ kind: 'observation', severity: 'critical', title: 'Kernel panic - not syncing: sysrq triggered crash' });
    expect(finding.detail).toMatchObject({ source: 'netdump', sender: '127.0.0.1', server: 'web1', kernelRelease: '6.1.0-28-amd64', captureFile: seen[0]!.capture!.file, captureOffset: seen[0]!.capture!.offset });
    expect(finding.evidence.map((e) => e.label)).toEqual(['Kernel output from web1 (127.0.0.1)', 'Call trace', 'Registers']);
    expect(finding.evidence[1]!.content).toContain(' sysrq_handle_crash+0x16/0x20');
    // The pointer leads to the raw bytes of the panic line.
    const raw = readFileSync(join(dir.path, ...String(finding.detail.captureFile).split('/')));
    expect(raw.subarray(Number(finding.detail.captureOffset)).toString('latin1')).toMatch(/^#ncap1 \d+ \d+ \d+\n0,373,[^;]*;Kernel panic - not syncing/);
    expect(ws.findings.listForTicket('TKT-8')).toEqual([]);
    const audit = ws.audit.listForTicket('TKT-7', 100).filter((e) => e.action === 'netdump.panic-captured');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.summary).toBe('web1: Kernel panic - not syncing: sysrq triggered crash');
  });
});
