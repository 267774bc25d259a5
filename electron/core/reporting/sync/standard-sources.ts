import type { SourceConfig, SyncConfig, TableConfig } from './config.js';

/**
 * The source config for the shipped reporting schema (source/schema.sql): what a company whose
 * database looks like ours would put in its config file. The archive source holds only status
 * events (the close events that moved there).
 *
 * Overlap: every incremental sync reads again the last 5 minutes of an updated_at watermark (a
 * writing transaction stamps now(), its start, and may commit after later rows were read) and
 * the last 1000 ids of a bigserial one (ids are taken before commit, so a lower id can appear
 * after a higher one was read).
 * Prune: the tables whose rows are edited or removed lose on a full sync what the source no longer
 * has; the two append-only histories (status events, comments) are not pruned, which keeps a full
 * sync of their millions of rows cheap. Set `prune` on them in a config file to prune them too.
 */
export const TIME_OVERLAP = '5 minutes';
export const ID_OVERLAP = 1000;

const table = (name: string, columns: string, watermark: string, timeColumn: string | undefined, prune: boolean): TableConfig => ({
  name,
  query: `SELECT ${columns} FROM ${name}`,
  watermark,
  key: ['id'],
  ...(timeColumn ? { timeColumn } : {}),
  overlap: watermark === 'id' ? ID_OVERLAP : TIME_OVERLAP,
  ...(prune ? { prune } : {}),
});

export const MAIN_TABLES: readonly TableConfig[] = [
  table('teams', 'id, created_at, updated_at', 'updated_at', 'updated_at', true),
  table('team_names', 'id, team_id, name, valid_from', 'id', undefined, true),
  table('techs', 'id, login, full_name, hired_at, updated_at', 'updated_at', 'updated_at', true),
  table('tech_teams', 'id, tech_id, team_id, valid_from, valid_to, updated_at', 'updated_at', 'updated_at', true),
  table('tickets', 'id, customer, subject, created_at, team_id, updated_at', 'updated_at', 'updated_at', true),
  table('ticket_status_events', 'id, ticket_id, status, at, source', 'id', 'at', false),
  table('comments', 'id, ticket_id, tech_id, at, points, body', 'id', 'at', false),
  table('ssl_certificates', 'id, domain, serial, order_number, issued_at, expires_at, updated_at', 'updated_at', 'updated_at', true),
  table('ssl_tracking', 'id, certificate_id, tracking_number, note, created_at', 'id', 'created_at', true),
];

export const ARCHIVE_TABLES: readonly TableConfig[] = [table('ticket_status_events', 'id, ticket_id, status, at, source', 'id', 'at', false)];

export function standardConfig(mainUrl: string, archiveUrl?: string): SyncConfig {
  const sources: SourceConfig[] = [{ name: 'main', url: mainUrl, tables: [...MAIN_TABLES] }];
  // The archive was split off once and does not grow: it is never called stale.
  if (archiveUrl) sources.push({ name: 'archive', url: archiveUrl, tables: [...ARCHIVE_TABLES], staleAfterHours: null });
  return { sources };
}
