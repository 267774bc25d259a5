/**
 * A small lexical scan of SQLite SQL: just enough to find parameters, statements and the leading
 * keyword while skipping what SQLite never reads as code (string literals, quoted identifiers,
 * comments). Pure; it does not parse SQL, SQLite's own prepare is the judge of validity.
 */

export interface SqlScan {
  /** Named parameters (:name, @name, $name) in order of first use, without their prefix. */
  named: string[];
  /** Positional parameters (? and ?NNN) as written; reports only bind by name. */
  positional: string[];
  /** Statements with code in them (a trailing `;` or a comment after it does not count). */
  statements: number;
  /** The first keyword of the first statement, upper-cased ('' when there is none). */
  firstKeyword: string;
  /** The words the first statement starts with, upper-cased, up to the first other token (at most 4). */
  leadingWords: string[];
  /** Set when a quote or block comment is never closed. */
  unterminated: string | null;
}

const identStart = /[A-Za-z_]/;
const identPart = /[A-Za-z0-9_]/;

export function scanSql(sql: string): SqlScan {
  const named: string[] = [];
  const positional: string[] = [];
  let statements = 0;
  let codeInStatement = false;
  let firstKeyword = '';
  const leadingWords: string[] = [];
  // Still reading the first statement's leading words: no other token has come yet.
  let leading = true;
  let unterminated: string | null = null;
  let i = 0;
  const n = sql.length;

  const code = () => {
    if (!codeInStatement) {
      codeInStatement = true;
      statements++;
    }
  };
  // Quotes are closed by the same character, doubled to escape it ('it''s', "a""b", `a``b`).
  const skipQuoted = (close: string, what: string) => {
    i++;
    for (;;) {
      const at = sql.indexOf(close, i);
      if (at < 0) {
        unterminated = what;
        i = n;
        return;
      }
      if (close !== ']' && sql[at + 1] === close) {
        i = at + 2;
        continue;
      }
      i = at + 1;
      return;
    }
  };

  while (i < n) {
    const ch = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) {
        unterminated = 'a /* comment';
        i = n;
      } else i = end + 2;
    } else if (ch === "'") {
      code();
      leading = false;
      skipQuoted("'", 'a string literal');
    } else if (ch === '"') {
      code();
      leading = false;
      skipQuoted('"', 'a "quoted" identifier');
    } else if (ch === '`') {
      code();
      leading = false;
      skipQuoted('`', 'a `quoted` identifier');
    } else if (ch === '[') {
      code();
      leading = false;
      skipQuoted(']', 'a [bracketed] identifier');
    } else if (ch === ';') {
      codeInStatement = false;
      if (statements > 0) leading = false;
      i++;
    } else if ((ch === ':' || ch === '@' || ch === '$') && identStart.test(next)) {
      code();
      leading = false;
      let j = i + 1;
      while (j < n && identPart.test(sql[j] ?? '')) j++;
      const name = sql.slice(i + 1, j);
      if (!named.includes(name)) named.push(name);
      i = j;
    } else if (ch === '?') {
      code();
      leading = false;
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j] ?? '')) j++;
      positional.push(sql.slice(i, j));
      i = j;
    } else if (identStart.test(ch)) {
      code();
      let j = i + 1;
      while (j < n && identPart.test(sql[j] ?? '')) j++;
      const word = sql.slice(i, j).toUpperCase();
      if (statements === 1 && firstKeyword === '') firstKeyword = word;
      if (leading && leadingWords.length < 4) leadingWords.push(word);
      i = j;
    } else if (/\s/.test(ch)) {
      i++;
    } else {
      code();
      // A number such as 1e5 or x'AB' needs no care: its letters are read as a word, harmlessly.
      if (statements === 1 && firstKeyword === '') firstKeyword = ch;
      leading = false;
      i++;
    }
  }
  return { named, positional, statements, firstKeyword, leadingWords, unterminated };
}

/** The :name/@name/$name parameters the SQL uses, in order of first use, without the prefix. */
export function placeholders(sql: string): string[] {
  return scanSql(sql).named;
}

/** What a report may start with: a query. */
export const QUERY_KEYWORDS: readonly string[] = ['SELECT', 'WITH', 'VALUES'];

/**
 * Why this SQL cannot be a report by its first words, or null when it starts as a query may. EXPLAIN
 * is allowed only as EXPLAIN QUERY PLAN before a SELECT or WITH: SQLite applies a PRAGMA while it
 * prepares it, with or without EXPLAIN in front, so `EXPLAIN PRAGMA query_only = 0` would change the
 * report connection without ever being run.
 */
export function queryRefusal(scan: SqlScan): string | null {
  const [first = '', second, third, fourth = ''] = scan.leadingWords;
  if (first === 'EXPLAIN') {
    if (second === 'QUERY' && third === 'PLAN' && (fourth === 'SELECT' || fourth === 'WITH')) return null;
    return 'EXPLAIN is allowed only as EXPLAIN QUERY PLAN before a SELECT or WITH.';
  }
  if (QUERY_KEYWORDS.includes(scan.firstKeyword)) return null;
  return `A report is a query: start it with SELECT or WITH, not ${scan.firstKeyword || 'this'}.`;
}
