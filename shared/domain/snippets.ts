import { z } from 'zod';
import { findingSeverities, type FindingStatus } from './finding.js';
import { timestampSchema } from './ticket.js';

/**
 * Snippets (story 8): "what did I actually do these two weeks", built from the audit log and the
 * store. Pure: the handler reads the entries of one actor in a period and what the store knows of the
 * findings and notes they name; this module counts, groups and words them. Every count is a count of
 * audit entries, so the report can be checked against the log line by line.
 */

export const snippetCategories = ['found', 'changed', 'run', 'noted'] as const;
export type SnippetCategory = (typeof snippetCategories)[number];

/** Which audit actions count in which category; everything else is not part of the report. */
export const snippetActions: Record<SnippetCategory, readonly string[]> = {
  found: ['finding.added'],
  changed: ['firewall.applied', 'firewall.failed', 'firewall.rolled-back', 'firewall.removed', 'firewall.expired', 'netconsole.applied', 'netconsole.removed'],
  run: ['ssh.exec'],
  noted: ['note.created', 'note.saved'],
};

const categoryOfAction = new Map<string, SnippetCategory>(snippetCategories.flatMap((category) => snippetActions[category].map((action) => [action, category] as const)));

export function snippetCategoryOf(action: string): SnippetCategory | null {
  return categoryOfAction.get(action) ?? null;
}

/** Every action the report reads, for the handler's query. */
export const snippetActionList: readonly string[] = [...categoryOfAction.keys()];

/** An audit entry as the report needs it: the detail holds only the few keys read below. */
export interface SnippetEntry {
  id: number;
  ticketId: string | null;
  at: string;
  action: string;
  summary: string;
  detail: {
    findingId?: unknown;
    noteId?: unknown;
    server?: unknown;
    exitCode?: unknown;
    error?: unknown;
  };
}

export interface SnippetStore {
  tickets: ReadonlyMap<string, { title: string }>;
  /**
   * Findings still in the store (a withdrawn one is absent). SQLite gives a withdrawn finding's id to
   * the next one, so an entry only takes a finding made on its ticket at its instant.
   */
  findings: ReadonlyMap<number, { ticketId: string; createdAt: string; severity: string; title: string; status: FindingStatus }>;
  notes: ReadonlyMap<number, { title: string }>;
}

const countsSchema = z.object({ found: z.number().int(), changed: z.number().int(), run: z.number().int(), noted: z.number().int() });
export type SnippetCounts = z.output<typeof countsSchema>;

export const snippetSectionSchema = z.object({
  category: z.enum(snippetCategories),
  /** Audit entries behind the section. */
  count: z.number().int(),
  /** A few lines, most important first. */
  lines: z.array(z.string()),
  /** Lines left out to keep the report short. */
  more: z.number().int(),
});
export type SnippetSection = z.output<typeof snippetSectionSchema>;

export const ticketSnippetSchema = z.object({
  /** null: work on no ticket (a netconsole receiver, say). */
  ticketId: z.string().nullable(),
  title: z.string(),
  counts: countsSchema,
  /** Only the categories with something in them, in the order found, changed, run, noted. */
  sections: z.array(snippetSectionSchema),
  lastAt: timestampSchema,
});
export type TicketSnippet = z.output<typeof ticketSnippetSchema>;

export const snippetsReportSchema = z.object({
  from: timestampSchema,
  to: timestampSchema,
  actor: z.string(),
  totals: countsSchema.extend({ tickets: z.number().int() }),
  /** Most important first. */
  tickets: z.array(ticketSnippetSchema),
});
export type SnippetsReport = z.output<typeof snippetsReportSchema>;

/** Lines shown per section; the rest is counted in `more`. */
export const SNIPPET_LINES = 3;

const severityRank = (severity: string): number => Math.max(0, findingSeverities.indexOf(severity as (typeof findingSeverities)[number]));
const severityWeight = [1, 2, 5, 8, 13];

