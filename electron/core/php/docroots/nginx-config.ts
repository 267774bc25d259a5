/**
 * Reads `nginx -T`: every configuration file nginx loaded, each after a `# configuration file PATH:`
 * header, verbatim. Files are tokenised as nginx does (quotes with escapes, `#` comments at the start of
 * a word, `${var}` inside words, `;` `{` `}`), then the `server { }` blocks are read for what Backline
 * needs to find PHP code: server_name, listen, root/alias (the server's and its locations'), and where
 * PHP goes (fastcgi_pass, through an `upstream` by name or an `include`d snippet).
 */

export interface NginxDirective {
  name: string;
  args: string[];
  file: string;
  line: number;
  /** Present for a block (`server {`, `location ~ \.php$ {`). */
  children?: NginxDirective[];
}

export interface NginxFile {
  path: string;
  directives: NginxDirective[];
}

export interface NginxRoot {
  path: string;
  /** `root` or `alias`. */
  kind: 'root' | 'alias';
  file: string;
  line: number;
  /** The location it is set in; null at the server's level (or inherited from http). */
  location: string | null;
  inherited: boolean;
  directive: string;
}

export interface NginxServer {
  file: string;
  line: number;
  serverNames: string[];
  listen: string[];
  roots: NginxRoot[];
  /** fastcgi_pass targets, an upstream's name followed by its servers: `shop_php (unix:/run/php/php8.2-fpm.sock)`. */
  fastcgiPass: string[];
}

export interface NginxDump {
  files: NginxFile[];
  servers: NginxServer[];
  unparsed: string[];
}

const HEADER = /^# configuration file (\S.*):$/;

/** Splits the dump into its files, with the line numbers each file's own lines have. */
function splitFiles(dump: string): { files: { path: string; lines: string[] }[]; unparsed: string[] } {
  const files: { path: string; lines: string[] }[] = [];
  const unparsed: string[] = [];
  for (const line of dump.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      files.push({ path: header[1]!, lines: [] });
    } else if (files.length > 0) {
      files.at(-1)!.lines.push(line);
    } else if (line.trim() !== '') {
      unparsed.push(line);
    }
  }
  // nginx -T ends each file with the blank line it prints after it: not the file's own.
  for (const file of files) if (file.lines.at(-1) === '') file.lines.pop();
  return { files, unparsed };
}

type Token = { kind: 'word'; text: string; line: number } | { kind: ';' | '{' | '}'; line: number };

