import { z } from 'zod';

/**
 * The one parser of IP addresses, CIDR blocks and host names, for the window and the main side alike:
 * pure TypeScript (shared/ has neither Node's `net` nor the DOM's URL parser), strict, and with a reason
 * a person can act on when it refuses.
 *
 * Canonical text is what the servers themselves print: IPv4 as a plain dotted quad, IPv6 as glibc's
 * inet_ntop writes it, which is what iptables-save, getent and sshd's SSH_CONNECTION show. That is
 * RFC 5952 (lower case, no leading zeros, the longest run of two or more zero groups as `::`, the first
 * on a tie), plus glibc's dotted tail for `::ffff:a.b.c.d` and `::a.b.c.d` (checked against ip6tables-save
 * of iptables 1.8.9, nf_tables and legacy: see address.test.ts).
 */

export const addressFamilies = ['ipv4', 'ipv6'] as const;
/** The one spelling of an address family across Backline. */
export type AddressFamily = (typeof addressFamilies)[number];
export const addressFamilySchema = z.enum(addressFamilies);

/** For people: `IPv4`, `IPv6`. */
export const familyNames: Record<AddressFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };
/** The longest prefix of a family: a single host. */
export const maxPrefix: Record<AddressFamily, number> = { ipv4: 32, ipv6: 128 };

export interface IpAddress {
  kind: 'address';
  family: AddressFamily;
  /** Canonical text (see above). */
  text: string;
  /** 4 or 16 bytes, network order. */
  bytes: readonly number[];
}

export interface IpNetwork {
  kind: 'network';
  family: AddressFamily;
  /** The network's first address, canonical. */
  address: string;
  prefix: number;
  /** `address/prefix`, canonical. */
  text: string;
  /** The network's first address: 4 or 16 bytes, host bits clear. */
  bytes: readonly number[];
}

/** An address or a CIDR block: what a firewall rule can name as its destination. */
export type IpBlock = IpAddress | IpNetwork;

export interface Hostname {
  kind: 'hostname';
  /** Lower case, without the trailing dot of the fully qualified spelling. */
  name: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface ParseOptions {
  /** Accept `[2001:db8::1]`, the spelling pasted from URLs (default: refused). */
  brackets?: boolean;
  /**
   * An IPv6 zone (`fe80::1%eth0`) names a link on one machine and means nothing in a firewall rule or on
   * another host: refused by default; 'drop' keeps the address alone (for what a server reports of itself).
   */
  zone?: 'refuse' | 'drop';
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const problem = <T>(text: string): Parsed<T> => ({ ok: false, problem: text });

function parseIpv4Bytes(text: string): Parsed<number[]> {
  const parts = text.split('.');
  if (parts.length !== 4) return problem(`"${text}" is not an IPv4 address: it is four numbers from 0 to 255 separated by dots.`);
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return problem(`"${text}" is not an IPv4 address: it is four numbers from 0 to 255 separated by dots.`);
    // 010 is 8 to inet_aton and 10 to others: refuse the ambiguity rather than guess.
    if (part.length > 1 && part.startsWith('0')) return problem(`"${text}" is ambiguous: write the numbers of an IPv4 address without leading zeros.`);
    const value = Number(part);
    if (value > 255) return problem(`"${text}" is not an IPv4 address: ${part} is more than 255.`);
    bytes.push(value);
  }
  return ok(bytes);
}

function parseIpv6Bytes(text: string): Parsed<number[]> {
  const lower = text.toLowerCase();
  const not = (why: string) => problem<number[]>(`"${text}" is not an IPv6 address: ${why}`);
  if (!/^[0-9a-f:.]+$/.test(lower)) return not('it can hold only hex digits, colons and (in an IPv4 tail) dots.');
  const halves = lower.split('::');
  if (halves.length > 2) return not('"::" may appear only once.');
  const groupsOf = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : null;
  const groups = [...head, ...(tail ?? [])];
  const words: number[] = [];
  for (const [i, group] of groups.entries()) {
    if (group === '') return not('it has an empty group (a single colon at either end, or ":::").');
    if (group.includes('.')) {
      if (i !== groups.length - 1 || tail?.length === 0) return not('an IPv4 part may only come last.');
      const v4 = parseIpv4Bytes(group);
      if (!v4.ok) return not(`its IPv4 tail ${group} is not an IPv4 address.`);
      const [a = 0, b = 0, c = 0, d = 0] = v4.value;
      words.push((a << 8) | b, (c << 8) | d);
      continue;
    }
    if (!/^[0-9a-f]{1,4}$/.test(group)) return not(`"${group}" is not a group of one to four hex digits.`);
    words.push(parseInt(group, 16));
  }
  const headWords = words.length - (tail === null ? 0 : tail.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0));
  if (tail === null) {
    if (words.length !== 8) return not(`it has ${words.length} groups; without "::" it needs 8.`);
  } else if (words.length > 7) {
    return not('"::" stands for at least one zero group, and there are already 8.');
  }
  const filled = tail === null ? words : [...words.slice(0, headWords), ...Array<number>(8 - words.length).fill(0), ...words.slice(headWords)];
  return ok(filled.flatMap((word) => [word >> 8, word & 0xff]));
}