const changeWords: Record<string, { label: string; rank: number }> = {
  'firewall.failed': { label: 'Failed', rank: 5 },
  'firewall.rolled-back': { label: 'Rolled back', rank: 4 },
  'firewall.applied': { label: 'Applied', rank: 3 },
  'netconsole.applied': { label: 'Set up', rank: 3 },
  'firewall.removed': { label: 'Removed', rank: 2 },
  'netconsole.removed': { label: 'Removed', rank: 2 },
  'firewall.expired': { label: 'Expired', rank: 1 },
};

/**
 * Commands counted already (the handler groups a year of `ssh.exec` entries in SQL rather than
 * carrying each out): per ticket and server, within the period.
 */
export interface RunTally {
  ticketId: string | null;
  server: string;
  runs: number;
  failed: number;
  lastAt: string;
}

interface TicketWork {
  ticketId: string | null;
  entries: Record<Exclude<SnippetCategory, 'run'>, SnippetEntry[]>;
  runs: Map<string, { runs: number; failed: number }>;
  runCount: number;
  lastAt: string;
}

export function buildSnippets(input: { from: string; to: string; actor: string; entries: readonly SnippetEntry[]; runs?: readonly RunTally[]; store: SnippetStore }): SnippetsReport {
  const byTicket = new Map<string | null, TicketWork>();
  const workOf = (ticketId: string | null, at: string): TicketWork => {
    let work = byTicket.get(ticketId);
    if (!work) {
      work = { ticketId, entries: { found: [], changed: [], noted: [] }, runs: new Map(), runCount: 0, lastAt: at };
      byTicket.set(ticketId, work);
    }
    if (at > work.lastAt) work.lastAt = at;
    return work;
  };
  const tally = (work: TicketWork, server: string, runs: number, failed: number) => {
    const counted = work.runs.get(server) ?? { runs: 0, failed: 0 };
    counted.runs += runs;
    counted.failed += failed;
    work.runs.set(server, counted);
    work.runCount += runs;
  };
  for (const entry of input.entries) {
    const category = snippetCategoryOf(entry.action);
    if (!category || entry.at < input.from || entry.at >= input.to) continue;
    const work = workOf(entry.ticketId, entry.at);
    if (category === 'run') tally(work, serverOf(entry), 1, failed(entry) ? 1 : 0);
    else work.entries[category].push(entry);
  }
  for (const counted of input.runs ?? []) if (counted.runs > 0) tally(workOf(counted.ticketId, counted.lastAt), counted.server, counted.runs, counted.failed);
  const scored = [...byTicket.values()].map((work) => ({ snippet: ticketSnippet(work, input.store), score: importance(work, input.store) }));
  // Most important first; work on no ticket last; equal weight: the most recent first.
  scored.sort((a, b) => Number(a.snippet.ticketId === null) - Number(b.snippet.ticketId === null) || b.score - a.score || b.snippet.lastAt.localeCompare(a.snippet.lastAt));
  const tickets = scored.map(({ snippet }) => snippet);
  const sum = (category: SnippetCategory) => tickets.reduce((total, ticket) => total + ticket.counts[category], 0);
  return {
    from: input.from,
    to: input.to,
    actor: input.actor,
    totals: { tickets: tickets.length, found: sum('found'), changed: sum('changed'), run: sum('run'), noted: sum('noted') },
    tickets,
  };
}

/** The finding an entry added, if it is still in the store. */
function findingOf(entry: SnippetEntry, store: SnippetStore) {
  const finding = store.findings.get(Number(entry.detail.findingId));
  return finding && finding.ticketId === entry.ticketId && finding.createdAt === entry.at ? finding : undefined;
}

function importance(work: TicketWork, store: SnippetStore): number {
  const found = work.entries.found.reduce((total, entry) => {
    const finding = findingOf(entry, store);
    return total + (finding ? (severityWeight[severityRank(finding.severity)] ?? 1) : 1);
  }, 0);
  const changed = work.entries.changed.reduce((total, entry) => total + 3 + (changeWords[entry.action]?.rank ?? 0), 0);
  const noted = new Set(work.entries.noted.map((entry) => String(entry.detail.noteId))).size * 2;
  // Commands say the least on their own: a long session weighs like a finding, not like fifty.
  const run = Math.min(work.runCount, 40) * 0.1;
  return found + changed + noted + run;
}

