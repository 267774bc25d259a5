import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NetdumpMessage, NetdumpPanic } from '../../../../shared/domain/netdump.js';
import { decodeCapture } from '../captures/format.js';
import { SenderAssembler, type AssemblerEvent } from './assembler.js';
import { parseDatagram } from './datagram.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

/** Feeds a capture file's datagrams in order, as the receiver would, then lets everything held go. */
function replay(name: string, order?: (records: ReturnType<typeof decodeCapture>['records']) => typeof records) {
  const decoded = decodeCapture(fixture(name));
  expect(decoded.unparsed).toEqual([]);
  const records = order ? order(decoded.records) : decoded.records;
  const assembler = new SenderAssembler('10.0.2.15');
  const events: AssemblerEvent[] = [];
  for (const record of records) events.push(...assembler.feed({ bytes: record.bytes, receivedAtMs: record.receivedAtMs, capture: { file: name, offset: record.offset } }));
  events.push(...assembler.finish());
  const messages = events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
  const panics = events.flatMap((e) => (e.type === 'panic' ? [e.panic] : []));
  return { assembler, events, messages, panics, records };
}

describe('parseDatagram', () => {
  it('reads the extended header: facility and level from the prefix, sequence, time, flags, fragment', () => {
    const d = parseDatagram(Buffer.from('10,372,3408554,-;text'));
    expect(d).toMatchObject({ format: 'extended', facility: 1, level: 2, seq: 372, usec: 3408554, flags: '-', fragment: null, release: null });
    const f = parseDatagram(Buffer.from('4,1225,98000925,-,ncfrag=952/2103;chunk'));
    expect(f).toMatchObject({ format: 'extended', level: 4, facility: 0, fragment: { offset: 952, total: 2103 } });
    const r = parseDatagram(Buffer.from('6.1.0-28-amd64,6,416,1758426,-;with the release first'));
    expect(r).toMatchObject({ format: 'extended', release: '6.1.0-28-amd64', seq: 416 });
  });

  it('takes anything else for plain console text, even with a semicolon or commas in it', () => {
    expect(parseDatagram(Buffer.from('[   12.3] eth0: link up; speed 1000')).format).toBe('plain');
    expect(parseDatagram(Buffer.from('a,b,c,d;e')).format).toBe('plain');
    expect(parseDatagram(Buffer.from('no separator at all')).format).toBe('plain');
  });
});

