import { existsSync, statSync } from 'node:fs';
import type { ReportingStatus, SourceFreshnessView } from '../../../shared/contract/reporting.js';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import { openReadableCache } from './cache/database.js';
import { DEFAULT_THRESHOLDS, readFreshness, type FreshnessThresholds } from './cache/freshness.js';
import { lookupsOf } from './reports/lookups.js';
import { bindArgs } from './reports/params.js';
import { validateDraft } from './reports/report-file.js';
import type { ReportLibrary } from './reports/library.js';
import type { ReportRunner } from './reports/runner.js';
import type { SyncController } from './sync-controller.js';
import { loadSyncConfig, type SyncConfig } from './sync/config.js';

export interface ReportingDeps {
  configFile: string;
  cacheFile: string;
  sync: SyncController;
  library: ReportLibrary;
  runner: ReportRunner;
  clock: () => Date;
}

/** Reads the source config; a missing file means "not configured", which the UI explains. */
export function readSourceConfig(configFile: string): { config: SyncConfig | null; error: string | null } {
  if (!existsSync(configFile)) return { config: null, error: null };
  try {
    return { config: loadSyncConfig(configFile), error: null };
  } catch (error) {
    return { config: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export function requireSourceConfig(configFile: string): SyncConfig {
  if (!existsSync(configFile)) {
    throw new BacklineError('REPORTING_NOT_CONFIGURED', `No reporting source config at ${configFile}.`, {
      hint: 'Create it with the sources to read (see the README\'s reporting section, or scripts/reporting/sources.example.json), or point BACKLINE_REPORTING_SOURCES at one.',
    });
  }
  try {
    return loadSyncConfig(configFile);
  } catch (error) {
    // loadSyncConfig throws only SyncError CONFIG_INVALID, whose message names the file and the field.
    throw new BacklineError('REPORTING_NOT_CONFIGURED', error instanceof Error ? error.message : String(error), {
      hint: `Fix ${configFile} (see the README's reporting section for its format).`,
    });
  }
}

/** A source's own staleness limit from its config; null there means it is not expected to grow. */
function thresholdsOf(config: SyncConfig | null, source: string): FreshnessThresholds {
  const hours = config?.sources.find((s) => s.name === source)?.staleAfterHours;
  if (hours === undefined) return DEFAULT_THRESHOLDS;
  return { ...DEFAULT_THRESHOLDS, sourceStaleAfterMs: hours === null ? Infinity : hours * 3_600_000 };
}

/** Every configured source, with what the cache knows of its freshness (never-synced until its first sync). */
function freshnessOf(deps: ReportingDeps, config: SyncConfig | null): SourceFreshnessView[] {
  let known: Omit<SourceFreshnessView, 'expectsNewData'>[] = [];
  if (existsSync(deps.cacheFile)) {
    const db = openReadableCache(deps.cacheFile);
    try {
      // A first sync creates the file before its migrations commit: until then there is nothing to read.
      const ready = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'freshness'").get() !== undefined;
      if (ready) known = readFreshness(db, deps.clock(), (source) => thresholdsOf(config, source));
    } finally {
      db.close();
    }
  }
  const names = config?.sources.map((s) => s.name) ?? known.map((k) => k.source);
  return names.map((source) => ({
    ...(known.find((k) => k.source === source) ?? { source, lastAttemptAt: null, lastSuccessAt: null, newestSourceAt: null, lastError: null, verdict: 'never-synced' as const }),
    expectsNewData: Number.isFinite(thresholdsOf(config, source).sourceStaleAfterMs),
  }));
}

export function reportingHandlers(
  deps: ReportingDeps,
): HandlerGroup<
  'reporting.status' | 'reporting.sync' | 'reporting.cancelSync' | 'reporting.schema' | 'reports.list' | 'reports.save' | 'reports.delete' | 'reports.import' | 'reports.file' | 'reports.run' | 'reports.cancel'
> {
  return {
    'reporting.status': (): ReportingStatus => {
      const { config, error } = readSourceConfig(deps.configFile);
      return {
        configFile: deps.configFile,
        configured: config !== null,
        configError: error,
        sources: config?.sources.map((s) => ({ name: s.name, tables: s.tables.map((t) => t.name) })) ?? [],
        cacheFile: deps.cacheFile,
        cacheBytes: existsSync(deps.cacheFile) ? statSync(deps.cacheFile).size : null,
        freshness: freshnessOf(deps, config),
        sync: deps.sync.state(),
      };
    },
    'reporting.sync': ({ full }) => deps.sync.start(full),
    'reporting.cancelSync': () => deps.sync.cancel(),
    // Before the first sync there is no file: nothing to browse yet, which the window says (not an error).
    'reporting.schema': async () => (existsSync(deps.cacheFile) ? { exists: true, tables: await deps.runner.schema() } : { exists: false, tables: [] }),
    'reports.list': () => deps.library.list(),
    'reports.save': (draft) => deps.library.save(draft),
    'reports.delete': ({ id }) => {
      deps.library.remove(id);
      return { id };
    },
    'reports.import': ({ fileName, content, replace }) => deps.library.importFile(fileName, content, { replace }),
    'reports.file': ({ id }) => deps.library.fileOf(id),
    'reports.run': async ({ runId, report, args, timeoutMs, maxRows }) => {
      let sql: string;
      let params;
      if ('id' in report) {
        const definition = deps.library.get(report.id);
        sql = definition.sql;
        params = definition.params;
      } else {
        validateDraft({ id: 'draft', title: 'Draft', description: '', chart: null, sql: report.sql, params: report.params });
        sql = report.sql;
        params = report.params;
      }
      const values = bindArgs(params, args);
      const result = await deps.runner.run({ runId, sql, values, timeoutMs, maxRows, lookups: lookupsOf(params, values) });
      return { ...result, runId };
    },
    'reports.cancel': ({ runId }) => ({ cancelled: deps.runner.cancel(runId) }),
  };
}
