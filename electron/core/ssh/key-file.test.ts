import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../core.js';
import { tempDir } from '../testing/temp-dir.js';
import { KEY_FILE_MAX_BYTES, KeyFileProblem, readKeyFile } from './key-file.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('backline-keyfile-');
});
afterEach(() => dir.remove());

const problemOf = async (path: string): Promise<KeyFileProblem> => {
  const error: unknown = await readKeyFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyFileProblem)) throw new Error(`expected a KeyFileProblem for ${path}, got ${String(error)}`);
  return error;
};

describe('readKeyFile', () => {
  it('reads a regular file, also through a symlink', async () => {
    const key = join(dir.path, 'id_ed25519');
    writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\n...\n', { mode: 0o600 });
    symlinkSync(key, join(dir.path, 'link'));
    await expect(readKeyFile(key)).resolves.toContain('BEGIN OPENSSH PRIVATE KEY');
    await expect(readKeyFile(join(dir.path, 'link'))).resolves.toContain('BEGIN OPENSSH PRIVATE KEY');
  });

  // A read that waits for a writer would hang here (and a synchronous one would freeze the app): the time limit fails it.
  it('refuses a FIFO at once, without waiting for a writer', { timeout: 2000 }, async () => {
    const fifo = join(dir.path, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const problem = await problemOf(fifo);
    expect(problem.reason).toBe('not-a-file');
    expect(problem.message).toMatch(/named pipe/);
    expect(problem.hint).toMatch(/private key file itself/);
  });

  it('refuses a directory and a device', async () => {
    mkdirSync(join(dir.path, 'keys'));
    expect(await problemOf(join(dir.path, 'keys'))).toMatchObject({ reason: 'not-a-file', message: expect.stringMatching(/is a directory/) as unknown });
    expect(await problemOf('/dev/zero')).toMatchObject({ reason: 'not-a-file', message: expect.stringMatching(/device/) as unknown });
  });

  it('refuses a file larger than any private key, saying how large it is', async () => {
    const big = join(dir.path, 'big');
    writeFileSync(big, Buffer.alloc(KEY_FILE_MAX_BYTES + 1, 0x41));
    const problem = await problemOf(big);
    expect(problem.reason).toBe('too-large');
    expect(problem.message).toMatch(/1\.0 MiB/);
    writeFileSync(big, Buffer.alloc(KEY_FILE_MAX_BYTES, 0x41));
    await expect(readKeyFile(big)).resolves.toHaveLength(KEY_FILE_MAX_BYTES);
  });

  it('tells a missing file from one it may not read', async () => {
    expect(await problemOf(join(dir.path, 'nowhere'))).toMatchObject({ reason: 'missing', message: expect.stringMatching(/does not exist/) as unknown });
    const locked = join(dir.path, 'locked');
    writeFileSync(locked, 'x', { mode: 0o000 });
    chmodSync(locked, 0o000);
    // root reads anything: only check the refusal where permissions apply.
    if (process.getuid?.() !== 0) expect(await problemOf(locked)).toMatchObject({ reason: 'unreadable' });
  });
});

describe('a key file typed in the window', () => {
  it('that is a FIFO fails servers.connect at once with what to give instead, and the app keeps answering', { timeout: 5000 }, async () => {
    const fifo = join(dir.path, 'id_fifo');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(join(dir.path, 'home', '.ssh'), { recursive: true });
    const core = createCore({ dataDir: join(dir.path, 'data'), shell: 'browser', version: 't', log: () => undefined, ssh: { home: join(dir.path, 'home'), user: 'eng', agentSocket: null } });
    try {
      const call = (method: string, input: unknown) => core.dispatch(method, input, { shell: 'browser' });
      await call('tickets.create', { id: 'TKT-1', title: 'fifo' });
      const added = await call('servers.add', { ticketId: 'TKT-1', host: '127.0.0.1', port: 1, user: 'root', auth: 'key', keyFile: fifo });
      if (!added.ok) throw new Error(added.error.message);
      const connect = call('servers.connect', { id: (added.value as { id: number }).id });
      // While the key file is looked at, other calls are still answered.
      expect(await call('app.info', {})).toMatchObject({ ok: true });
      expect(await connect).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: `The key file for 127.0.0.1 can't be used: ${fifo} is a named pipe (FIFO), not a key file.`, hint: expect.stringMatching(/private key file itself/) as unknown },
      });
    } finally {
      core.close();
    }
  });
});
