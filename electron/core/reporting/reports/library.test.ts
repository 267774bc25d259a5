import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportDraft } from '../../../../shared/domain/report.js';
import { BacklineError } from '../../../../shared/errors.js';
import { modeOf, underUmask000 } from '../../testing/file-modes.js';
import { tempDir } from '../../testing/temp-dir.js';
import { ReportLibrary } from './library.js';
import { rejection, thrown } from '../../testing/backline-errors.js';

let dir: ReturnType<typeof tempDir>;
let shippedDir: string;
let savedDir: string;
let shareDir: string;

const file = (title: string, sql = 'SELECT 1 AS one') => `-- title: ${title}\n${sql}\n`;
const draft = (id: string, title = `Report ${id}`): ReportDraft => ({
  id,
  title,
  description: 'What it shows.',
  params: [{ name: 'q', type: 'text', label: 'Q "quoted"', required: true, default: null }],
  chart: { kind: 'bar', x: 'label', y: ['n'], series: null },
  sql: 'SELECT :q AS label, 1 AS n',
});

beforeEach(() => {
  dir = tempDir('backline-library-');
  shippedDir = join(dir.path, 'shipped');
  savedDir = join(dir.path, 'data', 'reports');
  shareDir = join(dir.path, 'share');
  mkdirSync(shippedDir);
  mkdirSync(shareDir);
  writeFileSync(join(shippedDir, 'zeta.sql'), file('Zeta shipped'));
  writeFileSync(join(shippedDir, 'alpha.sql'), file('Alpha shipped'));
  writeFileSync(join(shareDir, 'shared-one.sql'), file('Shared one'));
});
afterEach(() => dir.remove());
underUmask000();

