/**
 * ~/.ssh/config, read with OpenSSH's semantics (ssh_config(5)), so Backline connects where `ssh alias`
 * would: case-insensitive keywords, `Key value` / `Key=value`, quotes, Host blocks (patterns, `!negation`),
 * the first obtained value wins, Include as OpenSSH reads it (relative to ~/.ssh, glob(3) patterns in
 * any path component, sorted as glob sorts them, nested up to 16 deep, conditional inside Host and Match
 * blocks), tokens and `~` in paths, and ProxyJump chains where every hop resolves through the same config.
 *
 * What Backline does not do as ssh would is never silent: Match blocks are not evaluated (their options,
 * Includes among them, are not applied), an Include that cannot be read is skipped, and options that
 * change how ssh would connect but that Backline does not follow (IdentityAgent, CertificateFile,
 * UserKnownHostsFile...) are named. Each becomes a ConfigNote on the resolved host, shown on the route.
 *
 * Pure: file reading is injected (ConfigReader), so this is tested on strings and checked against `ssh -G`.
 */
import { bracketHost } from '../../../shared/domain/address.js';

export interface ConfigReader {
  /**
   * Contents of the file, or undefined if nothing is there (a missing Include is not an error in ssh).
   * Throws, with a message a person can read, when something is there that cannot be read.
   */
  readFile(path: string): string | undefined;
  /** Names in a directory (for glob patterns in Include), or undefined when it is not a directory that can be listed. */
  listDir(dir: string): string[] | undefined;
}

/**
 * The reader behind configs given as text (tests, and nothing else): it has no files, so an Include in
 * such a text is noted as not read rather than silently dropped.
 */
export const TEXT_ONLY: ConfigReader = {
  readFile: () => {
    throw new Error('this config was given as text, without a file reader');
  },
  listDir: () => undefined,
};

/**
 * Something a person should know about how ~/.ssh/config was read for a host. `skipped`: Backline did not
 * do what ssh would (a Match not evaluated, an Include it could not read, an option it does not follow);
 * `info`: ssh behaves the same (an Include that matched no file).
 */
export interface ConfigNote {
  kind: 'skipped' | 'info';
  /** `file:line`, where the config says it. */
  at: string;
  message: string;
}

export const noteText = (note: ConfigNote): string => `${note.at}: ${note.message}`;

export interface SshEnv {
  /** Local home directory: `~`, `%d`, and where relative Include paths live (~/.ssh). */
  home: string;
  /** Local user name: the default remote user, and `%u`. */
  user: string;
  /** `%i`, if known. */
  uid?: number;
  /** `%l` (and `%L`, its first label), if known. */
  localHostname?: string;
}

export type ConfigLine =
  | { kind: 'host'; patterns: string[]; file: string; line: number }
  | { kind: 'match'; criteria: string; file: string; line: number }
  /** `files`: what the patterns matched, in order; `notes`: what could not be read (shown only where the Include applies). */
  | { kind: 'include'; paths: string[]; files: ParsedSshConfig[]; notes: ConfigNote[]; file: string; line: number }
  | { kind: 'option'; keyword: string; args: string[]; rest: string; file: string; line: number };

export interface ParsedSshConfig {
  file: string;
  lines: ConfigLine[];
  /** Problems with the file as a whole (e.g. it could not be read), shown for every host. */
  notes: ConfigNote[];
}

/**
 * The configs ssh reads, in order, each starting afresh as ssh starts each file (outside any Host block):
 * e.g. this server's own settings (as `-o` options), then ~/.ssh/config.
 */
export type ConfigSet = ParsedSshConfig | readonly ParsedSshConfig[];

export type SshConfigErrorCode = 'SSH_CONFIG_INVALID' | 'PROXY_JUMP_LOOP' | 'PROXY_JUMP_TOO_DEEP';

export class SshConfigError extends Error {
  constructor(
    readonly code: SshConfigErrorCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file !== undefined && line !== undefined ? `${file}:${line}: ${message}` : message);
    this.name = 'SshConfigError';
  }
}

