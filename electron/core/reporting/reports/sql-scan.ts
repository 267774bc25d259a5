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
      skipQuoted("'", 'a string literal');
    } else if (ch === '"') {
      code();
      skipQuoted('"', 'a "quoted" identifier');
    } else if (ch === '`') {
      code();
      skipQuoted('`', 'a `quoted` identifier');
    } else if (ch === '[') {
      code();
      skipQuoted(']', 'a [bracketed] identifier');
    } else if (ch === ';') {
      codeInStatement = false;
      i++;
    } else if ((ch === ':' || ch === '@' || ch === '$') && identStart.test(next)) {
      code();
      let j = i + 1;
      while (j < n && identPart.test(sql[j] ?? '')) j++;
      const name = sql.slice(i + 1, j);
      if (!named.includes(name)) named.push(name);
      i = j;
    } else if (ch === '?') {
      code();
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j] ?? '')) j++;
      positional.push(sql.slice(i, j));
      i = j;
    } else if (identStart.test(ch)) {
      code();
      let j = i + 1;
      while (j < n && identPart.test(sql[j] ?? '')) j++;
      if (statements === 1 && firstKeyword === '') firstKeyword = sql.slice(i, j).toUpperCase();
      i = j;
    } else if (/\s/.test(ch)) {
      i++;
    } else {
      code();
      // A number such as 1e5 or x'AB' needs no care: its letters are read as a word, harmlessly.
      if (statements === 1 && firstKeyword === '') firstKeyword = ch;
      i++;
    }
  }
  return { named, positional, statements, firstKeyword, unterminated };
}

/** The :name/@name/$name parameters the SQL uses, in order of first use, without the prefix. */
export function placeholders(sql: string): string[] {
  return scanSql(sql).named;
}

/** Statements a report may be: a query. EXPLAIN shows a plan and runs nothing. */
export const QUERY_KEYWORDS: readonly string[] = ['SELECT', 'WITH', 'VALUES', 'EXPLAIN'];
