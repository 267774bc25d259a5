import { closeSync, constants, existsSync, fchmodSync, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportIdSchema, type ReportDefinition, type ReportDraft } from '../../../../shared/domain/report.js';
import { BacklineError } from '../../../../shared/errors.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../../data-dir.js';
import { lookupSql } from './lookups.js';
import { idFromFileName, parseReportFile, serializeReport, validateDraft } from './report-file.js';

/**
 * The reports an engineer can run: shipped with Backline (read-only), saved in the data folder
 * (their own and imported ones), and read-only folders a team shares. Every report is a `.sql`
 * file (see report-file.ts); the library reads the folders on each call, so a file dropped into a
 * share shows up without a restart. Reads are synchronous: the files are small and few.
 *
 * A report is read only from a plain file inside its folder: a symlink may point at another file in
 * the same folder, never outside it (a share's `passwd.sql -> /etc/passwd` is a problem listed, not
 * a report to hand out), and a FIFO or a device is never opened for reading.
 */
export interface ReportLibraryOptions {
  /** Where the shipped reports are (the build copies shipped/*.sql next to the built JS). */
  shippedDir?: string | URL;
  /** The engineer's own reports, writable. */
  savedDir: string;
  /** Read-only team shares; their reports list as saved ones, after the engineer's own. */
  extraDirs?: string[];
  /** Checks SQL against the cache before saving (ReportRunner.check); `{ columns }` lets a chart be checked too. */
  check?: (sql: string) => Promise<unknown>;
}

export interface ReportProblem {
  file: string;
  message: string;
}

export interface ReportList {
  reports: ReportDefinition[];
  problems: ReportProblem[];
}

interface Folder {
  dir: string;
  origin: ReportDefinition['origin'];
  writable: boolean;
}

interface Found {
  id: string;
  file: string;
  folder: Folder;
}

/** A report file is a header and at most 100,000 characters of SQL; anything much bigger is not one. */
const MAX_REPORT_FILE_BYTES = 1024 * 1024;

class UnreadableReport extends Error {}

/** Whether `path` is `dir` or inside it; both already resolved (realpath). */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** The path an open file descriptor reached, where the system says (Linux); null elsewhere. */
function openedPath(fd: number): string | null {
  const link = `/proc/self/fd/${fd}`;
  if (!existsSync(link)) return null;
  try {
    return readlinkSync(link);
  } catch {
    return null;
  }
}

/**
 * The text of a report file in `dir`, refusing what is not a plain file inside it. The link is
 * resolved before anything is opened (nothing outside the folder is ever opened), the resolved path
 * is opened without following a link and without waiting on a FIFO, and where the system tells
 * which file was opened, that file is checked to be inside the folder too, in case a folder on the
 * way was swapped in between.
 */