export interface JumpHop {
  host: string;
  user?: string;
  port?: number;
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface ResolvedHost {
  /** The name the config was matched against (what the user typed, or the host of a jump hop). */
  alias: string;
  hostName: string;
  user: string;
  port: number;
  /** Expanded paths; OpenSSH's default key files when the config names none (identityFilesAreDefaults). */
  identityFiles: string[];
  identityFilesAreDefaults: boolean;
  /** The jumps in front of this host, in order; null for a direct connection. */
  proxyJump: JumpHop[] | null;
  /** Set when a ProxyCommand won over ProxyJump; Backline cannot run it, the caller must refuse clearly. */
  proxyCommand?: string;
  hostKeyAlias?: string;
  serverAliveInterval?: number;
  connectTimeout?: number;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  identitiesOnly?: boolean;
  /** true/false, or an agent socket path / `$ENV` name as ssh accepts. */
  forwardAgent?: boolean | string;
  /** What Backline did not do as ssh would (or that ssh skips too), for this host; never silent. */
  notes: ConfigNote[];
}

/** Same limit as OpenSSH's READCONF_MAX_DEPTH. */
const MAX_INCLUDE_DEPTH = 16;
/** Jump hops plus the target; a longer chain is a mistake, not a network. */
export const MAX_CHAIN_LENGTH = 10;

// ---------------------------------------------------------------------------------------------------
// Patterns (shared with known_hosts)

/** OpenSSH's match_pattern: `*` any run, `?` exactly one character. Linear-backtracking, no regex. */
export function matchPattern(text: string, pattern: string, caseInsensitive = false): boolean {
  const s = caseInsensitive ? text.toLowerCase() : text;
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si]) && p[pi] !== '*') {
      si++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starS = si;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** A pattern list: true if some pattern matches and no `!negated` pattern does. */
export function matchPatternList(text: string, patterns: readonly string[], options: { caseInsensitive?: boolean } = {}): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (matchPattern(text, negated ? pattern.slice(1) : pattern, options.caseInsensitive)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

export interface ParseOptions {
  /** Name used in messages and notes; defaults to ~/.ssh/config. */
  file?: string;
  /** Needed to resolve Include paths: `~` and relative ones (which live in ~/.ssh). */
  home: string;
  /** Where Included files are read from; configs given as text use TEXT_ONLY. */
  reader: ConfigReader;
}

export function parseSshConfig(text: string, options: ParseOptions): ParsedSshConfig {
  return parseFile(text, options.file ?? '~/.ssh/config', options, 0);
}

function parseFile(text: string, file: string, options: ParseOptions, depth: number): ParsedSshConfig {
  const lines: ConfigLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const parsed = splitLine(raw, file, line);
    if (!parsed) return;
    const { keyword, args, rest } = parsed;
    const fail = (message: string) => new SshConfigError('SSH_CONFIG_INVALID', message, file, line);
    if (keyword === 'host') {
      if (args.length === 0) throw fail('Host needs at least one pattern');
      lines.push({ kind: 'host', patterns: args, file, line });
    } else if (keyword === 'match') {
      lines.push({ kind: 'match', criteria: args.join(' '), file, line });
    } else if (keyword === 'include') {
      if (args.length === 0) throw fail('Include needs a file name');
      // As OpenSSH's READCONF_MAX_DEPTH: "Too many recursive configuration includes".
      if (depth + 1 > MAX_INCLUDE_DEPTH) throw fail(`Include nested more than ${MAX_INCLUDE_DEPTH} deep (an Include loop?)`);
      lines.push(readInclude(args, file, line, options, depth));
    } else {
      lines.push({ kind: 'option', keyword, args, rest, file, line });
    }
  });
  return { file, lines, notes: [] };
}

/**
 * One Include line, read as OpenSSH's readconf.c does: each argument is anchored (`~` is the home, a
 * relative path lives in ~/.ssh), expanded by glob(3) (sorted; a pattern that matches nothing is no
 * error), and every file it matched is parsed, nested Includes and all. A file that is there but cannot
 * be read is skipped with a note (ssh would stop there).
 */
function readInclude(args: string[], file: string, line: number, options: ParseOptions, depth: number): Extract<ConfigLine, { kind: 'include' }> {
  const at = `${file}:${line}`;
  const files: ParsedSshConfig[] = [];
  const notes: ConfigNote[] = [];
  for (const arg of args) {
    if (arg === '') throw new SshConfigError('SSH_CONFIG_INVALID', 'Include has an empty argument', file, line);
    const anchored = anchorInclude(arg, options.home);
    if (anchored === undefined) {
      notes.push({ kind: 'skipped', at, message: `Include ${arg}: ~user paths are not supported; not read (write the full path)` });
      continue;
    }
    let targets: string[];
    try {
      targets = hasGlobMagic(anchored) ? globPaths(anchored, options.reader) : [unescapeGlob(anchored)];
    } catch (error) {
      notes.push({ kind: 'skipped', at, message: `Include ${arg}: ${errorText(error)}; not read` });
      continue;
    }
    let matched = 0;
    for (const target of targets) {
      let content: string | undefined;
      try {
        content = options.reader.readFile(target);
      } catch (error) {
        matched++;
        notes.push({ kind: 'skipped', at, message: `Include ${target} could not be read (${errorText(error)}); skipped, where ssh would refuse the whole config` });
        continue;
      }
      if (content === undefined) continue;
      matched++;
      files.push(parseFile(content, target, options, depth + 1));
    }
    if (matched === 0) notes.push({ kind: 'info', at, message: `Include ${arg} matched no file (ssh reads nothing there either)` });
  }
  return { kind: 'include', paths: args, files, notes, file, line };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** `~` and `~/x` are the home; a relative path lives in ~/.ssh (as for a user config); `~user` is undefined. */
function anchorInclude(path: string, home: string): string | undefined {
  const base = home.replace(/\/+$/, '');
  const full = path.startsWith('/') || path.startsWith('~') ? path : `~/.ssh/${path}`;
  if (full === '~') return base;
  if (full.startsWith('~/')) return base + full.slice(1);
  return full.startsWith('~') ? undefined : full;
}

// ---------------------------------------------------------------------------------------------------
// glob(3), as Include uses it: `*`, `?`, `[...]` (ranges, `!`/`^` negation) in any path component,
// backslash escapes, a leading dot matched only by a literal dot, results sorted in byte order (glob
// sorts with strcoll, and ssh leaves LC_COLLATE at "C").

export function hasGlobMagic(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
    else if (c === '[' && classEnd(pattern, i) > 0) return true;
  }
  return false;
}

