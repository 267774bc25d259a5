import type { SourceConfig, SyncConfig, TableConfig } from './config.js';

/**
 * The source config for the shipped reporting schema (source/schema.sql): what a company whose
 * database looks like ours would put in its config file. The archive source holds only status
 * events (the close events that moved there).
 */
const table = (name: string, columns: string, watermark: string, timeColumn?: string): TableConfig => ({
  name,
  query: `SELECT ${columns} FROM ${name}`,
  watermark,
  key: ['id'],
  ...(timeColumn ? { timeColumn } : {}),
});

export const MAIN_TABLES: readonly TableConfig[] = [
  table('teams', 'id, created_at, updated_at', 'updated_at', 'updated_at'),
  table('team_names', 'id, team_id, name, valid_from', 'id'),
  table('techs', 'id, login, full_name, hired_at, updated_at', 'updated_at', 'updated_at'),
  table('tech_teams', 'id, tech_id, team_id, valid_from, valid_to, updated_at', 'updated_at', 'updated_at'),
  table('tickets', 'id, customer, subject, created_at, team_id, updated_at', 'updated_at', 'updated_at'),
  table('ticket_status_events', 'id, ticket_id, status, at, source', 'id', 'at'),
  table('comments', 'id, ticket_id, tech_id, at, points, body', 'id', 'at'),
  table('ssl_certificates', 'id, domain, serial, order_number, issued_at, expires_at, updated_at', 'updated_at', 'updated_at'),
  table('ssl_tracking', 'id, certificate_id, tracking_number, note, created_at', 'id', 'created_at'),
];

export const ARCHIVE_TABLES: readonly TableConfig[] = [table('ticket_status_events', 'id, ticket_id, status, at, source', 'id', 'at')];

export function standardConfig(mainUrl: string, archiveUrl?: string): SyncConfig {
  const sources: SourceConfig[] = [{ name: 'main', url: mainUrl, tables: [...MAIN_TABLES] }];
  if (archiveUrl) sources.push({ name: 'archive', url: archiveUrl, tables: [...ARCHIVE_TABLES] });
  return { sources };
}
