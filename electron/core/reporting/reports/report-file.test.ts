import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReportDraft } from '../../../../shared/domain/report.js';
import { idFromFileName, parseReportFile, serializeReport, validateDraft } from './report-file.js';
import { placeholders, scanSql } from './sql-scan.js';
import { thrown } from '../../testing/backline-errors.js';

const where = { id: 'ssl-lookup', origin: 'saved' as const, file: '/reports/ssl-lookup.sql' };

const EXAMPLE = `-- title: SSL certificate lookup
-- description: Finds a certificate by domain, serial or order number,
-- description: with its internal tracking entries (story 3).
-- param: q text required "Domain, serial or order number"
-- param: from date optional "From (day)" default=2024-01-01
-- chart: line x=day y=comments,points series=team
SELECT domain AS day, 1 AS comments, 2 AS points, 'x' AS team
FROM ssl_certificates
WHERE domain = :q AND issued_at >= :from
`;

describe('parseReportFile', () => {
  it('reads the header and the SQL', () => {
    const report = parseReportFile(EXAMPLE, where);
    expect(report).toEqual({
      id: 'ssl-lookup',
      origin: 'saved',
      file: '/reports/ssl-lookup.sql',
      title: 'SSL certificate lookup',
      description: 'Finds a certificate by domain, serial or order number,\nwith its internal tracking entries (story 3).',
      params: [
        { name: 'q', type: 'text', label: 'Domain, serial or order number', required: true, default: null },
        { name: 'from', type: 'date', label: 'From (day)', required: false, default: '2024-01-01' },
      ],
      chart: { kind: 'line', x: 'day', y: ['comments', 'points'], series: 'team' },
      sql: "SELECT domain AS day, 1 AS comments, 2 AS points, 'x' AS team\nFROM ssl_certificates\nWHERE domain = :q AND issued_at >= :from",
    });
  });

  it('accepts CRLF, a BOM, leading blank lines, a blank line after the header and comments in the SQL', () => {
    const text = '\uFEFF\r\n-- title: T\r\n-- param: q text required "Q"\r\n\r\n-- a comment about :nothing\r\nSELECT :q AS v;\r\n';
    const report = parseReportFile(text, where);
    expect(report.title).toBe('T');
    expect(report.sql).toBe('-- a comment about :nothing\nSELECT :q AS v;');
    expect(report.chart).toBeNull();
    expect(report.description).toBe('');
  });

  it.each([
    ['-- title: T\n-- parm: q text required "Q"\nSELECT :q', /Line 2: .*not a header line/],
    ['-- title: T\n-- just a comment\nSELECT 1', /Line 2: .*not a header line.*blank line/],
    ['-- description: no title\nSELECT 1', /no "-- title: \.\.\." line/],
    ['-- title: T\n-- title: U\nSELECT 1', /Line 2: The title is given twice \(first on line 1\)/],
    ['-- title: T\n-- param: q txt required "Q"\nSELECT :q', /Line 2: "txt" is not a parameter type: use one of text, integer/],
    ['-- title: T\n-- param: q text needed "Q"\nSELECT :q', /Line 2: Write "required" or "optional"/],
    ['-- title: T\n-- param: q text required Q\nSELECT :q', /Line 2: A parameter needs a name, a type, required or optional, and a "Label"/],
    ['-- title: T\n-- param: q text required "Q\nSELECT :q', /Line 2: A quoted value is never closed/],
    ['-- title: T\n-- param: q text required "Q" dflt=1\nSELECT :q', /Line 2: Only default=value and lookup=table.column may follow the label/],
    ['-- title: T\n-- param: q text required "Q" lookup=teams\nSELECT :q', /Line 2: lookup=teams is not table.column \(e.g. lookup=team_names.name\)/],
    ['-- title: T\n-- param: q text required "Q" lookup="a b.c"\nSELECT :q', /Line 2: lookup=a b.c is not table.column/],
    ['-- title: T\n-- param: q text required "Q" lookup=a.b lookup=c.d\nSELECT :q', /Line 2: lookup= is given twice/],
    ['-- title: T\n-- param: q text required "Q" default=1 default=2\nSELECT :q', /Line 2: default= is given twice/],
    ['-- title: T\n-- param: n integer optional "N" default=abc\nSELECT :n', /Its default: "abc" is not a whole number/],
    ['-- title: T\n-- chart: pie x=a y=b\nSELECT 1 AS a, 2 AS b', /Line 2: A chart is "line" or "bar", not "pie"/],
    ['-- title: T\n-- chart: line x=a\nSELECT 1 AS a', /Line 2: A chart needs x=column and y=column/],
    ['-- title: T\n-- chart: line x=a y=b colour=red\nSELECT 1 AS a', /Line 2: A chart takes x=, y= and series=, not "colour="/],
    ['-- title: T\nSELECT :q', /uses :q but no parameter declares it/],
    ['-- title: T\n-- param: q text required "Q"\nSELECT 1', /declared but the SQL never uses :q/],
    ['-- title: T\n-- param: q text required "Q"\n-- param: q text optional "Q2"\nSELECT :q', /declared twice/],
    ['-- title: T\nSELECT 1; SELECT 2', /exactly one statement; this SQL has 2/],
    ['-- title: T\nDELETE FROM tickets', /A report is a query: start it with SELECT or WITH, not DELETE/],
    ['-- title: T\nSELECT ?', /Use named parameters \(:name\) instead of \?/],
    ["-- title: T\nSELECT 'open", /a string literal that is never closed/],
    ['-- title: T\n', /Write the SELECT this report runs/],
  ])('refuses %j, saying what to write', (text, message) => {
    const error = thrown(() => parseReportFile(text, where));
    expect(error.code).toBe('REPORT_INVALID');
    expect(error.message).toMatch(message);
  });
});