function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/g, '$1');
}

/** Index of the `]` closing a class opened at `open`, or -1 when the `[` is a literal. */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '/') return -1;
    if (pattern[i] === ']') return i;
  }
  return -1;
}

function matchClass(c: string, body: string): boolean {
  let negate = false;
  let i = 0;
  if (body[0] === '!' || body[0] === '^') {
    negate = true;
    i = 1;
  }
  let found = false;
  while (i < body.length) {
    const lo = body[i] as string;
    // `a-z` is a range; a `-` first or last is itself (as is a `]` first, which classEnd let through).
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const hi = body[i + 2] as string;
      if (lo <= c && c <= hi) found = true;
      i += 3;
    } else {
      if (lo === c) found = true;
      i += 1;
    }
  }
  return found !== negate;
}

/** One path component against one glob component (no `/` in either). */
export function globMatch(name: string, pattern: string): boolean {
  // A leading dot is matched only by a literal one (no GLOB_PERIOD).
  if (name.startsWith('.') && !(pattern.startsWith('.') || pattern.startsWith('\\.'))) return false;
  const match = (ni: number, pi: number): boolean => {
    while (pi < pattern.length) {
      const p = pattern[pi] as string;
      if (p === '*') {
        while (pattern[pi] === '*') pi++;
        if (pi === pattern.length) return true;
        for (let k = ni; k <= name.length; k++) if (match(k, pi)) return true;
        return false;
      }
      if (ni >= name.length) return false;
      if (p === '?') {
        ni++;
        pi++;
      } else if (p === '[' && classEnd(pattern, pi) > 0) {
        const end = classEnd(pattern, pi);
        if (!matchClass(name[ni] as string, pattern.slice(pi + 1, end))) return false;
        ni++;
        pi = end + 1;
      } else {
        const literal = p === '\\' && pi + 1 < pattern.length ? (pattern[++pi] as string) : p;
        if (name[ni] !== literal) return false;
        ni++;
        pi++;
      }
    }
    return ni === name.length;
  };
  return match(0, 0);
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every existing path an absolute glob pattern matches, sorted as glob(3) sorts them. */
export function globPaths(pattern: string, reader: Pick<ConfigReader, 'listDir'>): string[] {
  if (!pattern.startsWith('/')) throw new Error(`${pattern} is not an absolute path`);
  const parts = pattern.split('/').filter((part) => part !== '');
  let bases = [''];
  let expanded = false;
  for (const part of parts) {
    const next: string[] = [];
    for (const base of bases) {
      if (!hasGlobMagic(part)) {
        // Past a wildcard, a literal name counts only where it exists (glob returns existing paths).
        const name = unescapeGlob(part);
        if (!expanded || reader.listDir(base === '' ? '/' : base)?.includes(name)) next.push(`${base}/${name}`);
        continue;
      }
      expanded = true;
      for (const name of reader.listDir(base === '' ? '/' : base) ?? []) {
        if (name !== '.' && name !== '..' && globMatch(name, part)) next.push(`${base}/${name}`);
      }
    }
    bases = next;
  }
  return bases.sort(byteOrder);
}

function expandTilde(path: string, home: string, file?: string, line?: number): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return home + path.slice(1);
  if (path.startsWith('~')) {
    throw new SshConfigError('SSH_CONFIG_INVALID', `${path}: ~user paths are not supported; use an absolute path`, file, line);
  }
  return path;
}

/** Splits one line into a lower-cased keyword and its arguments, as OpenSSH's strdelim + argv_split do. */
function splitLine(raw: string, file: string, line: number): { keyword: string; args: string[]; rest: string } | undefined {
  const text = raw.replace(/[\s\f]+$/, '');
  const head = /^[ \t]*=?[ \t]*/.exec(text)?.[0] ?? '';
  const afterLead = text.slice(head.length);
  if (afterLead === '' || afterLead.startsWith('#')) return undefined;
  const keywordMatch = /^("[^"]*"|[^ \t=]+)/.exec(afterLead);
  if (!keywordMatch) return undefined;
  const keyword = keywordMatch[0].replaceAll('"', '').toLowerCase();
  // One '=' may separate keyword and value, with whitespace around it.
  const rest = afterLead.slice(keywordMatch[0].length).replace(/^[ \t]*=?[ \t]*/, '');
  const args = splitArgs(rest);
  if (args === undefined) throw new SshConfigError('SSH_CONFIG_INVALID', 'invalid quotes', file, line);
  return { keyword, args, rest };
}

