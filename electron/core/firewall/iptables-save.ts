/**
 * Reads `iptables-save` / `ip6tables-save` output (nf_tables and legacy variants, with or without `-c`)
 * into tables, chains and rules, and finds Backline's own chain and tags in it.
 */

/** Backline's chain in the filter table; OUTPUT jumps to it first. */
export const BACKLINE_CHAIN = 'BACKLINE-OUT';
/** The comment on the OUTPUT -> BACKLINE-OUT jump. */
export const JUMP_COMMENT = 'backline';

export interface SavedChain {
  name: string;
  /** ACCEPT / DROP for built-in chains; null for user chains (saved as '-'). */
  policy: string | null;
  line: number;
}

export interface SavedRule {
  table: string;
  chain: string;
  /** The rule exactly as saved after `-A CHAIN ` (quoting kept), so it can be fed back to iptables-restore. */
  spec: string;
  /** The same, split into arguments with quotes removed. */
  args: string[];
  /** Target of -j (or -g); null for a rule that only counts. */
  target: string | null;
  comment: string | null;
  line: number;
}

export interface SavedTable {
  name: string;
  chains: SavedChain[];
  rules: SavedRule[];
}

export interface ParsedRuleset {
  tables: SavedTable[];
  /** Lines that could not be understood; the rest is still parsed. */
  problems: { line: number; message: string }[];
}

/** Splits a rule the way iptables-restore does: whitespace separates, "double quotes" group, backslash escapes. */
export function splitRuleArgs(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\' && i + 1 < text.length) {
      current += text.charAt(++i);
      inWord = true;
    } else if (ch === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && (ch === ' ' || ch === '\t')) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}

