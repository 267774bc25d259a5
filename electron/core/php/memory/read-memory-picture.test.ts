import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BacklineError } from '../../../../shared/errors.js';
import type { RemoteRequest, RemoteResult, RemoteRunner } from '../../ssh/remote.js';
import type { StoredServer } from '../../store/servers-repo.js';
import { MEMORY_PROBE_PURPOSE, readMemoryPicture } from './read-memory-picture.js';
import { MEMORY_PROBE_SCRIPT } from './probe-script.js';

const server: StoredServer = { id: 7, ticketId: 'TKT-1', label: 'web1', host: '10.77.0.11', port: 22, user: 'bl-tcsh', auth: 'key', keyFile: null, jump: null, createdAt: '2026-12-02T00:00:00.000Z' };
const text = (value: string) => ({ text: value, totalBytes: value.length, truncated: false, fullOutputFile: null });

/** A runner that answers with what a server printed, and keeps the request it was given. */
function runnerAnswering(stdout: string, extra: Partial<RemoteResult> = {}) {
  const requests: RemoteRequest[] = [];
  const remote = {
    run: (request: RemoteRequest): Promise<RemoteResult> => {
      requests.push(request);
      return Promise.resolve({ exitCode: 0, signal: null, durationMs: 400, stdout: text(stdout), stderr: text(''), error: null, sudo: false, where: 'web1', ...extra });
    },
  } as unknown as RemoteRunner;
  return { remote, requests };
}

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('readMemoryPicture', () => {
  it('runs the fixed script on stdin to /bin/sh, without sudo (the script uses sudo -n itself), and parses what came back', async () => {
    const { remote, requests } = runnerAnswering(fixture('probe.fpm-running.root.txt'));
    const picture = await readMemoryPicture(remote, server);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ server, argv: ['/bin/sh', '-c', MEMORY_PROBE_SCRIPT, 'sh'], sudo: false, viaStdin: true, purpose: MEMORY_PROBE_PURPOSE });
    expect(picture.pools.some((p) => p.name === 'www' && p.statusPath === '/fpm-status')).toBe(true);
    expect(picture.couldNotCheck).not.toContainEqual(expect.stringMatching(/did not run to its end/));
  });

  it('a server without PHP is a picture that says so', async () => {
    const picture = await readMemoryPicture(runnerAnswering(fixture('probe.no-php.busybox.txt')).remote, server);
    expect(picture.phpFound).toBe(false);
  });

  it('a probe cut short says where the picture stops', async () => {
    const output = fixture('probe.fpm-running.root.txt');
    const cut = output.slice(0, output.indexOf('##bl:kernel'));
    const picture = await readMemoryPicture(runnerAnswering(cut, { exitCode: 137, stderr: text('Killed\n') }).remote, server);
    expect(picture.couldNotCheck).toContainEqual(expect.stringMatching(/^The probe did not run to its end on web1 \(exit 137: Killed\)/));
    expect(picture.oomEvents).toEqual([]);
  });

  it('throws what the runner reports when the command did not run (connection, time-out, cancel)', async () => {
    const error = new BacklineError('CANCELLED', 'The command was cancelled and its processes killed.');
    await expect(readMemoryPicture(runnerAnswering('', { exitCode: null, error }).remote, server)).rejects.toBe(error);
  });
});