describe('serializeReport', () => {
  const draft: ReportDraft = {
    id: 'tricky',
    title: 'A "quoted" title: with colon',
    description: 'First line\nSecond line with "quotes" and \\ backslash',
    params: [
      { name: 'q', type: 'text', label: 'He said "hi" \\ and left', required: true, default: null },
      { name: 'n', type: 'integer', label: 'N', required: false, default: '10' },
      { name: 's', type: 'text', label: 'With default', required: false, default: 'two words "and" quotes' },
      { name: 'at', type: 'datetime', label: 'At', required: false, default: '2024-03-01 09:30' },
      { name: 'team', type: 'text', label: 'Team', required: false, default: 'N-1', lookup: 'team_names.name' },
    ],
    chart: { kind: 'bar', x: 'the day', y: ['a,b', 'plain'], series: 'who "is" it' },
    sql: "-- starts with a comment :not_a_param\nSELECT :q AS \"the day\", :n AS \"a,b\", :s AS plain, :at AS \"who \"\"is\"\" it\", ':x' AS lit, :team AS team",
  };

  it('round-trips, including quotes, commas and spaces in labels, defaults and chart columns', () => {
    const text = serializeReport(draft);
    const back = parseReportFile(text, { id: 'tricky', origin: 'saved', file: 'f' });
    const { origin: _o, file: _f, ...rest } = back;
    expect(rest).toEqual(draft);
    expect(serializeReport(rest)).toBe(text);
  });

  it('writes the documented format', () => {
    const text = serializeReport({ ...draft, title: 'T', description: '', params: [draft.params[1]!], chart: { kind: 'line', x: 'day', y: ['a', 'b'], series: null }, sql: 'SELECT :n AS day, 1 AS a, 2 AS b' });
    expect(text).toBe('-- title: T\n-- param: n integer optional "N" default=10\n-- chart: line x=day y=a,b\n\nSELECT :n AS day, 1 AS a, 2 AS b\n');
    expect(serializeReport({ ...draft, title: 'T', description: '', params: [draft.params[4]!], chart: null, sql: 'SELECT :team AS t' })).toBe(
      '-- title: T\n-- param: team text optional "Team" default=N-1 lookup=team_names.name\n\nSELECT :team AS t\n',
    );
  });

  it('reads lookup= before or after default=', () => {
    const text = '-- title: T\n-- param: team text optional "Team" lookup=team_names.name default="N-1"\nSELECT :team AS t';
    expect(parseReportFile(text, where).params).toEqual([{ name: 'team', type: 'text', label: 'Team', required: false, default: 'N-1', lookup: 'team_names.name' }]);
  });

  it('round-trips every shipped report', () => {
    const dir = new URL('./shipped/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const name of files) {
      const id = name.replace(/\.sql$/, '');
      const report = parseReportFile(readFileSync(new URL(name, dir), 'utf8'), { id, origin: 'shipped', file: name });
      const { origin: _o, file: _f, ...draftOf } = report;
      const again = parseReportFile(serializeReport(draftOf), { id, origin: 'shipped', file: name });
      expect(again, name).toEqual(report);
    }
  });
});