describe('ReportLibrary', () => {
  it('lists shipped reports first, then saved and shared ones, each by title, before anything is saved', () => {
    const library = new ReportLibrary({ shippedDir, savedDir, extraDirs: [shareDir] });
    const { reports, problems } = library.list();
    expect(reports.map((r) => [r.id, r.origin])).toEqual([
      ['alpha', 'shipped'],
      ['zeta', 'shipped'],
      ['shared-one', 'shared'],
    ]);
    expect(problems).toEqual([]);
    expect(reports[0]?.file).toBe(join(shippedDir, 'alpha.sql'));
  });

  it('lists broken files as problems without hiding the rest', () => {
    writeFileSync(join(shareDir, 'broken.sql'), '-- title: Broken\n-- parm: q text required "Q"\nSELECT :q\n');
    writeFileSync(join(shareDir, 'Bad Name.sql'), file('Bad name'));
    writeFileSync(join(shareDir, 'alpha.sql'), file('Alpha again'));
    writeFileSync(join(shareDir, 'notes.txt'), 'not a report');
    const library = new ReportLibrary({ shippedDir, savedDir, extraDirs: [shareDir, join(dir.path, 'unplugged-share')] });
    const { reports, problems } = library.list();
    expect(reports.map((r) => r.id)).toEqual(['alpha', 'zeta', 'shared-one']);
    expect(problems).toEqual([
      { file: join(shareDir, 'Bad Name.sql'), message: expect.stringMatching(/rename it to "bad-name.sql"/) as unknown },
      { file: join(shareDir, 'alpha.sql'), message: expect.stringMatching(/already comes from .*shipped.alpha\.sql/) as unknown },
      { file: join(shareDir, 'broken.sql'), message: expect.stringMatching(/^Line 2: /) as unknown },
      { file: join(dir.path, 'unplugged-share'), message: expect.stringMatching(/could not be read/) as unknown },
    ]);
  });

  it('saves a report atomically as a .sql file that reads back the same, and gets it by id', async () => {
    const library = new ReportLibrary({ shippedDir, savedDir });
    const saved = await library.save(draft('mine', 'Mine'));
    // For this user only, whatever the umask; imports too.
    expect([modeOf(savedDir), modeOf(join(savedDir, 'mine.sql'))]).toEqual([0o700, 0o600]);
    expect(modeOf((await library.importFile('theirs.sql', file('Theirs'))).file)).toBe(0o600);
    library.remove('theirs');
    expect(saved).toEqual({ ...draft('mine', 'Mine'), origin: 'saved', file: join(savedDir, 'mine.sql') });
    expect(library.get('mine')).toEqual(saved);
    expect(readdirSync(savedDir)).toEqual(['mine.sql']);
    expect(readFileSync(join(savedDir, 'mine.sql'), 'utf8')).toMatch(/^-- title: Mine\n-- description: What it shows\.\n-- param: q text required "Q \\"quoted\\""\n/);
    // Saving again replaces it.
    await library.save({ ...draft('mine'), title: 'Mine, changed' });
    expect(library.get('mine').title).toBe('Mine, changed');
    expect(library.list().reports.map((r) => r.id)).toEqual(['alpha', 'zeta', 'mine']);
  });

  it('refuses to save over a shipped report and suggests a copy', async () => {
    const library = new ReportLibrary({ shippedDir, savedDir });
    const error = await rejection(library.save(draft('alpha')));
    expect(error.code).toBe('REPORT_NOT_EDITABLE');
    expect(error.hint).toMatch(/alpha-copy/);
  });

  it('refuses an invalid draft before writing anything', async () => {
    const library = new ReportLibrary({ shippedDir, savedDir });
    const error = await rejection(library.save({ ...draft('bad'), sql: 'SELECT :other AS label, 1 AS n' }));
    expect(error.code).toBe('REPORT_INVALID');
    expect(() => readdirSync(savedDir)).toThrow();
  });

  it('asks the cache to check the SQL, and checks the chart against the columns it returns', async () => {
    const checked: string[] = [];
    const library = new ReportLibrary({
      shippedDir,
      savedDir,
      check: (sql) => {
        checked.push(sql);
        if (sql.includes('nope')) return Promise.reject(new BacklineError('REPORT_SQL_ERROR', 'no such column: nope'));
        return Promise.resolve({ columns: ['label', 'n'] });
      },
    });
    await library.save(draft('fine'));
    expect(checked).toEqual(['SELECT :q AS label, 1 AS n']);
    expect((await rejection(library.save({ ...draft('sql'), sql: 'SELECT :q AS label, nope AS n' }))).code).toBe('REPORT_SQL_ERROR');
    const chart = await rejection(library.save({ ...draft('chart'), chart: { kind: 'line', x: 'label', y: ['n', 'missing'], series: null } }));
    expect(chart.code).toBe('REPORT_INVALID');
    expect(chart.message).toMatch(/"missing", which the SQL does not return \(it returns label, n\)/);
    expect(readdirSync(savedDir)).toEqual(['fine.sql']);
  });

  it('saves before the first sync, when there is no cache to check against', async () => {
    const library = new ReportLibrary({ shippedDir, savedDir, check: () => Promise.reject(new BacklineError('REPORTING_CACHE_EMPTY')) });
    expect((await library.save(draft('early'))).id).toBe('early');
  });

  it('removes saved reports only', async () => {
    const library = new ReportLibrary({ shippedDir, savedDir, extraDirs: [shareDir] });
    await library.save(draft('gone'));
    library.remove('gone');
    expect(thrown(() => library.get('gone')).code).toBe('NOT_FOUND');
    expect(thrown(() => library.remove('gone')).code).toBe('NOT_FOUND');
    expect(thrown(() => library.remove('alpha')).code).toBe('REPORT_NOT_EDITABLE');
    expect(thrown(() => library.remove('shared-one')).message).toMatch(/shared folder/);
    expect(library.list().reports.map((r) => r.id)).toEqual(['alpha', 'zeta', 'shared-one']);
  });

  it('imports a shared file under an id from its name, keeping it as written, and refuses to overwrite unless asked', async () => {
    const library = new ReportLibrary({ shippedDir, savedDir });
    const content = '-- title: From a teammate\n-- param: q text required "Q"\n\n-- their own comment\nSELECT :q AS v\n';
    const imported = await library.importFile('C:\\Users\\sam\\SSL lookup v2.sql', content);
    expect(imported).toMatchObject({ id: 'ssl-lookup-v2', origin: 'saved', title: 'From a teammate', file: join(savedDir, 'ssl-lookup-v2.sql') });
    expect(readFileSync(join(savedDir, 'ssl-lookup-v2.sql'), 'utf8')).toBe(content);
    expect(library.fileOf('ssl-lookup-v2')).toEqual({ fileName: 'ssl-lookup-v2.sql', content });

    const again = await rejection(library.importFile('ssl-lookup-v2.sql', content.replace('teammate', 'second')));
    expect(again.code).toBe('ALREADY_EXISTS');
    expect(again.hint).toMatch(/replace/);
    expect((await library.importFile('ssl-lookup-v2.sql', content.replace('teammate', 'second'), { replace: true })).title).toBe('From a second');

    expect((await rejection(library.importFile('alpha.sql', content, { replace: true }))).code).toBe('REPORT_NOT_EDITABLE');
    expect((await rejection(library.importFile('broken.sql', '-- title: B\nSELECT :q'))).code).toBe('REPORT_INVALID');
    expect((await rejection(library.importFile('__.sql', content))).code).toBe('VALIDATION_FAILED');
    expect(readdirSync(savedDir)).toEqual(['ssl-lookup-v2.sql']);
  });

  it('gives any report as its file for sharing, and NOT_FOUND for an unknown id', () => {
    const library = new ReportLibrary({ shippedDir, savedDir });
    expect(library.fileOf('alpha')).toEqual({ fileName: 'alpha.sql', content: file('Alpha shipped') });
    const error = thrown(() => library.fileOf('nope'));
    expect(error.code).toBe('NOT_FOUND');
  });

  it('never follows a symlink out of a report folder, nor reads what is not a plain file', () => {
    const outside = join(dir.path, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.sql'), file('Looks like a report'));
    symlinkSync('/etc/passwd', join(shareDir, 'passwd.sql'));
    symlinkSync(join(outside, 'secret.sql'), join(shareDir, 'leak.sql'));
    symlinkSync('../outside/secret.sql', join(shareDir, 'relative.sql'));
    symlinkSync(outside, join(shareDir, 'folder.sql'));
    // Inside the folder a link is fine: a team may keep "current.sql" pointing at a version.
    symlinkSync('shared-one.sql', join(shareDir, 'current.sql'));
    execFileSync('mkfifo', [join(shareDir, 'fifo.sql')]);
    const library = new ReportLibrary({ shippedDir, savedDir, extraDirs: [shareDir] });
    for (const id of ['passwd', 'leak', 'relative', 'folder', 'fifo']) {
      const error = thrown(() => library.fileOf(id));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).not.toMatch(/root:/);
      expect(thrown(() => library.get(id)).code).toBe('NOT_FOUND');
    }
    const { reports, problems } = library.list();
    expect(reports.map((r) => r.id)).toEqual(['alpha', 'zeta', 'current', 'shared-one']);
    expect(library.fileOf('current').content).toBe(file('Shared one'));
    const why = new Map(problems.map((p) => [p.file, p.message]));
    expect(why.get(join(shareDir, 'passwd.sql'))).toMatch(/points outside the folder/);
    expect(why.get(join(shareDir, 'leak.sql'))).toMatch(/points outside the folder/);
    expect(why.get(join(shareDir, 'relative.sql'))).toMatch(/points outside the folder/);
    expect(why.get(join(shareDir, 'folder.sql'))).toMatch(/not a plain file|points outside the folder/);
    expect(why.get(join(shareDir, 'fifo.sql'))).toMatch(/not a plain file/);
    expect(problems).toHaveLength(5);
  });

  it('reads a share that is itself a symlink to a folder', () => {
    const link = join(dir.path, 'share-link');
    symlinkSync(shareDir, link);
    const library = new ReportLibrary({ shippedDir, savedDir, extraDirs: [link] });
    expect(library.list()).toMatchObject({ problems: [], reports: [{ id: 'alpha' }, { id: 'zeta' }, { id: 'shared-one', file: join(link, 'shared-one.sql') }] });
    expect(library.fileOf('shared-one').content).toBe(file('Shared one'));
  });

  it('finds the shipped reports next to its module by default', () => {
    const library = new ReportLibrary({ savedDir });
    const { reports, problems } = library.list();
    expect(problems).toEqual([]);
    expect(reports.map((r) => r.id).sort()).toEqual(['queue-at', 'queue-over-time', 'ssl-lookup', 'team-aliases', 'tech-by-tech', 'tech-reflection']);
    expect(reports.every((r) => r.origin === 'shipped')).toBe(true);
  });
});
