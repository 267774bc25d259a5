import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { localSsh } from './local-ssh.js';

let home: ReturnType<typeof tempDir>;
beforeEach(() => {
  home = tempDir('backline-home-');
  mkdirSync(join(home.path, '.ssh'));
});
afterEach(() => home.remove());

describe('localSsh', () => {
  it('reads ~/.ssh/config when it is a regular file, and never opens a FIFO there', { timeout: 2000 }, () => {
    const local = localSsh({ home: home.path, user: 'eng', agentSocket: null });
    expect(local.configText()).toBe('');
    execFileSync('mkfifo', [join(home.path, '.ssh', 'config')]);
    expect(local.configText()).toBe('');
    expect(local.isFile(join(home.path, '.ssh', 'config'))).toBe(false);
  });

  it('reads ~/.ssh/config and key files', async () => {
    writeFileSync(join(home.path, '.ssh', 'config'), 'Host web1\n  User root\n');
    writeFileSync(join(home.path, '.ssh', 'id_ed25519'), 'KEY');
    const local = localSsh({ home: home.path, user: 'eng', agentSocket: null });
    expect(local.configText()).toContain('User root');
    expect(local.isFile(join(home.path, '.ssh', 'id_ed25519'))).toBe(true);
    await expect(local.readKeyFile(join(home.path, '.ssh', 'id_ed25519'))).resolves.toBe('KEY');
  });
});