function ticketSnippet(work: TicketWork, store: SnippetStore): TicketSnippet {
  const title = work.ticketId === null ? 'Not on a ticket' : (store.tickets.get(work.ticketId)?.title ?? '(workspace no longer in the store)');
  const sections: SnippetSection[] = [];
  const add = (category: SnippetCategory, lines: string[]) => {
    const count = category === 'run' ? work.runCount : work.entries[category].length;
    if (count > 0) sections.push({ category, count, lines: lines.slice(0, SNIPPET_LINES), more: Math.max(0, lines.length - SNIPPET_LINES) });
  };
  add('found', foundLines(work.entries.found, store));
  add('changed', changedLines(work.entries.changed));
  add('run', runLines(work.runs));
  add('noted', notedLines(work.entries.noted, store));
  return {
    ticketId: work.ticketId,
    title,
    counts: { found: work.entries.found.length, changed: work.entries.changed.length, run: work.runCount, noted: work.entries.noted.length },
    sections,
    lastAt: work.lastAt,
  };
}

function foundLines(entries: SnippetEntry[], store: SnippetStore): string[] {
  const lines = entries.map((entry) => {
    const finding = findingOf(entry, store);
    if (!finding) return { rank: -1, at: entry.at, text: `${entry.summary} (withdrawn since)` };
    const status = finding.status === 'superseded' ? ' (since superseded)' : '';
    return { rank: severityRank(finding.severity), at: entry.at, text: `${finding.severity}: ${finding.title}${status}` };
  });
  lines.sort((a, b) => b.rank - a.rank || a.at.localeCompare(b.at));
  return lines.map((line) => line.text);
}

function changedLines(entries: SnippetEntry[]): string[] {
  const lines = entries.map((entry) => ({ words: changeWords[entry.action] ?? { label: entry.action, rank: 0 }, entry }));
  lines.sort((a, b) => b.words.rank - a.words.rank || a.entry.at.localeCompare(b.entry.at));
  return lines.map(({ words, entry }) => `${words.label}: ${entry.summary}`);
}

const failed = (entry: SnippetEntry) => (entry.detail.error !== null && entry.detail.error !== undefined) || (typeof entry.detail.exitCode === 'number' ? entry.detail.exitCode !== 0 : entry.detail.exitCode !== undefined);

const serverOf = (entry: SnippetEntry) => (typeof entry.detail.server === 'string' ? entry.detail.server : (entry.summary.split(' (')[0] ?? '?'));

function runLines(byServer: ReadonlyMap<string, { runs: number; failed: number }>): string[] {
  return [...byServer.entries()]
    .sort(([a, x], [b, y]) => y.runs - x.runs || a.localeCompare(b))
    .map(([server, { runs, failed: bad }]) => `${server}: ${plural(runs, 'command')}${bad ? `, ${bad} failed` : ''}`);
}

function notedLines(entries: SnippetEntry[], store: SnippetStore): string[] {
  const byNote = new Map<string, { title: string; started: boolean; saves: number; at: string }>();
  for (const entry of entries) {
    const key = typeof entry.detail.noteId === 'number' ? `note-${entry.detail.noteId}` : `entry-${entry.id}`;
    const stored = store.notes.get(Number(entry.detail.noteId));
    const note = byNote.get(key) ?? { title: stored?.title ?? quoted(entry.summary) ?? entry.summary, started: false, saves: 0, at: entry.at };
    if (entry.action === 'note.created') note.started = true;
    else note.saves += 1;
    if (entry.at > note.at) note.at = entry.at;
    byNote.set(key, note);
  }
  return [...byNote.values()]
    .sort((a, b) => b.saves + Number(b.started) - (a.saves + Number(a.started)) || b.at.localeCompare(a.at))
    .map((note) => `“${note.title}” (${[note.started ? 'started' : '', note.saves ? `saved ${plural(note.saves, 'time')}` : ''].filter(Boolean).join(', ')})`);
}

