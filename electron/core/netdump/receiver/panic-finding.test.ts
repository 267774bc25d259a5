import { describe, expect, it } from 'vitest';
import type { NetdumpPanic } from '../../../../shared/domain/netdump.js';
import { panicFinding, serversForSender, type ServerCandidate } from './panic-finding.js';

const server = (over: Partial<ServerCandidate>): ServerCandidate => ({ ticketId: 'TKT-1', ticketStatus: 'open', serverId: 1, label: 'web1', host: 'web1.example', localIps: [], ...over });
const resolver = (table: Record<string, string[]>) => (host: string) => Promise.resolve(table[host] ?? []);

describe('serversForSender', () => {
  it('prefers the server whose netconsole plan set the sender as local_ip', async () => {
    const candidates = [server({ serverId: 1, label: 'by-host', host: '10.0.0.5' }), server({ serverId: 2, label: 'by-plan', host: 'bastion-alias', localIps: ['10.0.0.5'] })];
    expect((await serversForSender('10.0.0.5', candidates, resolver({}))).map((s) => s.label)).toEqual(['by-plan']);
  });

  it('matches a host typed as an address, IPv6 written any way', async () => {
    const candidates = [server({ host: '2001:db8:0:0::7' }), server({ serverId: 2, host: '10.0.0.9' })];
    expect((await serversForSender('2001:db8::7', candidates, resolver({}))).map((s) => s.serverId)).toEqual([1]);
  });

  it('resolves names (once each) when no address matches, and a resolver failure is no match', async () => {
    const asked: string[] = [];
    const candidates = [server({ serverId: 1, host: 'web1.example' }), server({ serverId: 2, ticketId: 'TKT-2', host: 'web1.example' }), server({ serverId: 3, host: 'broken.example' })];
    const resolve = (host: string) => {
      asked.push(host);
      return host === 'broken.example' ? Promise.reject(new Error('SERVFAIL')) : Promise.resolve(['10.0.0.7']);
    };
    expect((await serversForSender('10.0.0.7', candidates, resolve)).map((s) => s.serverId)).toEqual([1, 2]);
    expect(asked.sort()).toEqual(['broken.example', 'web1.example']);
  });

  it('leaves closed tickets out when an open one has the server, keeps them when none does', async () => {
    const both = [server({ serverId: 1, ticketId: 'TKT-OLD', ticketStatus: 'closed', host: '10.0.0.5' }), server({ serverId: 2, ticketId: 'TKT-NEW', host: '10.0.0.5' })];
    expect((await serversForSender('10.0.0.5', both, resolver({}))).map((s) => s.ticketId)).toEqual(['TKT-NEW']);
    expect((await serversForSender('10.0.0.5', both.slice(0, 1), resolver({}))).map((s) => s.ticketId)).toEqual(['TKT-OLD']);
    expect(await serversForSender('10.9.9.9', both, resolver({}))).toEqual([]);
  });
});

const panic: NetdumpPanic = {
  id: 'abc123',
  sender: '10.0.2.15',
  kind: 'oops',
  title: 'Kernel panic - not syncing: Fatal exception',
  headlines: ['BUG: kernel NULL pointer dereference, address: 0000000000000008', 'Oops: 0000 [#1] PREEMPT SMP NOPTI', 'Kernel panic - not syncing: Fatal exception'],
  lines: ['BUG: kernel NULL pointer dereference, address: 0000000000000008', 'Call Trace:', ' <TASK>', ' f+0x1/0x2', ' </TASK>', 'Kernel panic - not syncing: Fatal exception'],
  trace: ['Call Trace:', ' <TASK>', ' f+0x1/0x2', ' </TASK>'],
  modules: 'Modules linked in: netconsole configfs',
  cpu: 'CPU: 1 PID: 733 Comm: kworker/1:2 Not tainted 6.1.0-28-amd64 #1',
  hardware: 'Hardware name: QEMU Standard PC',
  registers: ['RIP: 0010:f+0x1/0x2'],
  kernelRelease: '6.1.0-28-amd64',
  firstAt: '2026-12-02T01:00:00.000Z',
  lastAt: '2026-12-02T01:00:00.050Z',
  firstSeq: 1201,
  ended: true,
  capture: { file: 'netdump/10.0.2.15/2026-12-02.ncap', offset: 4096 },
};

describe('panicFinding', () => {
  it('titles the finding with the panic line and carries the trace, modules, registers and the capture pointer', () => {
    const finding = panicFinding(panic, 'TKT-7', { label: 'web1' });
    expect(finding).toMatchObject({ ticketId: 'TKT-7', kind: 'observation', severity: 'high', title: 'Kernel panic - not syncing: Fatal exception' });
    expect(finding.detail).toEqual({
      source: 'netdump',
      panicId: 'abc123',
      panicKind: 'oops',
      sender: '10.0.2.15',
      server: 'web1',
      kernelRelease: '6.1.0-28-amd64',
      cpu: panic.cpu,
      hardware: panic.hardware,
      firstAt: panic.firstAt,
      lastAt: panic.lastAt,
      ended: true,
      captureFile: 'netdump/10.0.2.15/2026-12-02.ncap',
      captureOffset: 4096,
    });
    expect(finding.evidence).toEqual([
      { label: 'Kernel output from web1 (10.0.2.15)', content: panic.lines.join('\n') },
      { label: 'Call trace', content: panic.trace.join('\n') },
      { label: 'Modules linked in', content: 'Modules linked in: netconsole configfs' },
      { label: 'Registers', content: 'RIP: 0010:f+0x1/0x2' },
    ]);
  });

  it('is critical for a panic, and keeps evidence within the finding limit', () => {
    const long = { ...panic, kind: 'panic' as const, lines: Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`), trace: [], modules: null, registers: [] };
    const finding = panicFinding(long, 'TKT-7', null);
    expect(finding.severity).toBe('critical');
    expect(finding.evidence).toHaveLength(1);
    expect(finding.evidence[0]!.label).toBe('Kernel output from 10.0.2.15');
    expect(finding.evidence[0]!.content.length).toBeLessThan(256 * 1024);
    expect(finding.evidence[0]!.content).toMatch(/\[… \d+ more characters in the capture file …\]$/);
  });
});
