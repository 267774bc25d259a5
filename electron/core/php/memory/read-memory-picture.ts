import { memoryPictureSchema, type MemoryPicture } from '../../../../shared/domain/php-memory.js';
import type { RemoteRunner } from '../../ssh/remote.js';
import type { StoredServer } from '../../store/servers-repo.js';
import { buildMemoryPicture } from './picture.js';
import { MEMORY_PROBE_SCRIPT } from './probe-script.js';

/** What the audit says the run was for. */
export const MEMORY_PROBE_PURPOSE = 'Reading the PHP memory picture';
/** The probe reads bounded logs and a few commands; a server this slow is worth telling about. */
export const MEMORY_PROBE_TIMEOUT_MS = 120_000;

/** argv for the probe: a fixed script, no input in it, carried on stdin to /bin/sh. */
export function memoryProbeArgv(): string[] {
  return ['/bin/sh', '-c', MEMORY_PROBE_SCRIPT, 'sh'];
}

/**
 * Reads a server's PHP memory picture: one read-only probe through the one audited runner (the script
 * uses `sudo -n` itself only where it works), parsed by pure functions. A server without PHP gives a
 * picture that says so; a connection failure, a time-out or a cancel is thrown as the runner's error.
 */
export async function readMemoryPicture(remote: RemoteRunner, server: StoredServer, options: { signal?: AbortSignal } = {}): Promise<MemoryPicture> {
  const result = await remote.run({
    server,
    argv: memoryProbeArgv(),
    sudo: false,
    viaStdin: true,
    purpose: MEMORY_PROBE_PURPOSE,
    timeoutMs: MEMORY_PROBE_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.error) throw result.error;
  const picture = buildMemoryPicture(result.stdout.text, new Date().toISOString());
  const ended = /^##bl:end$/m.test(result.stdout.text);
  if (!ended || result.exitCode !== 0) {
    const said = result.stderr.text.trim().split('\n').slice(-3).join(' ').slice(0, 300);
    picture.couldNotCheck.push(
      `The probe did not run to its end on ${server.label} (exit ${result.exitCode ?? result.signal ?? '?'}${said ? `: ${said}` : ''}): what follows the last section it printed was not read. The whole output is in the audit log.`,
    );
  }
  if (result.stdout.truncated) {
    picture.couldNotCheck.push(`The probe printed ${result.stdout.totalBytes} bytes, more than Backline keeps: the middle of its output was not read (the audit log names the file that holds all of it).`);
  }
  return memoryPictureSchema.parse(picture);
}
