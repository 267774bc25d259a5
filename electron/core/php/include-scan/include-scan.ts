import type { IncludeScanResult, ScanLimits } from '../../../../shared/domain/php-scan.js';
import type { StoredServer } from '../../store/servers-repo.js';
import type { RemoteRunner } from '../../ssh/remote.js';
import { runPreferringSudo } from '../docroots/run-with-sudo-fallback.js';
import { INCLUDE_PATTERN, SCAN_SCRIPT, SCAN_WALK } from './scan-script.js';
import { readScan } from './scan-output.js';

export interface ScanIncludesOptions {
  /** Absolute directories (from findDocroots, or typed). */
  docroots: string[];
  maxFiles?: number;
  maxBytes?: number;
  timeS?: number;
  /** Hit lines kept (the rest are counted). */
  maxHits?: number;
  signal?: AbortSignal;
  runId?: string;
}

export const SCAN_DEFAULTS = { maxFiles: 100_000, maxBytes: 1024 * 1024 * 1024, timeS: 120, maxHits: 2000 } as const;

/**
 * Searches the docroots' PHP files on the server for calls that read a literal remote URL: one niced,
 * time-bounded command (scan-script.ts), read-only, under sudo where it is allowed (docroots are often
 * readable by www-data only). Never throws for what the server says: a missing docroot, a refusal or
 * a limit reached comes back as the result's statements and `stopped`.
 */
export async function scanIncludes(remote: RemoteRunner, server: StoredServer, options: ScanIncludesOptions): Promise<IncludeScanResult> {
  const limits: ScanLimits = {
    maxFiles: options.maxFiles ?? SCAN_DEFAULTS.maxFiles,
    maxBytes: options.maxBytes ?? SCAN_DEFAULTS.maxBytes,
    timeS: options.timeS ?? SCAN_DEFAULTS.timeS,
  };
  const maxHits = options.maxHits ?? SCAN_DEFAULTS.maxHits;
  for (const [name, value] of Object.entries({ ...limits, maxHits })) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`scanIncludes: ${name} must be a positive number, not ${value}`);
  }
  const docroots = [...new Set(options.docroots)];
  const relative = docroots.filter((d) => !d.startsWith('/'));
  if (relative.length > 0) throw new RangeError(`scanIncludes: docroots must be absolute paths: ${relative.join(', ')}`);
  if (docroots.length === 0) throw new RangeError('scanIncludes: give at least one docroot');

  const started = performance.now();
  const { result, statement } = await runPreferringSudo(remote, {
    server,
    argv: ['/bin/sh', '-c', SCAN_SCRIPT, 'backline-scan', SCAN_WALK, INCLUDE_PATTERN, String(limits.maxFiles), String(limits.maxBytes), String(Math.ceil(limits.timeS)), String(maxHits), ...docroots],
    viaStdin: true,
    purpose: 'Scanning PHP files for remote includes',
    // The server's own `timeout` ends the walk; this only catches a server without it.
    timeoutMs: (Math.ceil(limits.timeS) + 20) * 1000,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
  });
  const reading = readScan({
    stdout: result.stdout.text,
    stderr: result.stderr.text,
    limits,
    maxHits,
    errorCode: result.error?.code ?? null,
    ...(result.error ? { errorMessage: result.error.message } : {}),
    label: server.label,
  });
  const statements = [...(statement ? [statement] : []), ...reading.statements];
  if (result.stdout.truncated) statements.push(`The scan printed more on ${server.label} than Backline keeps (${result.stdout.totalBytes} bytes): hits in the part left out are missing.`);
  return {
    docroots: reading.docroots,
    hits: reading.hits,
    hitsLeftOut: reading.hitsLeftOut,
    limits,
    stopped: reading.stopped,
    unreadable: reading.unreadable,
    sudo: result.sudo,
    durationMs: performance.now() - started,
    statements,
    unparsed: reading.unparsed,
  };
}