function readInFolder(dir: string, file: string): string {
  const realDir = realpathSync(dir);
  const real = realpathSync(file);
  if (!isInside(realDir, real)) throw new UnreadableReport(`it is a link that points outside the folder ${dir}, which Backline does not follow.`);
  const fd = openSync(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UnreadableReport('it is not a plain file.');
    const opened = openedPath(fd);
    if (opened !== null && !isInside(realDir, opened)) throw new UnreadableReport(`it points outside the folder ${dir}, which Backline does not follow.`);
    if (stat.size > MAX_REPORT_FILE_BYTES) throw new UnreadableReport(`it is ${stat.size} bytes, more than a report file can be (1 MiB).`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export class ReportLibrary {
  private readonly shipped: Folder;
  private readonly saved: Folder;
  private readonly shares: Folder[];
  private readonly check: ((sql: string) => Promise<unknown>) | undefined;

  constructor(options: ReportLibraryOptions) {
    const shippedDir = options.shippedDir ?? new URL('./shipped/', import.meta.url);
    this.shipped = { dir: shippedDir instanceof URL ? fileURLToPath(shippedDir) : shippedDir, origin: 'shipped', writable: false };
    this.saved = { dir: options.savedDir, origin: 'saved', writable: true };
    this.shares = (options.extraDirs ?? []).map((dir) => ({ dir, origin: 'shared', writable: false }));
    this.check = options.check;
  }

  /** Shipped reports first, then saved ones, each sorted by title; unreadable files as problems, never hiding the rest. */
  list(): ReportList {
    const problems: ReportProblem[] = [];
    const { found, problems: scanProblems } = this.scan();
    problems.push(...scanProblems);
    const reports: ReportDefinition[] = [];
    for (const entry of found.values()) {
      try {
        reports.push(this.read(entry));
      } catch (error) {
        problems.push({ file: entry.file, message: error instanceof Error ? error.message : String(error) });
      }
    }
    const rank = (r: ReportDefinition) => (r.origin === 'shipped' ? 0 : 1);
    reports.sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
    problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return { reports, problems };
  }

  get(id: string): ReportDefinition {
    return this.read(this.find(id));
  }

  /** Saves the engineer's report (new or changed) as `<id>.sql` in the saved folder. */
  async save(draft: ReportDraft): Promise<ReportDefinition> {
    const valid = validateDraft(draft);
    this.refuseShipped(valid.id, 'save');
    await this.checkSql(valid);
    return this.write(valid.id, serializeReport(valid));
  }

  /** Deletes a saved report; shipped and shared ones cannot be. */
  remove(id: string): void {
    const entry = this.find(id);
    if (!entry.folder.writable) {
      throw new BacklineError('REPORT_NOT_EDITABLE', `"${id}" ${entry.folder.origin === 'shipped' ? 'comes with Backline' : `is in the shared folder ${entry.folder.dir}`} and cannot be deleted here.`, {
        hint: entry.folder.origin === 'shipped' ? 'Shipped reports are always there; save a copy under another id to change one.' : 'Ask its owner, or remove the file from the share.',
      });
    }
    rmSync(entry.file);
  }

  /** Adds a report file a teammate shared; its name gives the id ("SSL lookup v2.sql" → ssl-lookup-v2). */
  async importFile(fileName: string, content: string, options: { replace?: boolean | undefined } = {}): Promise<ReportDefinition> {
    const id = idFromFileName(fileName);
    if (!reportIdSchema.safeParse(id).success) {
      throw new BacklineError('VALIDATION_FAILED', `"${fileName}" does not make a report id.`, {
        issues: [{ path: 'fileName', message: 'Name the file with letters or digits, e.g. ssl-lookup.sql.' }],
      });
    }
    const target = join(this.saved.dir, `${id}.sql`);
    const definition = parseReportFile(content, { id, origin: 'saved', file: target });
    this.refuseShipped(id, 'import');
    if (!options.replace && this.exists(this.saved, id)) {
      throw new BacklineError('ALREADY_EXISTS', `You already have a saved report "${id}".`, { hint: 'Import it with "replace" to overwrite yours, or rename the file first.' });
    }
    await this.checkSql(definition);
    // The file as the teammate wrote it (their comments and layout), now that it is known to be valid.
    return this.write(id, content.replace(/^\uFEFF/, ''));
  }

  /** A report as its shareable file. */
  fileOf(id: string): { fileName: string; content: string } {
    return { fileName: `${id}.sql`, content: this.readText(this.find(id)) };
  }

  private refuseShipped(id: string, action: 'save' | 'import'): void {
    if (!this.exists(this.shipped, id)) return;
    throw new BacklineError('REPORT_NOT_EDITABLE', `"${id}" is a report that comes with Backline, which cannot be replaced.`, {
      hint: action === 'save' ? `Save a copy under another id, e.g. "${id}-copy".` : `Rename the file, e.g. to "${id}-team.sql", and import it again.`,
    });
  }

  /** The cache decides whether the SQL runs; before the first sync there is no cache to ask, and saving is still allowed. */
  private async checkSql(draft: ReportDraft): Promise<void> {
    if (!this.check) return;
    let checked: unknown;
    try {
      checked = await this.check(draft.sql);
    } catch (error) {
      if (error instanceof BacklineError && error.code === 'REPORTING_CACHE_EMPTY') return;
      throw error;
    }
    // Each lookup= is a statement of its own on the cache: a table or column it lacks is said now, not at the first run.
    for (const param of draft.params) {
      if (!param.lookup) continue;
      try {
        await this.check(lookupSql(param.lookup));
      } catch (error) {
        if (!(error instanceof BacklineError) || error.code !== 'REPORT_SQL_ERROR') throw error;
        const why = error.message.replace(/^SQLite could not run this SQL: /, '');
        throw new BacklineError('REPORT_INVALID', `The lookup of ${param.name} (lookup=${param.lookup}) cannot run on the cache: ${why}.`, {
          issues: [{ path: `params.${param.name}`, message: `lookup=${param.lookup}: ${why}. Name table.column of the cache.` }],
        });
      }
    }
    const columns = (checked as { columns?: unknown } | undefined)?.columns;
    if (!draft.chart || !Array.isArray(columns)) return;
    const missing = [draft.chart.x, ...draft.chart.y, ...(draft.chart.series ? [draft.chart.series] : [])].filter((c) => !columns.includes(c));
    if (missing.length) {
      throw new BacklineError('REPORT_INVALID', `The chart names ${missing.map((c) => `"${c}"`).join(', ')}, which the SQL does not return (it returns ${columns.join(', ')}).`, {
        issues: [{ path: 'chart', message: 'Name columns the SQL returns.' }],
      });
    }
  }

  /** Atomic: a reader never sees half a file, and a crash leaves the old one. The folder is 0700 and the file 0600, whatever the umask. */
  private write(id: string, content: string): ReportDefinition {
    makePrivateDir(this.saved.dir);
    const file = join(this.saved.dir, `${id}.sql`);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
      try {
        fchmodSync(fd, PRIVATE_FILE_MODE);
        writeFileSync(fd, content, 'utf8');
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
    return this.read({ id, file, folder: this.saved });
  }

  private read(entry: Found): ReportDefinition {
    return parseReportFile(this.readText(entry), { id: entry.id, origin: entry.folder.origin, file: entry.file });
  }

  private readText(entry: Found): string {
    try {
      return readInFolder(entry.folder.dir, entry.file);
    } catch (error) {
      const why = error instanceof UnreadableReport ? error.message : error instanceof Error ? error.message : String(error);
      const hint = entry.folder.origin === 'shared' ? 'Ask whoever keeps the shared folder to put the report itself there, as a plain .sql file.' : undefined;
      throw new BacklineError('NOT_FOUND', `The report file ${entry.file} could not be read: ${why}`, hint ? { hint } : {});
    }
  }

  private exists(folder: Folder, id: string): boolean {
    try {
      return readdirSync(folder.dir).includes(`${id}.sql`);
    } catch {
      return false;
    }
  }

  private find(id: string): Found {
    const entry = this.scan().found.get(id);
    if (!entry) throw new BacklineError('NOT_FOUND', `There is no report "${id}".`, { hint: 'Pick one from the list of reports; it may have been deleted or renamed.' });
    return entry;
  }

  /**
   * Every report file by id. Shipped wins over saved, saved over shared: a file shadowed by another
   * with the same id is a problem to show, not something to silently pick between.
   */
  private scan(): { found: Map<string, Found>; problems: ReportProblem[] } {
    const found = new Map<string, Found>();
    const problems: ReportProblem[] = [];
    for (const folder of [this.shipped, this.saved, ...this.shares]) {
      let names: string[];
      try {
        names = readdirSync(folder.dir).filter((n) => n.toLowerCase().endsWith('.sql'));
      } catch (error) {
        // The saved folder appears with the first save; a share that cannot be read must be said.
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        if (!(missing && folder.writable)) problems.push({ file: folder.dir, message: `The report folder could not be read: ${(error as Error).message}` });
        continue;
      }
      for (const name of names.sort()) {
        const file = join(folder.dir, name);
        const id = name.slice(0, -4);
        if (!reportIdSchema.safeParse(id).success) {
          problems.push({ file, message: `"${name}" is not a report file name: rename it to "${idFromFileName(name) || 'my-report'}.sql" (lowercase letters, digits and hyphens).` });
          continue;
        }
        const first = found.get(id);
        if (first) {
          problems.push({ file, message: `A report with the id "${id}" already comes from ${first.file}, so this one is not listed; rename one of them.` });
          continue;
        }
        found.set(id, { id, file, folder });
      }
    }
    return { found, problems };
  }
}
