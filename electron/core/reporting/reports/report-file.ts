export { idFromFileName } from '../../../../shared/domain/report.js';
import {
  parseLookup,
  reportDefinitionSchema,
  reportDraftSchema,
  reportParamTypes,
  type ReportChart,
  type ReportDefinition,
  type ReportDraft,
  type ReportParam,
  type ReportParamType,
} from '../../../../shared/domain/report.js';
import { BacklineError, type ErrorIssue } from '../../../../shared/errors.js';
import { parseParamValue } from './params.js';
import { queryRefusal, scanSql } from './sql-scan.js';

/**
 * A saved report is a plain `.sql` file, shareable like any other: a header of `--` lines, then the
 * SQL. Its id is the file name without `.sql`.
 *
 *   -- title: SSL certificate lookup
 *   -- description: Finds a certificate by domain, serial or order number,
 *   -- description: with its internal tracking entries.
 *   -- param: q text required "Domain, serial or order number"
 *   -- param: from date optional "From (day)" default=2024-01-01
 *   -- param: team text optional "Team (any of its names)" lookup=team_names.name
 *   -- chart: line x=day y=comments,points series=team
 *
 *   SELECT ...
 *
 * The header is the run of `--` lines at the top, each `-- key: value` with key one of title,
 * description, param or chart; it ends at the first line that is not a `--` line (a blank line, or
 * the SQL). Any other `--` line inside the header is an error rather than silently becoming SQL, so
 * a misspelt `-- parm:` is caught. Several `description:` lines are joined with newlines (one line
 * of the description each), and every value is trimmed.
 *
 * Params: `name type required|optional "Label"` then optionally `default=value` and `lookup=table.column`
 * (a given value must exist there, compared ignoring case; see lookups.ts). Labels and values
 * with spaces or quotes are written as JSON strings ("a \"quoted\" word"). Chart: `line|bar x=col
 * y=col[,col...]` and optionally `series=col`; a column with spaces or commas is a JSON string.
 */

export interface ReportFileOrigin {
  id: string;
  origin: ReportDefinition['origin'];
  file: string;
}

const HEADER_KEYS = ['title', 'description', 'param', 'chart'] as const;
const HEADER_HELP = 'Header lines are "-- title: ...", "-- description: ...", "-- param: ..." or "-- chart: ..."';
const PARAM_HELP = 'Write it as: -- param: name text|integer|number|date|datetime required|optional "Label" [default=value] [lookup=table.column]';
const CHART_HELP = 'Write it as: -- chart: line|bar x=column y=column[,column...] [series=column]';

class LineError extends Error {}

/** Reads `word`, a JSON string, or (for chart lists) a word without commas, from a header value. */
class Cursor {
  private at = 0;
  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] ?? '')) this.at++;
  }
  done(): boolean {
    this.skipSpace();
    return this.at >= this.text.length;
  }
  peek(s: string): boolean {
    return this.text.startsWith(s, this.at);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.at += s.length;
    return true;
  }
  /** A JSON string if it starts with a quote, else characters up to whitespace (or a stop character). */
  value(stop = ''): string {
    if (this.peek('"')) {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(this.text.slice(this.at));
      if (!m) throw new LineError('A quoted value is never closed: end it with " (write \\" for a quote inside).');
      this.at += m[0].length;
      try {
        return JSON.parse(m[0]) as string;
      } catch {
        throw new LineError(`${m[0]} is not a valid quoted value (escape quotes as \\" and backslashes as \\\\).`);
      }
    }
    const start = this.at;
    while (this.at < this.text.length && !/\s/.test(this.text[this.at] ?? '') && !stop.includes(this.text[this.at] ?? '')) this.at++;
    return this.text.slice(start, this.at);
  }
}

