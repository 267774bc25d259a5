import type { SyncState } from '../../../shared/contract/reporting.js';

/**
 * Whether `incoming` is older news than `current`. The answer to "start a sync" and the sync's events
 * travel on different channels: a short sync's "ended" event can arrive before the answer that says
 * "running", which must then not bring the finished run back to life.
 */
export function isOlderSyncState(current: SyncState | undefined, incoming: SyncState): boolean {
  if (!current || incoming.state === 'idle' || current.state !== 'idle') return false;
  if (!current.last || !incoming.startedAt) return false;
  return Date.parse(current.last.at) >= Date.parse(incoming.startedAt);
}