/** OpenSSH's argv_split: whitespace-separated, "double" or 'single' quotes, \\ \" \' and '\ ' escapes, `#` comments. */
function splitArgs(text: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < text.length; i++) {
      const ch = text[i] ?? '';
      const next = text[i + 1];
      if (ch === '\\' && (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' '))) {
        arg += next;
        i++;
      } else if (quote === '' && (ch === ' ' || ch === '\t')) {
        break;
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== '' && ch === quote) {
        quote = '';
      } else {
        arg += ch;
      }
    }
    if (quote !== '') return undefined;
    args.push(arg);
  }
  return args;
}

// ---------------------------------------------------------------------------------------------------
// Resolution

interface Setting<T> {
  value: T;
  file: string;
  line: number;
}

/** What the config says for one alias, before defaults and tokens: the first value obtained wins. */
interface Collected {
  hostName?: Setting<string>;
  user?: Setting<string>;
  port?: Setting<number>;
  identityFiles: Setting<string>[];
  proxyJump?: Setting<string>;
  proxyCommand?: Setting<string>;
  hostKeyAlias?: Setting<string>;
  serverAliveInterval?: Setting<number>;
  connectTimeout?: Setting<number>;
  userKnownHostsFiles?: Setting<string[]>;
  strictHostKeyChecking?: Setting<StrictHostKeyChecking>;
  identitiesOnly?: Setting<boolean>;
  forwardAgent?: Setting<boolean | string>;
  /** Options Backline does not follow, by keyword: the first value obtained, as ssh would use it. */
  unsupported: Map<string, Setting<string[]>>;
  notes: ConfigNote[];
}

/** Options set on ssh's command line when it starts a jump hop (`-l`, `-p`, `-J`); they come first. */
interface Overrides {
  user?: string;
  port?: number;
  jumps?: JumpHop[];
}

function collect(configs: readonly ParsedSshConfig[], alias: string): Collected {
  const out: Collected = { identityFiles: [], unsupported: new Map(), notes: [] };
  // Each file ssh reads starts outside any Host block.
  for (const config of configs) {
    out.notes.push(...config.notes);
    walk(config, alias, { active: true }, out);
  }
  return out;
}

function walk(config: ParsedSshConfig, alias: string, state: { active: boolean }, out: Collected): void {
  for (const entry of config.lines) {
    switch (entry.kind) {
      case 'host':
        // Host patterns match the name as typed, case-sensitively (verified against ssh -G).
        state.active = matchPatternList(alias, entry.patterns);
        break;
      case 'match':
        state.active = false;
        out.notes.push({
          kind: 'skipped',
          at: `${entry.file}:${entry.line}`,
          message: `Match ${entry.criteria}: Backline does not evaluate Match blocks; what this one sets (Includes too) was not applied`,
        });
        break;
      case 'include':
        // An Include inside a non-matching block reads nothing; inside one, its Host lines may switch
        // blocks, and the including file's state is restored afterwards (as in OpenSSH).
        if (!state.active) break;
        out.notes.push(...entry.notes);
        for (const file of entry.files) {
          walk(file, alias, state, out);
          state.active = true;
        }
        break;
      case 'option':
        if (state.active) apply(entry, out);
        break;
    }
  }
}

function apply(entry: Extract<ConfigLine, { kind: 'option' }>, out: Collected): void {
  const { keyword, args, file, line } = entry;
  const fail = (message: string) => new SshConfigError('SSH_CONFIG_INVALID', `${keyword}: ${message}`, file, line);
  const at = <T>(value: T): Setting<T> => ({ value, file, line });
  const single = (): string => {
    if (args.length === 0 || args[0] === '') throw fail('missing argument');
    if (args.length > 1) throw fail('extra arguments at end of line');
    return args[0] as string;
  };
  // Every `out.x ??= ...` keeps the first value obtained, as ssh does; IdentityFile accumulates.
  switch (keyword) {
    case 'hostname':
      out.hostName ??= at(single());
      break;
    case 'user':
      out.user ??= at(single());
      break;
    case 'port':
      out.port ??= at(parsePort(single(), fail));
      break;
    case 'identityfile':
      out.identityFiles.push(at(single()));
      break;
    case 'hostkeyalias':
      out.hostKeyAlias ??= at(single());
      break;
    case 'proxyjump':
      // ProxyJump and ProxyCommand compete: whichever comes first wins (ssh_config(5)).
      if (out.proxyJump === undefined && out.proxyCommand === undefined) {
        const value = single();
        parseProxyJump(value, fail); // validate now, so the error points at this line
        out.proxyJump = at(value);
      }
      break;
    case 'proxycommand':
      // The rest of the line, unparsed, like ssh. `ProxyJump none` does not block a later ProxyCommand.
      if (entry.rest === '') throw fail('missing argument');
      if (out.proxyCommand === undefined && (out.proxyJump === undefined || out.proxyJump.value.toLowerCase() === 'none')) {
        out.proxyCommand = at(entry.rest);
      }
      break;
    case 'serveraliveinterval':
      out.serverAliveInterval ??= at(parseTime(single(), fail));
      break;
    case 'connecttimeout':
      out.connectTimeout ??= at(single().toLowerCase() === 'none' ? 0 : parseTime(single(), fail));
      break;
    case 'userknownhostsfile':
      if (args.length === 0) throw fail('missing argument');
      out.userKnownHostsFiles ??= at(args);
      break;
    case 'stricthostkeychecking':
      out.strictHostKeyChecking ??= at(parseStrict(single(), fail));
      break;
    case 'identitiesonly':
      out.identitiesOnly ??= at(parseFlag(single(), fail));
      break;
    case 'forwardagent':
      out.forwardAgent ??= at(/^(yes|no|true|false)$/i.test(single()) ? parseFlag(single(), fail) : single());
      break;
    default:
      // Options that would change how ssh connects, but that Backline does not follow, are named on the
      // route (see UNSUPPORTED); the rest do not affect connecting, and ssh itself validates them.
      if (keyword in UNSUPPORTED && !out.unsupported.has(keyword)) out.unsupported.set(keyword, at(args));
      break;
  }
}

