import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SenderAssembler } from '../parse/assembler.js';
import { parseFetch, parseList, parseRemoteProbe, parseStart, senderOfFile } from './parse.js';
import { fetchArgv, startArgv } from './scripts.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parseRemoteProbe (recorded on the lab bastion)', () => {
  it('python3 first', () => {
    expect(parseRemoteProbe(fixture('probe.lab-bastion.txt'))).toMatchObject({ tool: 'python3', home: '/tmp/ndc-bastion-home', notes: [] });
  });
  it('socat when python3 is missing; nothing, said plainly, when neither is there', () => {
    const text = fixture('probe.lab-bastion.txt');
    expect(parseRemoteProbe(text.replace(/^python3 .*$/m, 'python3 -')).tool).toBe('socat');
    const none = parseRemoteProbe(text.replace(/^python3 .*$/m, 'python3 -').replace(/^socat .*$/m, 'socat -').replace(/^rsyslogd .*$/m, 'rsyslogd /usr/sbin/rsyslogd'));
    expect(none.tool).toBeNull();
    expect(none.notes).toEqual([
      "rsyslog is installed; Backline does not use it (it would mean changing the server's syslog configuration).",
      'Neither python3 nor socat is installed: install one of them (apt-get install python3-minimal, or socat), or choose another server.',
    ]);
  });
});

describe('parseStart', () => {
  it('running, listening', () => {
    expect(parseStart(fixture('start.lab-bastion-python3.txt'))).toEqual({ directory: '/tmp/ndc-bastion-home/backline-netdump/tkt-1-python3', pid: 3191, running: true, log: ['listening 0.0.0.0 6699'], failure: null });
    expect(parseStart(fixture('start.lab-bastion-socat.txt'))).toMatchObject({ running: true, pid: 9232 });
  });
  it('a port already taken: not running, and why', () => {
    expect(parseStart(fixture('start.lab-bastion-port-taken.txt'))).toMatchObject({ running: false, failure: 'it could not listen: [Errno 98] Address already in use' });
  });
});

describe('parseList', () => {
  it('reads each receiver with its files', () => {
    const { receivers, complete } = parseList(fixture('list.lab-bastion.txt'));
    expect(complete).toBe(true);
    expect(receivers).toEqual([
      {
        id: 'tkt-1-python3',
        directory: '/tmp/ndc-bastion-home/backline-netdump/tkt-1-python3',
        tool: 'python3',
        address: '0.0.0.0',
        port: 6699,
        startedAt: 1796174827,
        seconds: 120,
        ticketId: 'TKT-1',
        pid: 3191,
        running: true,
        stoppedByBackline: false,
        files: [{ name: '10.77.0.11.ncap', size: 207 }],
        lastLog: 'listening 0.0.0.0 6699',
      },
    ]);
  });
});

describe('parseFetch', () => {
  it('whole records, bytes kept as sent, parsed by the local parser', () => {
    const { files } = parseFetch(fixture('fetch.lab-bastion.txt'));
    const [file] = files;
    expect(file).toMatchObject({ name: '10.77.0.11.ncap', size: 207, from: 0, next: 207, unparsed: [] });
    expect(file?.records.map((r) => Buffer.from(r.bytes).toString('latin1'))).toEqual(['4,101,5000,-;hello from web1\n', '0,102,6000,-;Kernel panic - not syncing: sysrq triggered crash\n', '4,103,7000,-;odd \xff bytes\n']);
    const assembler = new SenderAssembler(senderOfFile(file?.name ?? ''));
    const events = (file?.records ?? []).flatMap((r) => assembler.feed({ bytes: r.bytes, receivedAtMs: r.receivedAtMs, capture: null }));
    expect(events.filter((e) => e.type === 'message')).toHaveLength(3);
    expect(assembler.sender).toBe('10.77.0.11');
  });
  it('a read cut in a record takes only the whole ones, and starts again where they end', () => {
    const [file] = parseFetch(fixture('fetch.lab-bastion-partial.txt')).files;
    expect(file?.records).toHaveLength(1);
    expect(file?.next).toBe(59);
    expect(file?.unparsed).toEqual([]);
  });
  it('socat writes the same framing', () => {
    const [file] = parseFetch(fixture('fetch.lab-bastion-socat.txt')).files;
    expect(file?.records.map((r) => Buffer.from(r.bytes).toString())).toEqual(['4,101,5000,-;hello via socat\n', '4,102,6000,-;second\n']);
  });
});

describe('scripts', () => {
  it('take values as arguments', () => {
    const argv = startArgv({ id: 'tkt-1-abc', tool: 'python3', address: '::', port: 6666, seconds: 600, ticketId: 'TKT-1' });
    expect(argv.slice(3, 10)).toEqual(['backline-remote-receiver-start', 'tkt-1-abc', 'python3', '::', '6666', '600', 'TKT-1']);
    expect(fetchArgv('tkt-1-abc', 100, { 'fd77__11.ncap': 37 }).slice(3)).toEqual(['backline-remote-receiver-fetch', 'tkt-1-abc', '100', 'fd77__11.ncap=37']);
  });
  it('senderOfFile undoes the IPv6 file name', () => {
    expect(senderOfFile('fd77__11.ncap')).toBe('fd77::11');
    expect(senderOfFile('10.77.0.11.ncap')).toBe('10.77.0.11');
  });
});