describe('SenderAssembler on a sysrq-c panic (extended format)', () => {
  it('gives each message with its level and sequence, and the panic with its whole trace', () => {
    const { messages, panics, assembler } = replay('extended-sysrq-panic.ncap');
    expect(messages).toHaveLength(29);
    expect(messages[1]).toMatchObject({ facility: 1, level: 2, seq: 371, text: 'backline-marker-7f3a2c', incomplete: false });
    expect(panics).toHaveLength(1);
    const panic = panics[0]!;
    expect(panic).toMatchObject({
      kind: 'panic',
      title: 'Kernel panic - not syncing: sysrq triggered crash',
      cpu: 'CPU: 0 PID: 412 Comm: sh Not tainted 6.1.0-28-amd64 #1  Debian 6.1.119-1',
      kernelRelease: '6.1.0-28-amd64',
      ended: true,
      firstSeq: 373,
      modules: null,
    });
    expect(panic.hardware).toMatch(/^Hardware name: QEMU Standard PC/);
    expect(panic.lines[0]).toBe('Kernel panic - not syncing: sysrq triggered crash');
    expect(panic.lines.at(-1)).toBe('---[ end Kernel panic - not syncing: sysrq triggered crash ]---');
    expect(panic.trace[0]).toBe('Call Trace:');
    expect(panic.trace).toContain(' sysrq_handle_crash+0x16/0x20');
    expect(panic.trace.at(-1)).toBe(' </TASK>');
    expect(panic.registers[0]).toBe('RIP: 0033:0x7f3c1a2f5f33');
    expect(panic.registers).toContain('R13: 00007f3c1a3c8780 R14: 0000000000000002 R15: 00007f3c1a3c39e0');
    // The capture pointer is the record of the panic's first line.
    expect(panic.capture?.file).toBe('extended-sysrq-panic.ncap');
    expect(fixture('extended-sysrq-panic.ncap').subarray(panic.capture!.offset).toString('latin1')).toMatch(/^#ncap1 \d+ 6665 \d+\n0,373,[^;]+;Kernel panic/);
    expect(assembler.stats).toMatchObject({ lost: 0, reboots: 0, panics: 1, duplicates: 0 });
  });

  it('names the same panic the same way when its capture is read again', () => {
    expect(replay('extended-sysrq-panic.ncap').panics[0]!.id).toBe(replay('extended-sysrq-panic.ncap').panics[0]!.id);
  });
});

describe('SenderAssembler on an oops that became a panic, its modules line in fragments sent backwards', () => {
  it('reassembles the fragments and keeps the BUG, the Oops and the panic as one event', () => {
    const { messages, panics, assembler } = replay('extended-oops-fragments.ncap');
    const modules = messages.find((m) => m.text.startsWith('Modules linked in:'))!;
    expect(modules.incomplete).toBe(false);
    expect(modules.text).toMatch(/^Modules linked in: netconsole configfs mod_00_x+ .* mod_69_x+$/);
    expect(modules.text.length).toBeGreaterThan(1000);
    expect(messages[0]!.dict).toEqual([
      ['SUBSYSTEM', 'pci'],
      ['DEVICE', '+pci:0000:00:03.0'],
    ]);
    expect(panics).toHaveLength(1);
    const panic = panics[0]!;
    expect(panic.kind).toBe('panic');
    expect(panic.title).toBe('Kernel panic - not syncing: Fatal exception');
    expect(panic.headlines).toEqual(['BUG: kernel NULL pointer dereference, address: 0000000000000008', 'Oops: 0000 [#1] PREEMPT SMP NOPTI', 'Kernel panic - not syncing: Fatal exception']);
    expect(panic.modules).toBe(modules.text);
    expect(panic.kernelRelease).toBe('6.1.0-28-amd64');
    expect(panic.trace).toContain(' process_one_work+0x1c7/0x380');
    expect(panic.registers).toContain('RIP: 0010:buggy_work_fn+0x12/0x30 [buggy]');
    expect(panic.registers).toContain('CR2: 0000000000000008');
    expect(panic.lines).not.toContain('e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX');
    expect(assembler.stats).toMatchObject({ lost: 0, reboots: 0, panics: 1, incomplete: 0 });
  });

  it('keeps a message whose fragment never came, marked incomplete, with the gap shown', () => {
    const { messages, assembler } = replay('extended-oops-fragments.ncap', (records) => records.filter((r) => !/ncfrag=0\//.test(Buffer.from(r.bytes).toString('latin1'))));
    const modules = messages.find((m) => m.incomplete)!;
    expect(modules.text).toMatch(/^\[… \d+ bytes not received …\]/);
    expect(modules.text).toContain('mod_69_');
    expect(assembler.stats.incomplete).toBe(1);
    expect(assembler.stats.lost).toBe(0);
  });
});

describe('SenderAssembler: sequence numbers', () => {
  it('counts gaps as lost, takes a late datagram back, drops a duplicate, sees a reboot, keeps odd bytes escaped', () => {
    const { events, messages, assembler } = replay('extended-gaps-reboot.ncap');
    expect(events.filter((e) => e.type === 'lost')).toEqual([{ type: 'lost', sender: '10.0.2.15', count: 3, fromSeq: 12, toSeq: 14 }]);
    expect(events.filter((e) => e.type === 'reboot')).toEqual([{ type: 'reboot', sender: '10.0.2.15', lastSeq: 17, seq: 3 }]);
    // 12 and 14 never came; 13 came late; 15 came twice and is given once.
    expect(assembler.stats).toMatchObject({ lost: 2, reboots: 1, duplicates: 1, messages: 8, kernelRelease: '6.1.0-28-amd64' });
    expect(messages.map((m: NetdumpMessage) => m.seq)).toEqual([10, 11, 15, 13, 16, 17, 3, 4]);
    expect(messages[4]!.text).toBe('odd bytes: \\xff\\xfe café \\x01 end');
    expect(messages[5]!.dict).toEqual([
      ['SUBSYSTEM', 'usb'],
      ['DEVICE', 'c189:1'],
    ]);
  });

  it('sees a reboot to the very numbers of the boot before (a VM booting the same way), by their times', () => {
    const a = new SenderAssembler('h');
    const at = (seq: number, usec: number) => a.feed({ bytes: Buffer.from(`6,${seq},${usec},-;m`), receivedAtMs: 0, capture: null });
    at(381, 11_040_295);
    at(382, 12_486_096);
    expect(at(381, 10_900_000).map((e) => e.type)).toEqual(['reboot', 'message']);
    expect(at(382, 11_000_000).map((e) => e.type)).toEqual(['message']);
    expect(at(382, 11_000_000)).toEqual([]);
    expect(a.stats).toMatchObject({ reboots: 1, duplicates: 1, lost: 0 });
  });

  it('sees a reboot whose first number is past the last one, by the sender clock going back', () => {
    const a = new SenderAssembler('h');
    const at = (seq: number, usec: number) => a.feed({ bytes: Buffer.from(`6,${seq},${usec},-;m`), receivedAtMs: 0, capture: null });
    at(100, 900_000_000);
    at(101, 900_000_100);
    expect(at(700, 2_000_000)).toEqual([expect.objectContaining({ type: 'reboot', lastSeq: 101, seq: 700 }), expect.objectContaining({ type: 'message' })]);
    expect(a.stats).toMatchObject({ lost: 0, reboots: 1 });
  });
});

describe('SenderAssembler on plain console text', () => {
  it('joins lines split across datagrams and finds the WARNING and the panic, times stripped for matching', () => {
    const { messages, panics } = replay('plain-warning-panic.ncap');
    expect(messages).toHaveLength(21);
    expect(messages.every((m) => m.format === 'plain' && m.seq === null)).toBe(true);
    expect(panics.map((p: NetdumpPanic) => [p.kind, p.title, p.ended])).toEqual([
      ['warning', 'WARNING: CPU: 0 PID: 1 at kernel/sched/core.c:9845 __might_sleep+0x59/0x70', true],
      ['panic', 'Kernel panic - not syncing: sysrq triggered crash', true],
    ]);
    const [warning, panic] = panics as [NetdumpPanic, NetdumpPanic];
    expect(warning.lines[0]).toBe('[   41.113201] ------------[ cut here ]------------');
    expect(warning.modules).toBe('Modules linked in: netconsole configfs e1000');
    expect(warning.trace).toEqual(['Call Trace:', ' <TASK>', ' msleep+0x21/0x40', ' do_one_initcall+0x56/0x220', ' </TASK>']);
    expect(warning.lines).not.toContain('[   42.000000] e1000: eth0 NIC Link is Up');
    expect(panic.kernelRelease).toBe('6.1.0-28-amd64');
    expect(panic.lines).toHaveLength(7);
  });
});

describe('SenderAssembler timing', () => {
  it('gives a WARNING out once quiet after its end marker, via tick, and an unended trace after the idle time', () => {
    const a = new SenderAssembler('h');
    let seq = 1;
    const send = (text: string, ms: number) => a.feed({ bytes: Buffer.from(`4,${seq++},${ms * 1000},-;${text}`), receivedAtMs: ms, capture: null });
    send('WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2', 1000);
    send('Call Trace:', 1001);
    send(' f+0x1/0x2', 1002);
    send('---[ end trace 0000000000000000 ]---', 1003);
    expect(a.holding).toBe(true);
    expect(a.tick(1100)).toEqual([]);
    const [done] = a.tick(1400);
    expect(done).toMatchObject({ type: 'panic', panic: { kind: 'warning', ended: true } });
    send('INFO: task kworker:1 blocked for more than 120 seconds.', 5000);
    send('Call Trace:', 5001);
    send(' schedule+0x1/0x2', 5002);
    expect(a.tick(6000)).toEqual([]);
    const [hung] = a.tick(8100);
    expect(hung).toMatchObject({ type: 'panic', panic: { kind: 'warning', ended: false, title: 'INFO: task kworker:1 blocked for more than 120 seconds.' } });
    expect(a.holding).toBe(false);
  });

  it('closes a panic at its reboot notice (a panic timeout set: no end marker comes), or soon after it goes quiet', () => {
    const a = new SenderAssembler('h');
    let seq = 1;
    const send = (text: string, ms: number) => a.feed({ bytes: Buffer.from(`0,${seq++},${ms * 1000},-;${text}`), receivedAtMs: ms, capture: null });
    send('Kernel panic - not syncing: Fatal exception', 1000);
    const [rebooting] = send('Rebooting in 1 seconds..', 1001).filter((e) => e.type === 'panic');
    expect(rebooting).toMatchObject({ panic: { ended: true, lines: ['Kernel panic - not syncing: Fatal exception', 'Rebooting in 1 seconds..'] } });
    send('Kernel panic - not syncing: VFS: Unable to mount root fs', 5000);
    send('Kernel Offset: disabled', 5001);
    expect(a.tick(5200)).toEqual([]);
    const [quiet] = a.tick(5301);
    expect(quiet).toMatchObject({ type: 'panic', panic: { ended: false, title: 'Kernel panic - not syncing: VFS: Unable to mount root fs' } });
  });

  it('gives a trace without a headline, explained by the line before its CPU and hardware lines, closed at its end', () => {
    const a = new SenderAssembler('h');
    let seq = 1;
    const send = (text: string, ms: number) => a.feed({ bytes: Buffer.from(`3,${seq++},${ms * 1000},-;${text}`), receivedAtMs: ms, capture: null });
    send('watchdog: hung_task: something odd on cpu 1', 1000);
    send('CPU: 1 PID: 42 Comm: kworker/1:0 Not tainted 6.1.0-57-amd64 #1', 1001);
    send('Hardware name: QEMU Standard PC', 1002);
    send('Call Trace:', 1003);
    send(' <TASK>', 1004);
    send(' schedule+0x1/0x2', 1005);
    send(' </TASK>', 1006);
    const [done] = send('eth0: link up', 1007).filter((e) => e.type === 'panic');
    expect(done).toMatchObject({
      panic: { kind: 'warning', title: 'watchdog: hung_task: something odd on cpu 1', ended: true, kernelRelease: '6.1.0-57-amd64', trace: ['Call Trace:', ' <TASK>', ' schedule+0x1/0x2', ' </TASK>'] },
    });
    expect((done as { panic: { lines: string[] } }).panic.lines).toHaveLength(7);
  });

  it('gives a fragmented message out as incomplete after the fragment timeout', () => {
    const a = new SenderAssembler('h');
    expect(a.feed({ bytes: Buffer.from('4,9,1,-,ncfrag=0/10;hello'), receivedAtMs: 0, capture: null })).toEqual([]);
    expect(a.tick(1000)).toEqual([]);
    const [late] = a.tick(2500);
    expect(late).toMatchObject({ type: 'message', message: { text: 'hello[… 5 bytes not received …]', incomplete: true } });
  });
});
