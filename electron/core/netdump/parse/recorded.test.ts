import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NetdumpMessage, NetdumpPanic } from '../../../../shared/domain/netdump.js';
import { decodeCapture } from '../captures/format.js';
import { SenderAssembler, type AssemblerEvent } from './assembler.js';

/** Captures recorded from Debian 12's kernel (6.1) under QEMU; fixtures/recorded/ says how they were made. */
function replay(name: string) {
  const file = `recorded/${name}`;
  const decoded = decodeCapture(readFileSync(fileURLToPath(new URL(`../fixtures/${file}`, import.meta.url))));
  expect(decoded.unparsed).toEqual([]);
  const assembler = new SenderAssembler('10.0.2.15');
  const live: AssemblerEvent[] = [];
  for (const r of decoded.records) live.push(...assembler.feed({ bytes: r.bytes, receivedAtMs: r.receivedAtMs, capture: { file, offset: r.offset } }));
  const atEnd = assembler.finish();
  const all = [...live, ...atEnd];
  const messages: NetdumpMessage[] = all.flatMap((e) => (e.type === 'message' ? [e.message] : []));
  // Panics given out by the datagrams themselves: none may wait for the capture's end (or a timeout).
  const panics: NetdumpPanic[] = live.flatMap((e) => (e.type === 'panic' ? [e.panic] : []));
  expect(atEnd.filter((e) => e.type === 'panic')).toEqual([]);
  return { assembler, messages, panics, records: decoded.records };
}