function parseParam(value: string): ReportParam {
  const c = new Cursor(value);
  c.skipSpace();
  const name = c.value();
  c.skipSpace();
  const type = c.value();
  c.skipSpace();
  const presence = c.value();
  c.skipSpace();
  if (!name || !type || !presence || !c.peek('"')) throw new LineError(`A parameter needs a name, a type, required or optional, and a "Label". ${PARAM_HELP}`);
  if (!(reportParamTypes as readonly string[]).includes(type)) throw new LineError(`"${type}" is not a parameter type: use one of ${reportParamTypes.join(', ')}.`);
  if (presence !== 'required' && presence !== 'optional') throw new LineError(`Write "required" or "optional" after the type, not "${presence}".`);
  const label = c.value();
  let def: string | null = null;
  let lookup: string | null = null;
  while (!c.done()) {
    if (c.eat('default=')) {
      if (def !== null) throw new LineError('default= is given twice.');
      def = c.value();
    } else if (c.eat('lookup=')) {
      if (lookup !== null) throw new LineError('lookup= is given twice.');
      lookup = c.value();
      if (!parseLookup(lookup)) throw new LineError(`lookup=${lookup.slice(0, 60)} is not table.column (e.g. lookup=team_names.name).`);
    } else throw new LineError(`Only default=value and lookup=table.column may follow the label (quote a default that has spaces: default="a b"). ${PARAM_HELP}`);
  }
  const param: ReportParam = { name, type: type as ReportParamType, label, required: presence === 'required', default: def };
  if (lookup !== null) param.lookup = lookup;
  return param;
}

function parseChart(value: string): ReportChart {
  const c = new Cursor(value);
  c.skipSpace();
  const kind = c.value();
  if (kind !== 'line' && kind !== 'bar') throw new LineError(`A chart is "line" or "bar", not "${kind}". ${CHART_HELP}`);
  const chart: { kind: 'line' | 'bar'; x?: string; y?: string[]; series: string | null } = { kind, series: null };
  while (!c.done()) {
    const key = c.value('=');
    if (!c.eat('=')) throw new LineError(`"${key}" needs a value (${key}=column). ${CHART_HELP}`);
    if (key === 'x') chart.x = c.value();
    else if (key === 'series') chart.series = c.value();
    else if (key === 'y') {
      const ys = [c.value(',')];
      while (c.eat(',')) ys.push(c.value(','));
      chart.y = ys;
    } else throw new LineError(`A chart takes x=, y= and series=, not "${key}=". ${CHART_HELP}`);
  }
  if (!chart.x || !chart.y || chart.y.some((y) => !y)) throw new LineError(`A chart needs x=column and y=column. ${CHART_HELP}`);
  return { kind: chart.kind, x: chart.x, y: chart.y, series: chart.series || null };
}

function invalid(message: string, issues?: ErrorIssue[]): BacklineError {
  return new BacklineError('REPORT_INVALID', message, issues ? { issues } : {});
}

/** Reads a report file. Throws REPORT_INVALID naming the line and what to write instead. */
export function parseReportFile(text: string, where: ReportFileOrigin): ReportDefinition {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let title: string | null = null;
  const description: string[] = [];
  const params: ReportParam[] = [];
  let chart: ReportChart | null = null;
  let titleLine = 0;
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
  for (; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (!line.startsWith('--')) break;
    const lineNo = i + 1;
    const m = /^--\s*([A-Za-z_-]+)\s*:(.*)$/.exec(line);
    const key = m?.[1]?.toLowerCase();
    if (!m || !(HEADER_KEYS as readonly string[]).includes(key ?? '')) {
      throw invalid(
        `Line ${lineNo}: "${line.slice(0, 60)}" is not a header line. ${HEADER_HELP}; leave a blank line after the header before other comments or the SQL.`,
      );
    }
    const value = (m[2] ?? '').trim();
    try {
      if (key === 'title') {
        if (title !== null) throw new LineError(`The title is given twice (first on line ${titleLine}); keep one "-- title:" line.`);
        title = value;
        titleLine = lineNo;
      } else if (key === 'description') description.push(value);
      else if (key === 'param') params.push(parseParam(value));
      else if (key === 'chart') {
        if (chart) throw new LineError('There is already a chart line; a report draws one chart.');
        chart = parseChart(value);
      }
    } catch (error) {
      if (error instanceof LineError) throw invalid(`Line ${lineNo}: ${error.message}`);
      throw error;
    }
  }
  if (title === null) throw invalid('The file has no "-- title: ..." line: start it with one, e.g. "-- title: Tickets per team".');
  const sql = lines.slice(i).join('\n').trim();
  const draft = validateDraft({ id: where.id, title, description: description.join('\n').trim(), params, chart, sql });
  return reportDefinitionSchema.parse({ ...draft, origin: where.origin, file: where.file });
}