describe('validateDraft', () => {
  const base: ReportDraft = { id: 'x', title: 'X', description: '', params: [], chart: null, sql: 'SELECT 1 AS one' };

  it('accepts a query with a trailing semicolon and normalises what the file trims', () => {
    expect(validateDraft({ ...base, sql: '  SELECT 1 AS one;  -- done\n', description: ' a \n b ' })).toEqual({ ...base, sql: 'SELECT 1 AS one;  -- done', description: 'a\nb' });
  });

  it('gives one issue per problem', () => {
    const error = thrown(() =>
      validateDraft({
        ...base,
        params: [{ name: 'unused', type: 'text', label: 'U', required: false, default: null }],
        sql: 'SELECT :missing',
      }),
    );
    expect(error.code).toBe('REPORT_INVALID');
    expect(error.issues).toEqual([
      { path: 'params.unused', message: expect.stringMatching(/never uses :unused/) as unknown },
      { path: 'sql', message: expect.stringMatching(/uses :missing/) as unknown },
    ]);
  });

  it.each(['EXPLAIN PRAGMA query_only = 0', 'explain query plan pragma case_sensitive_like = 1', 'EXPLAIN SELECT 1', 'EXPLAIN QUERY PLAN VACUUM', 'EXPLAIN QUERY PLAN (SELECT 1)'])('allows EXPLAIN only as EXPLAIN QUERY PLAN of a query: refuses %s', (sql) => {
    const error = thrown(() => validateDraft({ ...base, sql }));
    expect(error.issues).toEqual([{ path: 'sql', message: 'EXPLAIN is allowed only as EXPLAIN QUERY PLAN before a SELECT or WITH.' }]);
  });

  it.each(['EXPLAIN QUERY PLAN SELECT 1', 'explain /* how */ query\nplan with x as (select 1) select * from x', 'VALUES (1)'])('accepts %s', (sql) => {
    expect(validateDraft({ ...base, sql }).sql).toBe(sql);
  });

  it('refuses a bad id or an empty title through the schema', () => {
    const error = thrown(() => validateDraft({ ...base, id: 'Bad Id', title: ' ' }));
    expect(error.code).toBe('REPORT_INVALID');
    expect(error.issues?.map((i) => i.path).sort()).toEqual(['id', 'title']);
  });
});

describe('placeholders', () => {
  it('finds :name, @name and $name once each, in order', () => {
    expect(placeholders('SELECT :a, @b, $c, :a, :a_1 FROM t WHERE x = :b2')).toEqual(['a', 'b', 'c', 'a_1', 'b2']);
  });

  it('ignores string literals, quoted identifiers and comments', () => {
    const sql = `SELECT ':no', 'it''s :no', "col :no", \`b :no\`, [br :no], x'3A6E6F'
      -- :no in a line comment
      /* :no in a block
         comment */ , :yes, strftime('%H:%M', :at) FROM t -- trailing :no`;
    expect(placeholders(sql)).toEqual(['yes', 'at']);
  });

  it('counts statements and reads the first keyword', () => {
    expect(scanSql('/* c */ with x as (select 1) select * from x;').firstKeyword).toBe('WITH');
    expect(scanSql('SELECT 1; -- only a comment after').statements).toBe(1);
    expect(scanSql("SELECT ';'; SELECT 2").statements).toBe(2);
    expect(scanSql('SELECT ?1, ?').positional).toEqual(['?1', '?']);
    expect(scanSql('-- plan\nexplain /* a */ query plan select 1, 2').leadingWords).toEqual(['EXPLAIN', 'QUERY', 'PLAN', 'SELECT']);
    expect(scanSql("EXPLAIN 'QUERY' PLAN SELECT").leadingWords).toEqual(['EXPLAIN']);
    expect(scanSql('EXPLAIN; QUERY PLAN SELECT 1').leadingWords).toEqual(['EXPLAIN']);
  });
});

describe('idFromFileName', () => {
  it.each([
    ['ssl-lookup.sql', 'ssl-lookup'],
    ['My Report (v2).SQL', 'my-report-v2'],
    ['C:\\Users\\me\\Tech Reflection.sql', 'tech-reflection'],
    ['/tmp/__.sql', ''],
  ])('%s → %s', (name, id) => expect(idFromFileName(name)).toBe(id));
});
