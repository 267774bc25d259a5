import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * What the engineer wants to block, validated at the contract (DESIGN.md principle 4): a host name to
 * resolve on the customer's server, or an address / network, with an optional port and protocol.
 */
export type Protocol = 'tcp' | 'udp' | 'any';
export type Family = 4 | 6;

export type TargetHost =
  | { kind: 'hostname'; name: string }
  | { kind: 'address'; address: string; family: Family }
  | { kind: 'network'; address: string; prefix: number; family: Family };

export interface Target {
  host: TargetHost;
  port: number | null;
  protocol: Protocol;
}

export interface TargetInput {
  host: string;
  /** A number, a numeric string, or empty / null for every port. */
  port?: string | number | null;
  protocol?: string | null;
}

export interface FieldError {
  field: 'host' | 'port' | 'protocol';
  message: string;
}

export type TargetResult = { ok: true; target: Target } | { ok: false; errors: FieldError[] };

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Returns a human reason the name is not a valid RFC 1123 host name, or null when it is. */
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

/** Parses an address or CIDR network; host bits must be clear so the preview shows exactly what iptables stores. */
function parseHost(raw: string): TargetHost | string {
  const text = raw.trim();
  // Accept the bracketed IPv6 spelling people paste from URLs.
  const unbracketed = /^\[[^\]]*\]$/.test(text) ? text.slice(1, -1) : text;
  const slash = unbracketed.indexOf('/');
  if (slash >= 0) {
    const address = unbracketed.slice(0, slash);
    const prefixText = unbracketed.slice(slash + 1);
    const ipVersion = isIP(address);
    if (ipVersion !== 4 && ipVersion !== 6) return `"${address}" before the slash is not an IPv4 or IPv6 address.`;
    const family: Family = ipVersion;
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      return `The prefix length after the slash must be a number from 0 to ${max} for an IPv${family} network.`;
    }
    const prefix = Number(prefixText);
    const network = maskAddress(address, family, prefix);
    if (network !== canonicalAddress(address, family)) {
      return `${address}/${prefix} has bits set after the prefix; the network is ${network}/${prefix}.`;
    }
    if (prefix === 0) return 'A /0 network would block every outbound connection; name a host or a smaller network.';
    return { kind: 'network', address: network, prefix, family };
  }
  if (isIPv4(unbracketed)) return { kind: 'address', address: unbracketed, family: 4 };
  if (isIPv6(unbracketed)) {
    if (unbracketed.includes('%')) return 'An IPv6 address with a zone (%eth0) cannot be used in a firewall rule.';
    return { kind: 'address', address: canonicalAddress(unbracketed, 6), family: 6 };
  }
  const problem = hostnameProblem(text);
  return problem ?? { kind: 'hostname', name: text.toLowerCase().replace(/\.$/, '') };
}

export function parseTarget(input: TargetInput): TargetResult {
  const errors: FieldError[] = [];
  const host = parseHost(input.host);
  if (typeof host === 'string') errors.push({ field: 'host', message: host });

  const protocolText = (input.protocol ?? 'any').trim().toLowerCase() || 'any';
  let protocol: Protocol = 'any';
  if (protocolText === 'tcp' || protocolText === 'udp' || protocolText === 'any') protocol = protocolText;
  else errors.push({ field: 'protocol', message: `Protocol must be tcp, udp or any, not "${protocolText}".` });

  let port: number | null = null;
  const portText = input.port === undefined || input.port === null ? '' : String(input.port).trim();
  if (portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      errors.push({ field: 'port', message: `A port is a whole number from 1 to 65535, not "${portText}".` });
    } else if (protocol === 'any') {
      // iptables only matches --dport together with -p tcp or -p udp.
      errors.push({ field: 'protocol', message: 'A port needs a protocol: choose tcp or udp.' });
    } else {
      port = Number(portText);
    }
  }
  if (errors.length > 0 || typeof host === 'string') return { ok: false, errors };
  return { ok: true, target: { host, port, protocol } };
}

/** The compressed, lower-case form that iptables-save prints, so comparisons and previews match the server. */
export function canonicalAddress(address: string, family: Family): string {
  if (family === 4) return address;
  return wordsToIPv6(ipv6Words(address));
}

function ipv6Words(address: string): number[] {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two 16-bit words.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((word) => parseInt(word, 16));
}

function wordsToIPv6(words: number[]): string {
  // RFC 5952: compress the longest run (of at least two) of zero words, the first one on a tie.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function maskAddress(address: string, family: Family, prefix: number): string {
  if (family === 4) {
    const octets = address.split('.').map(Number);
    return octets.map((octet, i) => octet & maskByte(prefix - i * 8)).join('.');
  }
  const words = ipv6Words(address).map((word, i) => {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    return bits === 0 ? 0 : word & ((0xffff << (16 - bits)) & 0xffff);
  });
  return wordsToIPv6(words);
}

function maskByte(bits: number): number {
  if (bits >= 8) return 0xff;
  if (bits <= 0) return 0;
  return (0xff << (8 - bits)) & 0xff;
}

export interface ResolvedAddress {
  address: string;
  family: Family;
}

/**
 * Reads `getent ahosts NAME`: one line per (address, socket type), the first line of each address also
 * naming the canonical host. Returns each address once, in the resolver's order (which is the order
 * clients such as PHP try them in).
 */
export function parseGetentAhosts(output: string): ResolvedAddress[] {
  const seen = new Set<string>();
  const addresses: ResolvedAddress[] = [];
  for (const line of output.split('\n')) {
    const first = line.trim().split(/\s+/)[0] ?? '';
    const family = isIP(first);
    if (family !== 4 && family !== 6) continue;
    const address = canonicalAddress(first, family);
    if (seen.has(address)) continue;
    seen.add(address);
    addresses.push({ address, family });
  }
  return addresses;
}