/** Quotes one argument for iptables-restore input the way iptables-save writes it. */
export function restoreQuote(arg: string): string {
  if (/^[A-Za-z0-9_.:/=+,!-]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"']/g, (ch) => `\\${ch}`)}"`;
}

const COUNTERS = /^\[\d+:\d+\]\s+/;

export function parseIptablesSave(text: string): ParsedRuleset {
  const tables: SavedTable[] = [];
  const problems: ParsedRuleset['problems'] = [];
  let table: SavedTable | null = null;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/\r$/, '').trim();
    if (content === '' || content.startsWith('#')) return;
    if (content.startsWith('*')) {
      table = { name: content.slice(1), chains: [], rules: [] };
      tables.push(table);
      return;
    }
    if (content === 'COMMIT') {
      if (!table) problems.push({ line, message: 'COMMIT outside a table' });
      table = null;
      return;
    }
    if (!table) {
      problems.push({ line, message: `outside a table: ${content.slice(0, 80)}` });
      return;
    }
    if (content.startsWith(':')) {
      const [name = '', policy = '-'] = content.slice(1).split(/\s+/);
      table.chains.push({ name, policy: policy === '-' ? null : policy, line });
      return;
    }
    const rule = /^-A\s+(\S+)\s+(.*)$/.exec(content.replace(COUNTERS, ''));
    if (!rule?.[1]) {
      problems.push({ line, message: `not a chain or rule line: ${content.slice(0, 80)}` });
      return;
    }
    const spec = rule[2] ?? '';
    const args = splitRuleArgs(spec);
    table.rules.push({ table: table.name, chain: rule[1], spec, args, target: optionValue(args, '-j') ?? optionValue(args, '-g'), comment: optionValue(args, '--comment'), line });
  });
  return { tables, problems };
}

function optionValue(args: readonly string[], option: string): string | null {
  const at = args.indexOf(option);
  return at >= 0 ? (args[at + 1] ?? null) : null;
}

export function filterTable(parsed: ParsedRuleset): SavedTable | null {
  return parsed.tables.find((t) => t.name === 'filter') ?? null;
}

export interface BacklineTag {
  ticketId: string;
  planId: string;
  /** Unix seconds after which the block should be lifted; null for no expiry. */
  expiresAt: number | null;
}

const TAG = /^backline:([^:\s]+):([^:\s]+)(?::exp=(\d{1,12}))?$/;

export function formatTag(tag: BacklineTag): string {
  return `backline:${tag.ticketId}:${tag.planId}${tag.expiresAt === null ? '' : `:exp=${tag.expiresAt}`}`;
}

export function parseTag(comment: string | null): BacklineTag | null {
  const match = comment === null ? null : TAG.exec(comment);
  if (!match?.[1] || !match[2]) return null;
  return { ticketId: match[1], planId: match[2], expiresAt: match[3] ? Number(match[3]) : null };
}

export interface BacklineRule {
  rule: SavedRule;
  /** Null for a rule someone added to the chain by hand, without Backline's tag. */
  tag: BacklineTag | null;
  destination: string | null;
  protocol: string | null;
  port: number | null;
}

/** Every rule in BACKLINE-OUT, in chain order, with its tag read back. */
export function backlineRules(parsed: ParsedRuleset): BacklineRule[] {
  const rules = filterTable(parsed)?.rules.filter((r) => r.chain === BACKLINE_CHAIN) ?? [];
  return rules.map((rule) => {
    const port = optionValue(rule.args, '--dport');
    return {
      rule,
      tag: parseTag(rule.comment),
      destination: optionValue(rule.args, '-d'),
      protocol: optionValue(rule.args, '-p'),
      port: port !== null && /^\d+$/.test(port) ? Number(port) : null,
    };
  });
}

export function hasChain(parsed: ParsedRuleset): boolean {
  return filterTable(parsed)?.chains.some((c) => c.name === BACKLINE_CHAIN) ?? false;
}

/** Rules in any filter chain that jump (or go) to BACKLINE-OUT. */
export function jumpRules(parsed: ParsedRuleset): SavedRule[] {
  return filterTable(parsed)?.rules.filter((r) => r.target === BACKLINE_CHAIN) ?? [];
}

export function hasJump(parsed: ParsedRuleset): boolean {
  return jumpRules(parsed).some((r) => r.chain === 'OUTPUT');
}

/** True when OUTPUT's first rule is the jump, so no customer ACCEPT can let traffic past the block. */
export function jumpIsFirst(parsed: ParsedRuleset): boolean {
  const first = filterTable(parsed)?.rules.find((r) => r.chain === 'OUTPUT');
  return first?.target === BACKLINE_CHAIN;
}

/**
 * The save text with every trace of Backline removed (its chain, its rules, jumps to it), every other
 * line byte for byte as it was: "removal leaves the customer's rules exactly as they were" is checked
 * by comparing this before and after.
 */
export function withoutBacklineRules(text: string): string {
  let table = '';
  return text
    .split('\n')
    .filter((raw) => {
      const content = raw.trim();
      if (content.startsWith('*')) table = content.slice(1);
      if (table !== 'filter') return true;
      if (content.startsWith(`:${BACKLINE_CHAIN} `) || content === `:${BACKLINE_CHAIN}`) return false;
      const rule = /^-A\s+(\S+)\s+(.*)$/.exec(content.replace(COUNTERS, ''));
      if (!rule) return true;
      if (rule[1] === BACKLINE_CHAIN) return false;
      const args = splitRuleArgs(rule[2] ?? '');
      return (optionValue(args, '-j') ?? optionValue(args, '-g')) !== BACKLINE_CHAIN;
    })
    .join('\n');
}

/** Drops what changes on its own between two saves: packet/byte counters and the Generated/Completed stamps. */
export function normalizeForComparison(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^# (Generated by|Completed on) /.test(line))
    .map((line) => line.replace(/\r$/, '').replace(/^(:\S+ \S+) \[\d+:\d+\]$/, '$1').replace(COUNTERS, ''))
    .join('\n');
}

/** One of the customer's own rules in the filter table's OUTPUT chain, as the probe shows it (read-only). */
export interface CustomerOutputRule {
  /** The rule as saved after `-A OUTPUT `. */
  spec: string;
  target: string | null;
  comment: string | null;
  destination: string | null;
  protocol: string | null;
  /** --dport or --dports, as written. */
  ports: string | null;
}

/**
 * The customer's own OUTPUT rules, in chain order, without Backline's jump: what else decides where the
 * server may connect, shown beside Backline's rules. The chain's policy comes with them. Pure.
 */
export function customerOutputRules(parsed: ParsedRuleset): { policy: string | null; rules: CustomerOutputRule[] } {
  const filter = filterTable(parsed);
  const policy = filter?.chains.find((c) => c.name === 'OUTPUT')?.policy ?? null;
  const rules = (filter?.rules ?? [])
    .filter((r) => r.chain === 'OUTPUT' && r.target !== BACKLINE_CHAIN)
    .map((r) => ({
      spec: r.spec,
      target: r.target,
      comment: r.comment,
      destination: optionValue(r.args, '-d'),
      protocol: optionValue(r.args, '-p'),
      ports: optionValue(r.args, '--dport') ?? optionValue(r.args, '--dports'),
    }));
  return { policy, rules };
}