function formatIpv4(bytes: readonly number[]): string {
  return bytes.slice(0, 4).join('.');
}

/** As glibc's inet_ntop writes it (see the comment at the top). */
function formatIpv6(bytes: readonly number[]): string {
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
    return `${bestLength === 5 ? '::ffff:' : '::'}${formatIpv4(bytes.slice(12))}`;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function formatBytes(family: AddressFamily, bytes: readonly number[]): string {
  return family === 'ipv4' ? formatIpv4(bytes) : formatIpv6(bytes);
}

function unbracket(text: string, options: ParseOptions): Parsed<string> {
  if (!text.startsWith('[') && !text.endsWith(']')) return ok(text);
  if (!options.brackets) return problem(`Write "${text}" without the brackets.`);
  if (!/^\[[^[\]]*\]$/.test(text)) return problem(`"${text}" has unmatched brackets.`);
  const inner = text.slice(1, -1);
  if (!inner.includes(':')) return problem(`Only an IPv6 address is written in brackets, not "${inner}".`);
  return ok(inner);
}

/** An IPv4 or IPv6 address, to its canonical text and bytes. Leading and trailing spaces are ignored. */
export function parseIpAddress(raw: string, options: ParseOptions = {}): Parsed<IpAddress> {
  const bare = unbracket(raw.trim(), options);
  if (!bare.ok) return bare;
  let text = bare.value;
  if (text === '') return problem('Give an IPv4 or IPv6 address.');
  if (text.includes(':')) {
    const zone = text.indexOf('%');
    if (zone >= 0) {
      if (options.zone !== 'drop') return problem(`"${text}" names a zone (${text.slice(zone)}): a zone means one link on one machine, and cannot be used here. Give the address alone.`);
      if (zone === text.length - 1) return problem(`"${text}" has an empty zone after the %.`);
      text = text.slice(0, zone);
    }
    const bytes = parseIpv6Bytes(text);
    return bytes.ok ? ok({ kind: 'address', family: 'ipv6', text: formatIpv6(bytes.value), bytes: bytes.value }) : bytes;
  }
  const bytes = parseIpv4Bytes(text);
  return bytes.ok ? ok({ kind: 'address', family: 'ipv4', text: formatIpv4(bytes.value), bytes: bytes.value }) : bytes;
}

function maskBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((byte, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
}

/**
 * A CIDR block (`198.51.100.0/24`, `2001:db8:feed::/48`). Host bits after the prefix are refused,
 * naming the network: what the engineer reads is then exactly what a firewall stores.
 */
export function parseIpNetwork(raw: string, options: ParseOptions = {}): Parsed<IpNetwork> {
  const text = raw.trim();
  const slash = text.indexOf('/');
  if (slash < 0) return problem(`"${text}" is not a CIDR block: it needs a prefix length after a slash, such as /24.`);
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (prefixText.includes('/')) return problem(`"${text}" has more than one slash: a CIDR block is an address, one slash and a prefix length, such as 198.51.100.0/24.`);
  const address = parseIpAddress(addressText, options);
  if (!address.ok) return problem(`Before the slash: ${address.problem}`);
  const { family } = address.value;
  const max = maxPrefix[family];
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return problem(`The prefix length after the slash must be a number from 0 to ${max} for an ${familyNames[family]} network${prefixText === '' ? '' : `, not "${prefixText}"`}.`);
  }
  const prefix = Number(prefixText);
  const bytes = maskBytes(address.value.bytes, prefix);
  const network = formatBytes(family, bytes);
  if (network !== address.value.text) return problem(`${address.value.text}/${prefix} has bits set after the prefix; the network is ${network}/${prefix}.`);
  return ok({ kind: 'network', family, address: network, prefix, text: `${network}/${prefix}`, bytes });
}

/** An address, or a CIDR block when it has a slash. */
export function parseIpBlock(raw: string, options: ParseOptions = {}): Parsed<IpBlock> {
  return raw.includes('/') ? parseIpNetwork(raw, options) : parseIpAddress(raw, options);
}

export const isIpAddress = (text: string): boolean => parseIpAddress(text).ok;

/** The canonical text of an address or CIDR block, or null when it is neither. */
export function canonicalIp(text: string): string | null {
  const parsed = parseIpBlock(text);
  return parsed.ok ? parsed.value.text : null;
}

/** The block with its prefix always written (`203.0.113.7/32`), as iptables-save prints a destination. */
export function blockCidr(block: IpBlock): string {
  return block.kind === 'network' ? block.text : `${block.text}/${maxPrefix[block.family]}`;
}

/**
 * Whether the block holds the address. Families never mix: `::ffff:10.0.0.1` is an IPv6 address,
 * which an IPv4 block (and an iptables rule for IPv4) does not match.
 */
export function blockContains(block: IpBlock, address: IpAddress): boolean {
  if (block.family !== address.family) return false;
  const prefix = block.kind === 'network' ? block.prefix : maxPrefix[block.family];
  const masked = maskBytes(address.bytes, prefix);
  return block.bytes.every((byte, i) => byte === masked[i]);
}

/** `blockContains` on text; false when either side does not parse. */
export function cidrContains(block: string, address: string): boolean {
  const b = parseIpBlock(block);
  const a = parseIpAddress(address);
  return b.ok && a.ok && blockContains(b.value, a.value);
}

/** A host as written before `:port` or after `user@`: an IPv6 address in brackets, anything else as is. */
export function bracketHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** `203.0.113.7:80`, `[2001:db8::1]:443`, `feeds.example.net:80`: how clients write a host and port. */
export function hostPort(host: string, port: number): string {
  return `${bracketHost(host)}:${port}`;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A human reason the name is not a valid RFC 1123 host name, or null when it is. */
export function hostnameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a host name or an address.';
  // One trailing dot is the fully qualified spelling of the same name.
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > 253) return `A host name is at most 253 characters; this one has ${bare.length}.`;
  const labels = bare.split('.');
  for (const label of labels) {
    if (label.length === 0) return 'A host name cannot have empty parts (two dots in a row, or a leading dot).';
    if (label.length > 63) return `Each part of a host name is at most 63 characters; "${label.slice(0, 20)}…" has ${label.length}.`;
    if (label.startsWith('-') || label.endsWith('-')) return `A part of a host name cannot start or end with a dash: "${label}".`;
    if (!LABEL.test(label)) return `"${label}" has characters a host name cannot contain (only letters, digits and dashes).`;
  }
  // An all-numeric last label would be read as an (invalid) IPv4 address by resolvers.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return `"${name}" is neither a valid IPv4 address nor a host name.`;
  return null;
}

