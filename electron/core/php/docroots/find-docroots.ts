import type { DocrootsResult } from '../../../../shared/domain/php-scan.js';
import type { StoredServer } from '../../store/servers-repo.js';
import type { RemoteRunner } from '../../ssh/remote.js';
import { DOCROOTS_SCRIPT } from './docroots-script.js';
import { readDocroots } from './docroots-output.js';
import { runPreferringSudo } from './run-with-sudo-fallback.js';

export interface FindDocrootsOptions {
  timeS?: number;
  signal?: AbortSignal;
  runId?: string;
}

/**
 * The docroots the server's web servers are configured with (nginx -T, apache2ctl -S), each with the
 * file and line it came from. Read-only, one round trip; never throws for what the server says: a
 * server without a web server, or a configuration that cannot be read, comes back as statements.
 */
export async function findDocroots(remote: RemoteRunner, server: StoredServer, options: FindDocrootsOptions = {}): Promise<DocrootsResult> {
  const { result, statement } = await runPreferringSudo(remote, {
    server,
    argv: ['/bin/sh', '-c', DOCROOTS_SCRIPT, 'backline-docroots'],
    viaStdin: true,
    purpose: 'Reading the web server configuration',
    timeoutMs: (options.timeS ?? 30) * 1000,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.runId ? { runId: options.runId } : {}),
  });
  if (result.error && result.stdout.text.trim() === '') {
    return {
      docroots: [],
      webServers: [],
      sudo: result.sudo,
      statements: [...(statement ? [statement] : []), `The web server configuration could not be read on ${server.label}: ${result.error.message}${result.error.hint ? ` ${result.error.hint}` : ''}`],
      unparsed: [],
    };
  }
  const reading = readDocroots(result.stdout.text, server.label);
  const statements = [...(statement ? [statement] : []), ...reading.statements];
  if (result.error) statements.push(`The docroots script was stopped on ${server.label}: ${result.error.message}`);
  if (result.stdout.truncated) statements.push(`The configuration printed on ${server.label} was larger than Backline keeps (${result.stdout.totalBytes} bytes): docroots in the part left out are missing.`);
  const unparsed = [...reading.unparsed, ...result.stderr.text.split('\n').filter((l) => l.trim() !== '').map((l) => `stderr: ${l}`)];
  return { docroots: reading.docroots, webServers: reading.webServers, sudo: result.sudo, statements, unparsed };
}