function tokenize(path: string, lines: string[], unparsed: string[]): Token[] {
  const text = lines.join('\n');
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\n') {
      line++;
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
    } else if (ch === ';' || ch === '{' || ch === '}') {
      tokens.push({ kind: ch, line });
      i++;
    } else if (ch === '"' || ch === "'") {
      const start = line;
      let value = '';
      i++;
      while (i < text.length && text.charAt(i) !== ch) {
        if (text.charAt(i) === '\\' && i + 1 < text.length) {
          const next = text.charAt(i + 1);
          // nginx keeps the backslash except before the quote itself and a few escapes.
          value += next === ch || next === '\\' ? next : next === 'n' ? '\n' : next === 't' ? '\t' : `\\${next}`;
          i += 2;
          continue;
        }
        if (text.charAt(i) === '\n') line++;
        value += text.charAt(i++);
      }
      if (i >= text.length) {
        unparsed.push(`${path}:${start}: a quoted value is never closed`);
        return tokens;
      }
      i++;
      tokens.push({ kind: 'word', text: value, line: start });
    } else {
      let value = '';
      while (i < text.length) {
        const c = text.charAt(i);
        if (c === '$' && text.charAt(i + 1) === '{') {
          const end = text.indexOf('}', i);
          if (end < 0) break;
          value += text.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        if (/[\s;{}"']/.test(c)) break;
        if (c === '\\' && i + 1 < text.length) {
          value += text.slice(i, i + 2);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: 'word', text: value, line });
    }
  }
  return tokens;
}

function build(path: string, tokens: Token[], unparsed: string[]): NginxDirective[] {
  const root: NginxDirective[] = [];
  const stack: NginxDirective[][] = [root];
  let words: { text: string; line: number }[] = [];
  for (const token of tokens) {
    const level = stack.at(-1)!;
    if (token.kind === 'word') {
      words.push(token);
      continue;
    }
    if (token.kind === '}') {
      if (words.length > 0) unparsed.push(`${path}:${words[0]!.line}: "${words.map((w) => w.text).join(' ')}" has no ";" before "}"`);
      words = [];
      if (stack.length === 1) unparsed.push(`${path}:${token.line}: a "}" closes no block`);
      else stack.pop();
      continue;
    }
    if (words.length === 0) {
      unparsed.push(`${path}:${token.line}: "${token.kind}" without a directive`);
      continue;
    }
    const [name, ...args] = words;
    const directive: NginxDirective = { name: name!.text, args: args.map((a) => a.text), file: path, line: name!.line };
    level.push(directive);
    words = [];
    if (token.kind === '{') {
      directive.children = [];
      stack.push(directive.children);
    }
  }
  if (words.length > 0) unparsed.push(`${path}:${words[0]!.line}: "${words.map((w) => w.text).join(' ')}" has no ";" at the end of the file`);
  if (stack.length > 1) unparsed.push(`${path}: ${stack.length - 1} block(s) are never closed`);
  return root;
}

/** nginx's own glob for `include`: `*`, `?` and `[...]` within one path segment. */
function globMatches(pattern: string, path: string): boolean {
  const regex = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${regex}$`).test(path);
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Parses the whole `nginx -T` output. */
export function parseNginxDump(dump: string): NginxDump {
  const { files: raw, unparsed } = splitFiles(dump);
  const files: NginxFile[] = raw.map(({ path, lines }) => ({ path, directives: build(path, tokenize(path, lines, unparsed), unparsed) }));
  // Relative includes are relative to the prefix of the main file (nginx's conf prefix): the first file dumped.
  const prefix = files[0] ? dirname(files[0].path) : '/etc/nginx';
  const resolve = (pattern: string) => (pattern.startsWith('/') ? pattern : `${prefix}/${pattern}`);
  const included = (pattern: string) => files.filter((f) => globMatches(resolve(pattern), f.path));

  const upstreams = new Map<string, string[]>();
  const walk = (directives: NginxDirective[], visit: (d: NginxDirective, parents: NginxDirective[]) => void, parents: NginxDirective[] = []) => {
    for (const d of directives) {
      visit(d, parents);
      if (d.children) walk(d.children, visit, [...parents, d]);
    }
  };
  for (const file of files) {
    walk(file.directives, (d) => {
      if (d.name === 'upstream' && d.children && d.args[0]) {
        upstreams.set(
          d.args[0],
          d.children.filter((c) => c.name === 'server').map((c) => c.args[0] ?? ''),
        );
      }
    });
  }

  // The `root` set at http level (nginx.conf) is what a server without its own inherits.
  let httpRoot: NginxRoot | null = null;
  for (const file of files) {
    walk(file.directives, (d, parents) => {
      if (d.name === 'root' && parents.length === 1 && parents[0]!.name === 'http' && d.args[0]) {
        httpRoot = { path: d.args[0], kind: 'root', file: d.file, line: d.line, location: null, inherited: true, directive: `root ${d.args.join(' ')};` };
      }
    });
  }

  const servers: NginxServer[] = [];
  const isServerBlock = (d: NginxDirective, parents: NginxDirective[]) => d.name === 'server' && d.children !== undefined && (parents.length === 0 || parents.at(-1)!.name === 'http');
  for (const file of files) {
    walk(file.directives, (block, parents) => {
      if (!isServerBlock(block, parents) || parents.some((p) => p.name === 'stream' || p.name === 'mail')) return;
      const server: NginxServer = { file: block.file, line: block.line, serverNames: [], listen: [], roots: [], fastcgiPass: [] };
      const seen = new Set<string>();
      const read = (directives: NginxDirective[], location: string | null, depth: number) => {
        for (const d of directives) {
          if (d.name === 'server_name' && location === null) server.serverNames.push(...d.args);
          else if (d.name === 'listen' && location === null) server.listen.push(d.args.join(' '));
          else if ((d.name === 'root' || d.name === 'alias') && d.args[0]) {
            server.roots.push({ path: d.args[0], kind: d.name, file: d.file, line: d.line, location, inherited: false, directive: `${d.name} ${d.args.join(' ')};` });
          } else if (d.name === 'fastcgi_pass' && d.args[0]) {
            const target = d.args[0];
            const members = upstreams.get(target);
            server.fastcgiPass.push(members ? `${target} (${members.join(', ')})` : target);
          } else if (d.name === 'include' && d.args[0] && depth < 4) {
            for (const file of included(d.args[0])) {
              if (seen.has(file.path)) continue;
              seen.add(file.path);
              read(file.directives, location, depth + 1);
            }
          } else if (d.name === 'location' && d.children) {
            read(d.children, d.args.join(' '), depth);
          } else if (d.children && d.name !== 'location') {
            read(d.children, location, depth);
          }
        }
      };
      read(block.children!, null, 0);
      if (!server.roots.some((r) => r.location === null) && httpRoot) server.roots.unshift(httpRoot);
      server.fastcgiPass = [...new Set(server.fastcgiPass)];
      servers.push(server);
    });
  }
  return { files, servers, unparsed };
}