export function parseHostname(raw: string): Parsed<Hostname> {
  const text = raw.trim();
  const why = hostnameProblem(text);
  return why === null ? ok({ kind: 'hostname', name: text.toLowerCase().replace(/\.$/, '') }) : problem(why);
}

/** Whether text is meant as an IP address or block rather than a name: a colon, or only digits, dots and a prefix. */
const looksLikeIp = (text: string) => text.includes(':') || /^[\d.]+(\/.*)?$/.test(text) || text.includes('/');

/**
 * A host as an engineer types it: a host name, an IPv4 or IPv6 address (brackets allowed), and with
 * `networks` a CIDR block too. Text that is meant as an address gets the address's reason when it fails.
 */
export function parseHost(raw: string, options: { networks: true }): Parsed<Hostname | IpBlock>;
export function parseHost(raw: string, options?: { networks?: false }): Parsed<Hostname | IpAddress>;
export function parseHost(raw: string, options: { networks?: boolean } = {}): Parsed<Hostname | IpBlock> {
  const text = raw.trim();
  if (text === '') return problem('Enter a host name or an address.');
  if (!looksLikeIp(text) && !text.startsWith('[')) return parseHostname(text);
  if (text.includes('/') && !options.networks) return problem(`"${text}" is a CIDR block; give one host name or address.`);
  return options.networks ? parseIpBlock(text, { brackets: true }) : parseIpAddress(text, { brackets: true });
}

/** A zod string checked and canonicalised by one of the parsers above: the parser's reason becomes the issue. */
export function parsedString<T>(parse: (text: string) => Parsed<T>, max = 253) {
  return z
    .string()
    .trim()
    .max(max)
    .transform((text, ctx) => {
      const parsed = parse(text);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    });
}

/** An address as text, checked and stored canonical (brackets accepted on the way in). */
export const ipAddressTextSchema = parsedString((text) => parseIpAddress(text, { brackets: true }), 64).transform((a) => a.text);
/** An address or CIDR block as text, checked and stored canonical. */
export const ipBlockTextSchema = parsedString((text) => parseIpBlock(text, { brackets: true }), 64).transform((b) => b.text);
