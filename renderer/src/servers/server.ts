import { hostPort } from '../../../shared/domain/address.js';
import type { AuthMethod } from './serverForm.js';
import type { ConfigNote, LastError, LibraryEntry, ResolvedHop, Server } from '../../../shared/domain/server.js';
import { formatDateTime, formatTime } from '../app/formatTime.js';

/** What the engineer typed, as ssh would read it: `user@host:port`, parts left out when unset. */
export function targetOf(server: Pick<Server, 'user' | 'host' | 'port'>): string {
  const host = server.host.includes(':') && server.port !== null ? `[${server.host}]` : server.host;
  return `${server.user ? `${server.user}@` : ''}${host}${server.port !== null ? `:${server.port}` : ''}`;
}

/** The resolved route in one line: `via bastion → db1`, or `direct` for a single hop. */
export function chainSummary(hops: readonly Pick<ResolvedHop, 'label'>[]): string {
  if (hops.length <= 1) return 'direct';
  return `via ${hops.map((h) => h.label).join(' → ')}`;
}

export interface RouteNote {
  /** The hop it is about; null when it is about every hop (the config as a whole, e.g. an Include). */
  hop: string | null;
  note: ConfigNote;
}

/** The notes of a route: those every hop shares once, first, then each hop's own, the things Backline skipped before the rest. */
export function routeNotes(hops: readonly Pick<ResolvedHop, 'label' | 'notes'>[]): RouteNote[] {
  const key = (note: ConfigNote) => `${note.kind} ${note.at} ${note.message}`;
  const everywhere = new Set(hops[0]?.notes.map(key).filter((k) => hops.every((hop) => hop.notes.some((n) => key(n) === k))));
  const seen = new Set<string>();
  const shared: RouteNote[] = (hops[0]?.notes ?? []).filter((n) => everywhere.has(key(n))).map((note) => ({ hop: null, note }));
  const own = hops.flatMap((hop) =>
    hop.notes
      .filter((n) => !everywhere.has(key(n)))
      .filter((n) => !seen.has(`${hop.label} ${key(n)}`) && seen.add(`${hop.label} ${key(n)}`))
      .map((note) => ({ hop: hop.label, note })),
  );
  const order = (n: RouteNote) => (n.note.kind === 'skipped' ? 0 : 1);
  return [...shared, ...own].sort((a, b) => order(a) - order(b));
}

export function hopAddress(hop: Pick<ResolvedHop, 'user' | 'host' | 'port'>): string {
  return `${hop.user}@${hostPort(hop.host, hop.port)}`;
}

export const authLabels: Record<AuthMethod, string> = {
  auto: 'auto — ssh-agent, keys, then password',
  agent: 'agent',
  key: 'key file',
  password: 'password',
};

export const authShortLabels: Record<AuthMethod, string> = { auto: 'auto', agent: 'agent', key: 'key file', password: 'password' };

export const connectionColors: Record<Server['connection'], string> = {
  disconnected: 'gray',
  connecting: 'blue',
  connected: 'green',
  lost: 'red',
};

/** `Lost at 14:02:11`, or `Connect failed on 2026-11-24 17:40:03` when it was not today. */
export function lastErrorWhen(error: Pick<LastError, 'kind' | 'at'>, now: Date = new Date()): string {
  const at = new Date(error.at);
  const today = at.toDateString() === now.toDateString();
  const what = error.kind === 'lost' ? 'Lost' : 'Connect failed';
  return today ? `${what} at ${formatTime(error.at)}` : `${what} on ${formatDateTime(error.at)}`;
}

/** One line for a host-library entry: where it leads, and where it comes from. */
export function libraryEntryDetail(entry: LibraryEntry): string {
  if (entry.source === 'ticket') {
    const via = entry.jump ? ` via ${entry.jump}` : '';
    return `${targetOf(entry)}${via} · ${entry.tickets.join(', ')}`;
  }
  const where = entry.resolved ? `${entry.resolved.target}${entry.resolved.via.length > 0 ? ` via ${entry.resolved.via.join(' → ')}` : ''}` : 'cannot be resolved';
  return `${where} · ~/.ssh/config`;
}