/** What every sysrq-c panic of this kernel carries, whatever the format or the NIC. */
function expectSysrqPanic(panic: NetdumpPanic) {
  expect(panic).toMatchObject({ kind: 'panic', title: 'Kernel panic - not syncing: sysrq triggered crash', ended: true, modules: null, kernelRelease: '6.1.0-57-amd64' });
  expect(panic.cpu).toMatch(/^CPU: 0 PID: \d+ Comm: (sh|bash) Not tainted 6\.1\.0-57-amd64 #1 +Debian 6\.1\.192-3$/);
  expect(panic.hardware).toBe('Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014');
  expect(panic.trace[0]).toBe('Call Trace:');
  expect(panic.trace[1]).toBe(' <TASK>');
  expect(panic.trace).toContain(' sysrq_handle_crash+0x16/0x20');
  expect(panic.trace.at(-1)).toBe(' </TASK>');
  expect(panic.registers.map((r) => r.split(':')[0])).toEqual(['RIP', 'Code', 'RSP', 'RAX', 'RDX', 'RBP', 'R10', 'R13']);
  // With a panic timeout (panic=1) the kernel ends with its reboot notice, not the end marker.
  expect(panic.lines.at(-1)).toMatch(/Rebooting in 1 seconds\.\.$/);
  expect(panic.lines.at(-2)).toMatch(/Kernel Offset: 0x[0-9a-f]+ from 0xffffffff81000000/);
}

describe('recorded captures from Debian 6.1 under QEMU', () => {
  it('extended format, virtio_net: the marker at facility user level crit, then the panic with its whole trace', () => {
    const { assembler, messages, panics } = replay('extended-sysrq-panic.ncap');
    expect(messages[0]).toMatchObject({ format: 'extended', facility: 1, level: 2, text: 'backline-marker-extended', incomplete: false });
    expect(messages.find((m) => m.text === 'sysrq: Trigger a crash')).toMatchObject({ facility: 0, level: 6 });
    expect(panics).toHaveLength(1);
    expectSysrqPanic(panics[0]!);
    expect(panics[0]!.lines[0]).toBe('Kernel panic - not syncing: sysrq triggered crash');
    expect(assembler.stats).toMatchObject({ datagrams: 36, messages: 36, lost: 0, reboots: 0, duplicates: 0, incomplete: 0, panics: 1 });
  });

  it('extended format, e1000: the same', () => {
    const { assembler, messages, panics } = replay('e1000-extended-sysrq-panic.ncap');
    expect(messages[0]!.text).toBe('backline-marker-e1000');
    expect(panics).toHaveLength(1);
    expectSysrqPanic(panics[0]!);
    expect(assembler.stats).toMatchObject({ lost: 0, reboots: 0 });
  });

  it('a backtrace someone asked for (sysrq-l) is not a fault: only the panic after it is given out, with its own CPU line and trace', () => {
    const { messages, panics, assembler } = replay('extended-sysrq-backtrace-then-panic.ncap');
    expect(messages.map((m) => m.text).filter((t) => t.startsWith('backline-marker'))).toEqual(['backline-marker-before-backtrace', 'backline-marker-after-backtrace']);
    expect(messages.filter((m) => m.text === 'Call Trace:')).toHaveLength(2);
    expect(panics).toHaveLength(1);
    const panic = panics[0]!;
    expectSysrqPanic(panic);
    expect(panic.headlines).toEqual(['Kernel panic - not syncing: sysrq triggered crash']);
    expect(panic.lines[0]).toBe('Kernel panic - not syncing: sysrq triggered crash');
    expect(panic.trace).not.toContain(' nmi_cpu_backtrace.cold+0x32/0x79');
    expect(panic.cpu).toMatch(/ Comm: bash /);
    expect(assembler.stats).toMatchObject({ lost: 0, panics: 1 });
  });

  it('a message longer than a datagram: two ncfrag fragments made whole again', () => {
    const { messages, panics, records } = replay('extended-long-message.ncap');
    expect(records.filter((r) => Buffer.from(r.bytes).includes('ncfrag='))).toHaveLength(2);
    const long = messages.find((m) => m.text.startsWith('backline-long-message '))!;
    expect(long).toMatchObject({ facility: 1, level: 2, incomplete: false, dict: [] });
    expect(long.text).toHaveLength(988);
    expect(long.text).toMatch(/^backline-long-message (0123456789abcdef)+[0-9a-f]*\.\. end$/);
    expect(messages.map((m) => m.text).filter((t) => t.startsWith('backline-marker'))).toEqual(['backline-marker-before-long', 'backline-marker-after-long']);
    expectSysrqPanic(panics[0]!);
  });

  it('plain format: lines with their printk time, the panic found all the same', () => {
    const { messages, panics, assembler } = replay('plain-sysrq-panic.ncap');
    expect(messages.every((m) => m.format === 'plain' && m.seq === null && m.level === null)).toBe(true);
    expect(messages[0]!.text).toMatch(/^\[ *\d+\.\d{6}\] backline-marker-plain$/);
    expect(panics).toHaveLength(1);
    expectSysrqPanic(panics[0]!);
    expect(panics[0]!.firstSeq).toBeNull();
    expect(panics[0]!.lines[0]).toMatch(/^\[ *\d+\.\d{6}\] Kernel panic - not syncing: sysrq triggered crash$/);
    expect(assembler.stats.lost).toBe(0);
  });

  it('a quiet console: markers at a level it lets through arrive, the one below it leaves a gap; the panic still arrives', () => {
    const { messages, panics, assembler } = replay('quiet-filtered-marker.ncap');
    expect(messages.filter((m) => m.text.startsWith('backline-marker')).map((m) => [m.seq, m.level, m.text])).toEqual([
      [379, 3, 'backline-marker-passes-err-1'],
      [381, 3, 'backline-marker-passes-err-2'],
    ]);
    // 380 was the level-4 marker: numbered by the kernel, never sent.
    expect(assembler.stats).toMatchObject({ lost: 1, reboots: 0 });
    expectSysrqPanic(panics[0]!);
  });

  it('boot-time netconsole (netconsole=+… on the command line): the kernel log from sequence 0 in one burst, debug-level numbers as gaps', () => {
    for (const name of ['boot-extended-panic.ncap', 'boot-extended-panic-e1000.ncap']) {
      const { messages, panics, assembler } = replay(name);
      expect(messages[0]).toMatchObject({ seq: 0, facility: 0, level: 5 });
      expect(messages[0]!.text).toMatch(/^Linux version 6\.1\.0-57-amd64 /);
      expect(messages[1]!.text).toMatch(/^Command line: .*netconsole=\+@\/eth0,\d+@10\.0\.2\.2\/52:55:0a:00:02:02/);
      expect(messages.some((m) => m.dict.some(([key]) => key === 'SUBSYSTEM'))).toBe(true);
      expect(messages.find((m) => m.text.startsWith('backline-marker-boot'))).toMatchObject({ facility: 1, level: 2 });
      // The kernel numbers every record but sends only those its console level lets through (KERN_DEBUG here): gaps, not losses.
      expect(assembler.stats.lost).toBeGreaterThan(0);
      expect(assembler.stats.lost).toBeLessThan(40);
      expect(assembler.stats).toMatchObject({ reboots: 0, duplicates: 0, incomplete: 0, kernelRelease: '6.1.0-57-amd64' });
      expect(panics).toHaveLength(1);
      expectSysrqPanic(panics[0]!);
    }
  });
});