interface Unsupported {
  name: string;
  /** Whether this value makes ssh behave otherwise than Backline does. */
  differs(value: string): boolean;
  /** What Backline does instead. */
  instead: string;
}

const isNo = (value: string) => /^(no|false)$/i.test(value);
const isYes = (value: string) => /^(yes|true)$/i.test(value);
const always = () => true;
const ALGORITHMS = "Backline offers its SSH library's own algorithm list";

/** Options that change how ssh connects and that Backline does not follow (ssh_config(5) names). */
const UNSUPPORTED: Record<string, Unsupported> = {
  identityagent: { name: 'IdentityAgent', differs: (v) => !/^\$?SSH_AUTH_SOCK$/.test(v), instead: 'Backline uses the agent in SSH_AUTH_SOCK' },
  certificatefile: { name: 'CertificateFile', differs: always, instead: 'Backline offers the plain keys, not certificates' },
  pkcs11provider: { name: 'PKCS11Provider', differs: (v) => v.toLowerCase() !== 'none', instead: 'Backline does not use PKCS#11 tokens' },
  preferredauthentications: { name: 'PreferredAuthentications', differs: always, instead: 'Backline tries ssh-agent, key files, then a password, in that order' },
  pubkeyauthentication: { name: 'PubkeyAuthentication', differs: isNo, instead: 'Backline still offers keys' },
  passwordauthentication: { name: 'PasswordAuthentication', differs: isNo, instead: 'Backline still sends a password you type' },
  kbdinteractiveauthentication: { name: 'KbdInteractiveAuthentication', differs: isNo, instead: 'Backline still answers a password prompt' },
  hostbasedauthentication: { name: 'HostbasedAuthentication', differs: isYes, instead: 'Backline does not log in host-based' },
  gssapiauthentication: { name: 'GSSAPIAuthentication', differs: isYes, instead: 'Backline does not log in with GSSAPI (Kerberos)' },
  canonicalizehostname: { name: 'CanonicalizeHostname', differs: (v) => /^(yes|always)$/i.test(v), instead: 'Backline uses host names as written' },
  addressfamily: { name: 'AddressFamily', differs: (v) => v.toLowerCase() !== 'any', instead: 'Backline uses whichever address the name resolves to' },
  bindaddress: { name: 'BindAddress', differs: always, instead: 'Backline connects from the default local address' },
  bindinterface: { name: 'BindInterface', differs: always, instead: 'Backline connects from the default interface' },
  hostkeyalgorithms: { name: 'HostKeyAlgorithms', differs: always, instead: ALGORITHMS },
  kexalgorithms: { name: 'KexAlgorithms', differs: always, instead: ALGORITHMS },
  ciphers: { name: 'Ciphers', differs: always, instead: ALGORITHMS },
  macs: { name: 'MACs', differs: always, instead: ALGORITHMS },
  pubkeyacceptedalgorithms: { name: 'PubkeyAcceptedAlgorithms', differs: always, instead: ALGORITHMS },
  pubkeyacceptedkeytypes: { name: 'PubkeyAcceptedKeyTypes', differs: always, instead: ALGORITHMS },
  globalknownhostsfile: { name: 'GlobalKnownHostsFile', differs: always, instead: 'Backline reads ~/.ssh/known_hosts, known_hosts2, /etc/ssh/ssh_known_hosts and its own list' },
  knownhostscommand: { name: 'KnownHostsCommand', differs: (v) => v.toLowerCase() !== 'none', instead: 'Backline does not run it' },
};