const quoted = (summary: string): string | null => /"([^"]*)"/.exec(summary)?.[1] ?? null;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---------------------------------------------------------------------------------------------
// Periods

export type SnippetPeriod = { kind: 'this-week' } | { kind: 'last-two-weeks' } | { kind: 'custom'; from: string; to: string };

const startOfDay = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The period in the clock's local time, as UTC timestamps for the query: this week is from Monday
 * 00:00; last two weeks from 00:00 thirteen days ago (today counts); custom is whole days, both ends
 * included (`YYYY-MM-DD`). Null when a custom day is not a date or ends before it starts.
 */
export function periodBounds(period: SnippetPeriod, now: Date): { from: string; to: string } | null {
  if (period.kind === 'this-week') {
    const today = startOfDay(now);
    const sinceMonday = (today.getDay() + 6) % 7;
    return { from: new Date(today.getFullYear(), today.getMonth(), today.getDate() - sinceMonday).toISOString(), to: now.toISOString() };
  }
  if (period.kind === 'last-two-weeks') {
    const today = startOfDay(now);
    return { from: new Date(today.getFullYear(), today.getMonth(), today.getDate() - 13).toISOString(), to: now.toISOString() };
  }
  if (!dayPattern.test(period.from) || !dayPattern.test(period.to)) return null;
  const [fy, fm, fd] = period.from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = period.to.split('-').map(Number) as [number, number, number];
  const from = new Date(fy, fm - 1, fd);
  const to = new Date(ty, tm - 1, td + 1);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from) return null;
  return { from: from.toISOString(), to: to.toISOString() };
}

// ---------------------------------------------------------------------------------------------
// Words

const sectionHeads: Record<SnippetCategory, string> = { found: 'Found', changed: 'Changed', run: 'Ran', noted: 'Noted' };

const dayOf = (timestamp: string) => {
  const date = new Date(timestamp);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
};

/** "2026-11-30 to 2026-12-02": the last day shown is the one the period's end falls in (an end at midnight is the day before). */
export function periodLabel(report: Pick<SnippetsReport, 'from' | 'to'>): string {
  const last = dayOf(new Date(new Date(report.to).getTime() - 1).toISOString());
  const first = dayOf(report.from);
  return first === last ? first : `${first} to ${last}`;
}

function totalsLine(report: SnippetsReport): string {
  const { totals } = report;
  return `${plural(totals.tickets, 'ticket')}: ${totals.found} found, ${totals.changed} changed, ${totals.run} run, ${totals.noted} noted`;
}

const ticketHead = (ticket: TicketSnippet) => (ticket.ticketId === null ? ticket.title : `${ticket.ticketId}: ${ticket.title}`);
const moreLine = (section: SnippetSection) => `… and ${section.more} more`;

export function snippetsMarkdown(report: SnippetsReport): string {
  const out = [`# Snippets, ${periodLabel(report)}`, '', `${totalsLine(report)} (${report.actor}).`];
  if (report.tickets.length === 0) out.push('', 'Nothing found, changed, run or noted in this period.');
  for (const ticket of report.tickets) {
    out.push('', `## ${ticketHead(ticket)}`, '');
    for (const section of ticket.sections) {
      out.push(`- **${sectionHeads[section.category]}** (${section.count})`);
      for (const line of section.lines) out.push(`  - ${line}`);
      if (section.more) out.push(`  - ${moreLine(section)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function snippetsText(report: SnippetsReport): string {
  const out = [`Snippets, ${periodLabel(report)}`, `${totalsLine(report)} (${report.actor}).`];
  if (report.tickets.length === 0) out.push('', 'Nothing found, changed, run or noted in this period.');
  for (const ticket of report.tickets) {
    out.push('', ticketHead(ticket));
    for (const section of ticket.sections) {
      out.push(`  ${sectionHeads[section.category]} (${section.count}):`);
      for (const line of section.lines) out.push(`    ${line}`);
      if (section.more) out.push(`    ${moreLine(section)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
