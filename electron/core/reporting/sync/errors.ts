/** Why a sync stopped, in words for people; the cache always holds the last committed batch. */
export type SyncErrorCode =
  | 'CONFIG_INVALID'
  | 'SOURCE_UNREACHABLE'
  | 'SOURCE_DISCONNECTED'
  | 'SOURCE_QUERY_FAILED'
  | 'CACHE_COLUMN_UNKNOWN'
  | 'CACHE_WRITE_FAILED'
  | 'PRUNE_REFUSED'
  | 'SYNC_CANCELLED';

export class SyncError extends Error {
  override name = 'SyncError';
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly where: { source?: string; table?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DISCONNECT_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Turns what pg threw while reading a table into a typed error that says what to do next. */
export function sourceError(error: unknown, source: string, table: string | undefined, phase: 'connect' | 'read'): SyncError {
  if (error instanceof SyncError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  const where = table ? `table "${table}" of source "${source}"` : `source "${source}"`;
  if (phase === 'connect') {
    return new SyncError('SOURCE_UNREACHABLE', `Could not connect to ${where}: ${text}. Check that the database is up and the URL in the source config is right.`, { source, table }, { cause: error });
  }
  if ((typeof code === 'string' && (DISCONNECT_CODES.has(code) || NETWORK_CODES.has(code))) || /Connection terminated|not queryable|connection.*(closed|ended)/i.test(text)) {
    return new SyncError(
      'SOURCE_DISCONNECTED',
      `The connection to ${where} was lost mid-sync (${text}). The cache keeps every batch committed before that; run the sync again to continue from there.`,
      { source, table },
      { cause: error },
    );
  }
  return new SyncError('SOURCE_QUERY_FAILED', `The query for ${where} failed: ${text}. Check the query in the source config.`, { source, table }, { cause: error });
}
