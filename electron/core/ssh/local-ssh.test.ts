import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { localSsh } from './local-ssh.js';
import { noteText, resolveHost } from './ssh-config.js';

let home: ReturnType<typeof tempDir>;
beforeEach(() => {
  home = tempDir('backline-home-');
  mkdirSync(join(home.path, '.ssh'));
});
afterEach(() => home.remove());

describe('localSsh', () => {
  it('reads ~/.ssh/config when it is a regular file, and never opens a FIFO there: it says so instead', { timeout: 2000 }, () => {
    const local = localSsh({ home: home.path, user: 'eng', agentSocket: null });
    expect(local.config()).toEqual({ file: '~/.ssh/config', lines: [], notes: [] });
    execFileSync('mkfifo', [join(home.path, '.ssh', 'config')]);
    expect(local.config().notes.map(noteText)).toEqual([
      '~/.ssh/config: could not be read (it is not a regular file); resolved without it, where ssh would refuse to start',
    ]);
    expect(local.isFile(join(home.path, '.ssh', 'config'))).toBe(false);
  });

  it('reads ~/.ssh/config with its Includes, and key files', async () => {
    writeFileSync(join(home.path, '.ssh', 'config'), 'Include ~/.ssh/config.d/*\nHost web1\n  User root\n');
    mkdirSync(join(home.path, '.ssh', 'config.d'));
    writeFileSync(join(home.path, '.ssh', 'config.d', 'lab'), 'Host web1\n  HostName 10.77.0.11\n');
    execFileSync('mkfifo', [join(home.path, '.ssh', 'config.d', 'pipe')]);
    writeFileSync(join(home.path, '.ssh', 'id_ed25519'), 'KEY');
    const local = localSsh({ home: home.path, user: 'eng', agentSocket: null });
    const web1 = resolveHost(local.config(), 'web1', local.env);
    expect(web1).toMatchObject({ hostName: '10.77.0.11', user: 'root' });
    expect(web1.notes.map(noteText)).toEqual([
      `~/.ssh/config:1: Include ${join(home.path, '.ssh', 'config.d', 'pipe')} could not be read (it is not a regular file); skipped, where ssh would refuse the whole config`,
    ]);
    expect(local.isFile(join(home.path, '.ssh', 'id_ed25519'))).toBe(true);
    await expect(local.readKeyFile(join(home.path, '.ssh', 'id_ed25519'))).resolves.toBe('KEY');
  });
});