/** Writes a report file that parseReportFile reads back as the same draft. */
export function serializeReport(draft: ReportDraft): string {
  const d = validateDraft(draft);
  const quoteIfNeeded = (s: string, stop = '') => (s === '' || /[\s"\\]/.test(s) || [...stop].some((ch) => s.includes(ch)) ? JSON.stringify(s) : s);
  const out = [`-- title: ${d.title}`];
  if (d.description) for (const line of d.description.split('\n')) out.push(`-- description: ${line.trim()}`.trimEnd());
  for (const p of d.params) {
    const def = p.default === null ? '' : ` default=${quoteIfNeeded(p.default)}`;
    const lookup = p.lookup ? ` lookup=${p.lookup}` : '';
    out.push(`-- param: ${p.name} ${p.type} ${p.required ? 'required' : 'optional'} ${JSON.stringify(p.label)}${def}${lookup}`);
  }
  if (d.chart) {
    const ys = d.chart.y.map((y) => quoteIfNeeded(y, ',')).join(',');
    out.push(`-- chart: ${d.chart.kind} x=${quoteIfNeeded(d.chart.x)} y=${ys}${d.chart.series ? ` series=${quoteIfNeeded(d.chart.series)}` : ''}`);
  }
  // The blank line keeps a leading SQL comment from being read as a header line.
  return `${out.join('\n')}\n\n${d.sql}\n`;
}

/**
 * Checks a draft can be saved and run: the schema, one statement that is a query, every parameter
 * it uses declared and every declared one used, defaults valid for their type. Returns the draft as
 * the schema normalises it (trimmed); throws REPORT_INVALID with one issue per problem.
 */
export function validateDraft(draft: ReportDraft): ReportDraft {
  const parsed = reportDraftSchema.safeParse(draft);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw invalid(`The report is not complete: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
  }
  const d = parsed.data;
  // Normalise what the file format trims, so that a draft and its file read back the same.
  const normal: ReportDraft = {
    ...d,
    description: d.description
      .split(/\r?\n/)
      .map((l) => l.trim())
      .join('\n')
      .trim(),
    params: d.params.map((p) => ({ ...p, label: p.label.trim(), default: p.default === null ? null : p.default.trim() || null })),
  };
  const issues: ErrorIssue[] = [];
  if (/[\r\n]/.test(normal.title)) issues.push({ path: 'title', message: 'The title is one line.' });
  const scan = scanSql(normal.sql);
  if (scan.unterminated) issues.push({ path: 'sql', message: `The SQL has ${scan.unterminated} that is never closed.` });
  if (scan.statements !== 1) issues.push({ path: 'sql', message: `A report is exactly one statement; this SQL has ${scan.statements}. Remove the extra ones (a trailing ; is fine).` });
  else {
    const refusal = queryRefusal(scan);
    if (refusal) issues.push({ path: 'sql', message: refusal });
  }
  if (scan.positional.length) issues.push({ path: 'sql', message: `Use named parameters (:name) instead of ${scan.positional[0]}, and declare them with "-- param:".` });
  const declared = new Map<string, ReportParam>();
  for (const p of normal.params) {
    if (declared.has(p.name)) issues.push({ path: `params.${p.name}`, message: `The parameter ${p.name} is declared twice.` });
    declared.set(p.name, p);
    if (!scan.named.includes(p.name)) issues.push({ path: `params.${p.name}`, message: `The parameter ${p.name} is declared but the SQL never uses :${p.name}; use it or remove it.` });
    if (p.default !== null) {
      const value = parseParamValue(p.type, p.default);
      if (!value.ok) issues.push({ path: `params.${p.name}`, message: `Its default: ${value.message}` });
    }
  }
  for (const name of scan.named) {
    if (!declared.has(name)) issues.push({ path: 'sql', message: `The SQL uses :${name} but no parameter declares it; add "-- param: ${name} text required \\"Label\\"".` });
  }
  if (issues.length) throw invalid(issues.map((i) => i.message).join(' '), issues);
  return normal;
}
