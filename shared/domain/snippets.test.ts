import { describe, expect, it } from 'vitest';
import { buildSnippets, periodBounds, periodLabel, snippetsMarkdown, snippetsText, type SnippetEntry, type SnippetStore } from './snippets.js';

const empty: SnippetStore = { tickets: new Map(), findings: new Map(), notes: new Map() };
let nextId = 1;
const entry = (ticketId: string | null, action: string, at: string, summary: string, detail: SnippetEntry['detail'] = {}): SnippetEntry => ({ id: nextId++, ticketId, at, action, summary, detail });
const period = { from: '2026-11-16T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z', actor: 'esc' };

describe('buildSnippets', () => {
  it('puts the ticket with a critical finding before the one with only commands, and work on no ticket last', () => {
    const store: SnippetStore = {
      tickets: new Map([['1', { title: 'Busy' }], ['2', { title: 'Down' }]]),
      findings: new Map([[9, { ticketId: '2', createdAt: '2026-11-17T00:00:00.000Z', severity: 'critical', title: 'Disk full', status: 'current' as const }]]),
      notes: new Map(),
    };
    const entries = [
      entry(null, 'netdump.receiver-started', '2026-11-16T10:00:00.000Z', 'receiver'),
      ...Array.from({ length: 30 }, (_, i) => entry('1', 'ssh.exec', `2026-11-20T10:00:${String(i).padStart(2, '0')}.000Z`, 'web1 (x): ls → exit 0', { server: 'web1', exitCode: 0, error: null })),
      entry('2', 'finding.added', '2026-11-17T00:00:00.000Z', 'critical cause: Disk full', { findingId: 9 }),
      entry(null, 'firewall.applied', '2026-11-18T00:00:00.000Z', 'no ticket'),
    ];
    const report = buildSnippets({ ...period, entries, store });
    expect(report.tickets.map((t) => t.ticketId)).toEqual(['2', '1', null]);
    // Not one of the report's actions: not counted anywhere.
    expect(report.totals).toEqual({ tickets: 3, found: 1, changed: 1, run: 30, noted: 0 });
  });

  it('keeps a few lines per section and counts the rest', () => {
    const entries = ['a', 'b', 'c', 'd', 'e'].map((server) => entry('1', 'ssh.exec', '2026-11-20T10:00:00.000Z', `${server} (x): ls`, { server, exitCode: 0, error: null }));
    const [ticket] = buildSnippets({ ...period, entries, store: empty }).tickets;
    expect(ticket?.sections[0]).toEqual({ category: 'run', count: 5, lines: ['a: 1 command', 'b: 1 command', 'c: 1 command'], more: 2 });
    expect(ticket?.title).toBe('(workspace no longer in the store)');
  });

  it('leaves out entries outside the period (end excluded)', () => {
    const entries = [entry('1', 'note.created', '2026-11-15T23:59:59.999Z', 'Started note "a"'), entry('1', 'note.created', period.to, 'Started note "b"')];
    expect(buildSnippets({ ...period, entries, store: empty }).tickets).toEqual([]);
  });

  it('words the report as Markdown and as plain text', () => {
    const entries = [entry('1', 'note.created', '2026-11-20T10:00:00.000Z', 'Started note "Timeline"', { noteId: 3 }), entry('1', 'note.saved', '2026-11-20T11:00:00.000Z', 'Saved note', { noteId: 3 })];
    const report = buildSnippets({ ...period, entries, store: { ...empty, tickets: new Map([['1', { title: 'Busy' }]]) } });
    const markdown = snippetsMarkdown(report);
    expect(markdown).toContain('## 1: Busy\n\n- **Noted** (2)\n  - “Timeline” (started, saved 1 time)\n');
    expect(markdown).toMatch(/^# Snippets, /);
    const text = snippetsText(report);
    expect(text).toContain('\n1: Busy\n  Noted (2):\n    “Timeline” (started, saved 1 time)\n');
    expect(text).not.toContain('**');
    expect(snippetsText(buildSnippets({ ...period, entries: [], store: empty }))).toContain('Nothing found, changed, run or noted in this period.');
  });
});

describe('periodBounds', () => {
  // Local time: these hold in any zone the tests run in.
  const wednesday = new Date(2026, 11, 2, 15, 30);
  it('this week starts on Monday at midnight, local time', () => {
    const bounds = periodBounds({ kind: 'this-week' }, wednesday);
    expect(new Date(bounds?.from ?? '')).toEqual(new Date(2026, 10, 30));
    expect(bounds?.to).toBe(wednesday.toISOString());
  });
  it('on a Sunday this week still starts on the Monday before', () => {
    expect(new Date(periodBounds({ kind: 'this-week' }, new Date(2026, 11, 6, 9))?.from ?? '')).toEqual(new Date(2026, 10, 30));
  });
  it('last two weeks is today and the 13 days before', () => {
    expect(new Date(periodBounds({ kind: 'last-two-weeks' }, wednesday)?.from ?? '')).toEqual(new Date(2026, 10, 19));
  });
  it('custom days include both ends; a reversed or malformed one is refused', () => {
    const bounds = periodBounds({ kind: 'custom', from: '2026-11-01', to: '2026-11-03' }, wednesday);
    expect(bounds).toEqual({ from: new Date(2026, 10, 1).toISOString(), to: new Date(2026, 10, 4).toISOString() });
    expect(periodLabel(bounds ?? { from: '', to: '' })).toBe('2026-11-01 to 2026-11-03');
    expect(periodBounds({ kind: 'custom', from: '2026-11-03', to: '2026-11-01' }, wednesday)).toBeNull();
    expect(periodBounds({ kind: 'custom', from: '3 Nov', to: '2026-11-01' }, wednesday)).toBeNull();
  });
});
