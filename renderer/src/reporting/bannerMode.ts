import type { Route } from '../app/route.js';
import type { FreshnessAlert } from './freshness.js';

/**
 * How the freshness banner shows on a page: loud and unsnoozable on the Reports page (where the data
 * is used), one compact line inside a ticket workspace, full elsewhere; snoozed for the session on any
 * page but Reports, until an alert the engineer has not snoozed comes up. Pure.
 */
export type BannerMode = 'hidden' | 'compact' | 'full' | 'loud';

export function bannerMode(route: Route, alerts: readonly Pick<FreshnessAlert, 'key'>[], snoozed: ReadonlySet<string>): BannerMode {
  if (alerts.length === 0) return 'hidden';
  if (route.name === 'reports') return 'loud';
  if (alerts.every((alert) => snoozed.has(alert.key))) return 'hidden';
  return route.name === 'workspace' ? 'compact' : 'full';
}

/** One line for a workspace: how many sources, and the worst thing wrong. */
export function compactLine(alerts: readonly Pick<FreshnessAlert, 'kind' | 'source'>[]): string {
  const sources = [...new Set(alerts.map((a) => a.source))];
  const worst = alerts.some((a) => a.kind === 'stale') ? 'has stopped receiving data' : alerts.some((a) => a.kind === 'failed') ? 'failed to sync' : 'needs a sync';
  return sources.length === 1 ? `Reporting source "${sources[0] ?? ''}" ${worst}` : `${sources.length} reporting sources: one ${worst}`;
}

const STORAGE_KEY = 'backline.freshness.snoozed';

/** The alerts snoozed in this browser session (sessionStorage: gone when the window closes). */
export function readSnoozed(storage: Pick<Storage, 'getItem'> | undefined): Set<string> {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
    return new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : []);
  } catch {
    return new Set();
  }
}

export function writeSnoozed(storage: Pick<Storage, 'setItem'> | undefined, keys: ReadonlySet<string>): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify([...keys]));
  } catch {
    // Storage refused (private mode, quota): the snooze lasts until the page reloads.
  }
}