function unsupportedNotes(found: Collected, knownHostsFiles: readonly string[] | undefined, home: string): ConfigNote[] {
  const notes: ConfigNote[] = [];
  const note = (setting: Setting<unknown>, name: string, value: string, instead: string) =>
    notes.push({ kind: 'skipped', at: `${setting.file}:${setting.line}`, message: `${name} ${value}: not followed; ${instead}` });
  for (const [keyword, setting] of found.unsupported) {
    const spec = UNSUPPORTED[keyword];
    const value = setting.value.join(' ');
    if (spec && spec.differs(value)) note(setting, spec.name, value, spec.instead);
  }
  // Options Backline reads, but does not follow as ssh would.
  const known = found.userKnownHostsFiles;
  const sshDefault = [`${home}/.ssh/known_hosts`, `${home}/.ssh/known_hosts2`];
  if (known && knownHostsFiles && knownHostsFiles.join(' ') !== sshDefault.join(' ')) {
    note(known, 'UserKnownHostsFile', known.value.join(' '), UNSUPPORTED.globalknownhostsfile!.instead);
  }
  const strict = found.strictHostKeyChecking;
  if (strict && strict.value !== 'ask') {
    note(strict, 'StrictHostKeyChecking', strict.value, strict.value === 'yes' ? 'Backline asks about a host key it has not seen instead of refusing it' : 'Backline asks before trusting a host key it has not seen');
  }
  if (found.identitiesOnly?.value === true) note(found.identitiesOnly, 'IdentitiesOnly', 'yes', 'Backline also offers the keys in ssh-agent');
  const forward = found.forwardAgent;
  if (forward && forward.value !== false) note(forward, 'ForwardAgent', String(forward.value === true ? 'yes' : forward.value), 'Backline does not forward the agent');
  return notes;
}

function parsePort(value: string, fail: (m: string) => Error): number {
  if (value.toLowerCase() === 'ssh') return 22;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw fail(`bad port ${JSON.stringify(value)}`);
  return Number(value);
}

/** OpenSSH's convtime: `90`, `90s`, `1m30s`, `2h`, `1d`, `1w`. */
function parseTime(value: string, fail: (m: string) => Error): number {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  if (!/^(\d+[smhdw]?)+$/i.test(value)) throw fail(`bad time value ${JSON.stringify(value)}`);
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)([smhdw]?)/gi)) total += Number(amount) * (units[(unit ?? '').toLowerCase()] ?? 1);
  return total;
}

function parseFlag(value: string, fail: (m: string) => Error): boolean {
  if (/^(yes|true)$/i.test(value)) return true;
  if (/^(no|false)$/i.test(value)) return false;
  throw fail(`expected yes or no, got ${JSON.stringify(value)}`);
}

function parseStrict(value: string, fail: (m: string) => Error): StrictHostKeyChecking {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'true') return 'yes';
  if (v === 'no' || v === 'off' || v === 'false') return 'no';
  if (v === 'ask' || v === 'accept-new') return v;
  throw fail(`unknown value ${JSON.stringify(value)}`);
}

/**
 * ProxyJump: `none`, or comma-separated hops, each `[user@]host[:port]` (host may be `[ipv6]`) or
 * `ssh://[user@]host[:port]`. Returns null for none.
 */
export function parseProxyJump(value: string, fail: (message: string) => Error = (m) => new SshConfigError('SSH_CONFIG_INVALID', m)): JumpHop[] | null {
  if (value.toLowerCase() === 'none') return null;
  return value.split(',').map((spec) => {
    if (spec === '' || /\s/.test(spec)) throw fail(`invalid ProxyJump hop ${JSON.stringify(spec)} in ${JSON.stringify(value)}`);
    const hop = /^ssh:\/\//i.test(spec) ? parseSshUri(spec) : parseUserHostPort(spec);
    if (!hop) throw fail(`invalid ProxyJump hop ${JSON.stringify(spec)}: expected [user@]host[:port] or ssh://[user@]host[:port]`);
    return hop;
  });
}

function parseUserHostPort(spec: string): JumpHop | undefined {
  const at = spec.lastIndexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : undefined;
  const hostPort = spec.slice(at + 1);
  if (user === '') return undefined;
  return withUser(parseHostPort(hostPort), user);
}

function parseSshUri(spec: string): JumpHop | undefined {
  const body = spec.slice('ssh://'.length).replace(/\/$/, '');
  if (body.includes('/') || body.includes('?') || body.includes('#')) return undefined;
  const at = body.lastIndexOf('@');
  let user: string | undefined;
  if (at >= 0) {
    try {
      user = decodeURIComponent(body.slice(0, at));
    } catch {
      return undefined;
    }
    if (user === '' || user.includes(';')) return undefined; // ;params are not allowed for ssh URIs
  }
  return withUser(parseHostPort(body.slice(at + 1)), user);
}

function withUser(hop: JumpHop | undefined, user: string | undefined): JumpHop | undefined {
  if (!hop) return undefined;
  return user === undefined ? hop : { user, ...hop };
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 address is ambiguous and rejected, as in ssh. */
function parseHostPort(text: string): JumpHop | undefined {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return undefined;
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const parts = text.split(':');
    if (parts.length > 2) return undefined;
    host = parts[0] ?? '';
    portText = parts[1];
  }
  if (host === '' || /[\s[\]@/]/.test(host)) return undefined;
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return undefined;
  return { host, port: Number(portText) };
}

