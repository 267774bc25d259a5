import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from './core.js';
import { makePrivateDir, preparePrivateDatabase, secureDataDir } from './data-dir.js';
import { modeOf, underUmask000 } from './testing/file-modes.js';
import { tempDir } from './testing/temp-dir.js';

underUmask000();
const dirs: { remove: () => void }[] = [];
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
};
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** A data folder as a Backline before 0700/0600 (or a umask of 000) left it. */
function looseDataDir(root: string): { data: string; outside: string } {
  const data = join(root, 'data');
  const outside = join(root, 'elsewhere.txt');
  mkdirSync(join(data, 'runs', 'old'), { recursive: true });
  mkdirSync(join(data, 'reports'));
  for (const name of ['backline.sqlite', 'backline.sqlite-wal', 'backline.sqlite-shm', 'reporting.sqlite', 'reporting.sqlite-wal', 'known_hosts', 'secrets.json', 'runs/r1-1.stdout', 'runs/t1.transcript', 'reports/mine.sql', 'not-ours.txt']) {
    writeFileSync(join(data, name), 'x', { mode: 0o644 });
  }
  writeFileSync(outside, 'x', { mode: 0o644 });
  symlinkSync(outside, join(data, 'runs', 'link.stdout'));
  for (const dir of [data, join(data, 'runs'), join(data, 'runs', 'old'), join(data, 'reports')]) chmodSync(dir, 0o755);
  return { data, outside };
}

describe('the data folder at rest', () => {
  it('makes new folders 0700 whatever the umask, and leaves folders that are there alone', () => {
    const root = fresh();
    chmodSync(root, 0o755);
    makePrivateDir(join(root, 'a', 'b', 'c'));
    expect([modeOf(root), modeOf(join(root, 'a')), modeOf(join(root, 'a', 'b')), modeOf(join(root, 'a', 'b', 'c'))]).toEqual([0o755, 0o700, 0o700, 0o700]);
  });

  it('creates a database file 0600 before SQLite opens it, and sets 0600 on one and its -wal and -shm left open', () => {
    const root = fresh();
    const file = join(root, 'new', 'x.sqlite');
    preparePrivateDatabase(file);
    expect([modeOf(join(root, 'new')), modeOf(file)]).toEqual([0o700, 0o600]);
    const old = join(root, 'old.sqlite');
    for (const path of [old, `${old}-wal`, `${old}-shm`]) writeFileSync(path, '', { mode: 0o666 });
    preparePrivateDatabase(old);
    expect([modeOf(old), modeOf(`${old}-wal`), modeOf(`${old}-shm`)]).toEqual([0o600, 0o600, 0o600]);
  });

  it('on start-up sets the data folder 0700 and what Backline keeps in it 0600/0700; not through links, and not what is not ours', () => {
    const { data, outside } = looseDataDir(fresh());
    const notOurs = join(data, 'not-ours.txt');
    const foreign = join(data, 'reports', 'theirs.sql');
    writeFileSync(foreign, 'x', { mode: 0o644 });
    const root = process.getuid?.() === 0;
    if (root) chownSync(foreign, 65534, 65534);
    const changed = secureDataDir(data);
    expect(modeOf(data)).toBe(0o700);
    for (const name of ['backline.sqlite', 'backline.sqlite-wal', 'backline.sqlite-shm', 'reporting.sqlite', 'reporting.sqlite-wal', 'known_hosts', 'secrets.json', 'runs/r1-1.stdout', 'runs/t1.transcript', 'reports/mine.sql']) {
      expect([name, modeOf(join(data, name))]).toEqual([name, 0o600]);
    }
    expect([modeOf(join(data, 'runs')), modeOf(join(data, 'runs', 'old')), modeOf(join(data, 'reports'))]).toEqual([0o700, 0o700, 0o700]);
    // A link is not followed to wherever it points; a file Backline does not keep is left as it is (the folder is 0700 anyway).
    expect(modeOf(outside)).toBe(0o644);
    expect(modeOf(notOurs)).toBe(0o644);
    if (root) expect(modeOf(foreign)).toBe(0o644);
    expect(changed).toContain(join(data, 'backline.sqlite-wal'));
    // A second start finds nothing to change.
    expect(secureDataDir(data)).toEqual([]);
  });

  it('is what createCore does first: a loose data folder from before is tight once Backline has started', () => {
    const { data } = looseDataDir(fresh());
    for (const name of ['backline.sqlite', 'backline.sqlite-wal', 'backline.sqlite-shm']) writeFileSync(join(data, name), ''); // a fresh workspace, still 0644
    const core = createCore({ dataDir: data, shell: 'browser', version: '0.0.0-test', user: 'esc', log: () => undefined });
    try {
      expect(modeOf(data)).toBe(0o700);
      expect([modeOf(join(data, 'backline.sqlite')), modeOf(join(data, 'backline.sqlite-wal')), modeOf(join(data, 'backline.sqlite-shm'))]).toEqual([0o600, 0o600, 0o600]);
      expect([modeOf(join(data, 'runs')), modeOf(join(data, 'runs', 'r1-1.stdout')), modeOf(join(data, 'reports', 'mine.sql'))]).toEqual([0o700, 0o600, 0o600]);
    } finally {
      core.close();
    }
  });
});