/** ssh's valid_hostname: nothing a shell or a command line could misread. */
function assertValidHostName(name: string, setting: Setting<string> | undefined): void {
  if (name === '' || name.startsWith('-') || /['`"$\\;&<>|(){}\s\p{Cc}]/u.test(name)) {
    throw new SshConfigError('SSH_CONFIG_INVALID', `host name ${JSON.stringify(name)} contains invalid characters`, setting?.file, setting?.line);
  }
}

/** Percent tokens (ssh_config(5) TOKENS). Unknown or unavailable tokens are errors, as in ssh. */
function expandTokens(text: string, tokens: Record<string, string | undefined>, where: Setting<unknown>, keyword: string): string {
  return text.replace(/%(.?)/g, (_match, key: string) => {
    if (key === '%') return '%';
    const value = tokens[key];
    if (value === undefined) {
      const what = key === '' ? 'a trailing %' : `the token %${key}`;
      throw new SshConfigError('SSH_CONFIG_INVALID', `${keyword}: ${what} is not supported here; write %% for a literal %`, where.file, where.line);
    }
    return value;
  });
}

/** The key files ssh tries when the config names none (OpenSSH 9/10, without the long-gone DSA and XMSS). */
export function defaultIdentityFiles(home: string): string[] {
  return ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk'].map((name) => `${home.replace(/\/+$/, '')}/.ssh/${name}`);
}

/** A config given as text has no files behind it: its Includes are noted as not read (TEXT_ONLY). */
function toConfigs(config: ConfigSet | string, env: SshEnv): readonly ParsedSshConfig[] {
  if (typeof config === 'string') return [parseSshConfig(config, { home: env.home, reader: TEXT_ONLY })];
  return 'lines' in config ? [config] : config;
}

/** Resolves one alias the way `ssh alias` would (see ResolvedHost). */
export function resolveHost(config: ConfigSet | string, alias: string, env: SshEnv): ResolvedHost {
  return resolveWith(toConfigs(config, env), alias, env, {});
}

function resolveWith(config: readonly ParsedSshConfig[], alias: string, env: SshEnv, overrides: Overrides): ResolvedHost {
  assertValidHostName(alias, undefined);
  const found = collect(config, alias);
  const home = env.home.replace(/\/+$/, '');

  const hostNameRaw = found.hostName ? expandTokens(found.hostName.value, { h: alias }, found.hostName, 'HostName') : alias;
  // ssh lower-cases the host name; IPv6 literals are left alone.
  const hostName = hostNameRaw.includes(':') ? hostNameRaw : hostNameRaw.toLowerCase();
  assertValidHostName(hostName, found.hostName);
  const user = overrides.user ?? found.user?.value ?? env.user;
  const port = overrides.port ?? found.port?.value ?? 22;

  const tokens: Record<string, string | undefined> = {
    d: home,
    h: hostName,
    i: env.uid?.toString(),
    k: found.hostKeyAlias?.value ?? alias,
    L: env.localHostname?.split('.')[0],
    l: env.localHostname,
    n: alias,
    p: String(port),
    r: user,
    u: env.user,
  };
  const pathOf = (setting: Setting<string>, keyword: string) =>
    expandTokens(expandTilde(setting.value, home, setting.file, setting.line), tokens, setting, keyword);

  const identityFiles = [...new Set(found.identityFiles.map((s) => pathOf(s, 'IdentityFile')))];
  const result: ResolvedHost = {
    alias,
    hostName,
    user,
    port,
    identityFiles: identityFiles.length > 0 ? identityFiles : defaultIdentityFiles(home),
    identityFilesAreDefaults: identityFiles.length === 0,
    proxyJump: null,
    notes: found.notes,
  };

  if (overrides.jumps) {
    result.proxyJump = overrides.jumps;
  } else if (found.proxyJump) {
    const jumpTokens = { h: hostName, n: alias, p: String(port), r: user };
    const setting = found.proxyJump;
    const hops = parseProxyJump(setting.value, (m) => new SshConfigError('SSH_CONFIG_INVALID', m, setting.file, setting.line));
    result.proxyJump =
      hops?.map((hop) => {
        const expanded: JumpHop = { ...hop, host: expandTokens(hop.host, jumpTokens, setting, 'ProxyJump') };
        if (hop.user !== undefined) expanded.user = expandTokens(hop.user, jumpTokens, setting, 'ProxyJump');
        return expanded;
      }) ?? null;
  }
  if (!overrides.jumps && found.proxyCommand && found.proxyCommand.value.toLowerCase() !== 'none') {
    result.proxyCommand = found.proxyCommand.value;
  }
  if (found.hostKeyAlias) result.hostKeyAlias = found.hostKeyAlias.value;
  if (found.serverAliveInterval) result.serverAliveInterval = found.serverAliveInterval.value;
  if (found.connectTimeout && found.connectTimeout.value > 0) result.connectTimeout = found.connectTimeout.value;
  if (found.userKnownHostsFiles) {
    const setting = found.userKnownHostsFiles;
    result.userKnownHostsFiles =
      setting.value.length === 1 && setting.value[0]?.toLowerCase() === 'none'
        ? []
        : setting.value.map((value) => pathOf({ ...setting, value }, 'UserKnownHostsFile'));
  }
  if (found.strictHostKeyChecking) result.strictHostKeyChecking = found.strictHostKeyChecking.value;
  if (found.identitiesOnly) result.identitiesOnly = found.identitiesOnly.value;
  if (found.forwardAgent) result.forwardAgent = found.forwardAgent.value;
  result.notes = dedupeNotes([...found.notes, ...unsupportedNotes(found, result.userKnownHostsFiles, home)]);
  return result;
}

function dedupeNotes(notes: readonly ConfigNote[]): ConfigNote[] {
  const seen = new Set<string>();
  return notes.filter((note) => {
    const key = noteText(note);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every host Backline must connect through to reach `alias`, in connection order, ending with the
 * target: chain[0] is dialled directly (or needs its proxyCommand), each next one is reached through a
 * forwarded channel from the one before. This mirrors what ssh does for `ProxyJump a,b`: b is started
 * with `-J a` (so b's own ProxyJump is ignored), a is started plainly (so a's own ProxyJump applies), and
 * a hop's `user@` / `:port` override its config like `-l` / `-p`.
 */
export function resolveChain(config: ConfigSet | string, alias: string, env: SshEnv): ResolvedHost[] {
  const parsed = toConfigs(config, env);
  const chain = chainTo(parsed, alias, env, {}, []);
  if (chain.length > MAX_CHAIN_LENGTH) {
    throw new SshConfigError('PROXY_JUMP_TOO_DEEP', `Reaching ${alias} takes ${chain.length - 1} jumps (${chainText(chain)}); the limit is ${MAX_CHAIN_LENGTH - 1}`);
  }
  return chain;
}

function chainTo(config: readonly ParsedSshConfig[], alias: string, env: SshEnv, overrides: Overrides, stack: string[]): ResolvedHost[] {
  const label = hopLabel({ host: alias, user: overrides.user, port: overrides.port });
  if (stack.includes(label)) {
    throw new SshConfigError('PROXY_JUMP_LOOP', `ProxyJump loop: ${[...stack, label].join(' → ')}. Exclude the jump host from the pattern that sets ProxyJump (e.g. Host *.example.com !bastion.example.com).`);
  }
  if (stack.length >= MAX_CHAIN_LENGTH) {
    throw new SshConfigError('PROXY_JUMP_TOO_DEEP', `ProxyJump chain deeper than ${MAX_CHAIN_LENGTH}: ${[...stack, label].join(' → ')}`);
  }
  const target = resolveWith(config, alias, env, overrides);
  const hops = target.proxyJump;
  if (!hops || hops.length === 0) return [target];
  const [first, ...later] = hops as [JumpHop, ...JumpHop[]];
  const before = chainTo(config, first.host, env, hopOverrides(first), [...stack, label]);
  const rest = later.map((hop, index) => resolveWith(config, hop.host, env, { ...hopOverrides(hop), jumps: hops.slice(0, index + 1) }));
  const last = rest.at(-1) ?? before.at(-1);
  // ssh refuses to jump through the very host it is going to ("jumphost loop via ...").
  if (last && last.hostName === target.hostName && last.port === target.port) {
    throw new SshConfigError('PROXY_JUMP_LOOP', `ProxyJump loop: ${alias} jumps through itself (${last.user}@${last.hostName}:${last.port})`);
  }
  return [...before, ...rest, target];
}

function hopOverrides(hop: JumpHop): Overrides {
  const overrides: Overrides = {};
  if (hop.user !== undefined) overrides.user = hop.user;
  if (hop.port !== undefined) overrides.port = hop.port;
  return overrides;
}

function hopLabel(hop: { host: string; user?: string | undefined; port?: number | undefined }): string {
  return `${hop.user !== undefined ? `${hop.user}@` : ''}${bracketHost(hop.host)}${hop.port !== undefined ? `:${hop.port}` : ''}`;
}

function chainText(chain: readonly ResolvedHost[]): string {
  return chain.map((host) => host.alias).join(' → ');
}

/** A Host line naming hosts literally (no `*`, `?` or `!`): something an engineer can attach by name. */
export interface HostEntry {
  /** The first name on the line, the one to attach by. */
  alias: string;
  /** The other names on the same line (often the address). */
  otherNames: string[];
  at: string;
}

/**
 * Every Host line of the config set (Included files too, in reading order) whose patterns are all
 * literal names, once per first name: `Host web1 10.77.0.11` offers web1; `Host *.acme` offers nothing.
 */
export function hostEntries(config: ConfigSet): HostEntry[] {
  const entries = new Map<string, HostEntry>();
  const visit = (file: ParsedSshConfig) => {
    for (const entry of file.lines) {
      if (entry.kind === 'include') entry.files.forEach(visit);
      if (entry.kind !== 'host' || entry.patterns.some((p) => /[*?!]/.test(p))) continue;
      const [alias, ...otherNames] = entry.patterns as [string, ...string[]];
      if (!entries.has(alias)) entries.set(alias, { alias, otherNames, at: `${entry.file}:${entry.line}` });
    }
  };
  ('lines' in config ? [config] : config).forEach(visit);
  return [...entries.values()];
}
