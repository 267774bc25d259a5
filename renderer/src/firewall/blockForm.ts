import type { MethodInput } from '../../../shared/contract/index.js';
import type { ErrorIssue, WireError } from '../../../shared/errors.js';

export const protocols = ['tcp', 'udp', 'any'] as const;
export type Protocol = (typeof protocols)[number];
export type Family = 'ipv4' | 'ipv6';

export interface BlockAddress {
  address: string;
  family: Family;
}

export interface BlockFormValues {
  target: string;
  port: number | string;
  protocol: Protocol;
  expiresInMinutes: number | string;
  persist: boolean;
  confirmWithinS: number | string;
  /** Allow blocking the SSH session's own address; offered only after the main side refused it. */
  force: boolean;
}

export const DEFAULT_CONFIRM_WITHIN_S = 60;

export const emptyBlockForm = (): BlockFormValues => ({
  target: '',
  port: '',
  protocol: 'tcp',
  expiresInMinutes: '',
  persist: false,
  confirmWithinS: DEFAULT_CONFIRM_WITHIN_S,
  force: false,
});

export function isProtocol(value: string | null): value is Protocol {
  return (protocols as readonly (string | null)[]).includes(value);
}

export type BlockField = 'target' | 'addresses' | 'port' | 'protocol' | 'expires' | 'confirm';

/** Which form field shows an issue, by the first segment of its path (firewall.preview and firewall.resolve inputs). */
export const blockFieldFor: Record<string, BlockField> = {
  target: 'target',
  host: 'target',
  addresses: 'addresses',
  keepReachable: 'addresses',
  port: 'port',
  protocol: 'protocol',
  expiresInMinutes: 'expires',
  confirmWithinS: 'confirm',
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  try {
    // The URL parser knows every IPv6 spelling (::, embedded IPv4...) and rejects the rest.
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** The target as an address or CIDR block, or null when it is a name to resolve on the server. */
export function literalAddress(target: string): BlockAddress | null {
  const text = target.trim();
  const [bare = '', prefix, ...rest] = text.split('/');
  if (rest.length > 0) return null;
  const family: Family | null = IPV4.test(bare) ? 'ipv4' : isIpv6(bare) ? 'ipv6' : null;
  if (family === null) return null;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 'ipv4' ? 32 : 128)) return null;
  }
  return { address: text, family };
}

export const isCidr = (address: string) => address.includes('/');

/** The picked addresses, in the order listed (the server resolved them in that order). */
export function pickedAddresses(all: readonly BlockAddress[], picked: ReadonlySet<string>): string[] {
  return [...new Set(all.map((a) => a.address))].filter((a) => picked.has(a));
}

/**
 * The addresses left unpicked stay reachable, and the server checks that they still answer after the
 * block (the good heads). A CIDR block is not a host that can answer, so it is never checked.
 */
export function keepReachableFrom(all: readonly BlockAddress[], picked: ReadonlySet<string>): string[] {
  return [...new Set(all.map((a) => a.address))].filter((a) => !picked.has(a) && !isCidr(a));
}

const toInt = (value: number | string): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = value.trim();
  return text === '' ? undefined : Number(text);
};

/** The firewall.preview input for the form; validation (ranges, addresses, the session's own address) is the main side's. */
export function toPreviewInput(
  ticketId: string,
  serverId: number,
  values: BlockFormValues,
  all: readonly BlockAddress[],
  picked: ReadonlySet<string>,
): MethodInput<'firewall.preview'> {
  const input: MethodInput<'firewall.preview'> = {
    ticketId,
    serverId,
    target: values.target.trim(),
    addresses: pickedAddresses(all, picked),
    keepReachable: keepReachableFrom(all, picked),
    protocol: values.protocol,
    persist: values.persist,
    force: values.force,
    confirmWithinS: toInt(values.confirmWithinS) ?? DEFAULT_CONFIRM_WITHIN_S,
  };
  const port = toInt(values.port);
  if (port !== undefined) input.port = port;
  const expires = toInt(values.expiresInMinutes);
  if (expires !== undefined) input.expiresInMinutes = expires;
  return input;
}

/** Issues about one listed address (`addresses.2`), keyed by the address that was sent at that index. */
export function addressIssues(issues: readonly ErrorIssue[] | undefined, sent: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const issue of issues ?? []) {
    const match = /^(?:addresses|keepReachable)\.(\d+)$/.exec(issue.path);
    const address = match ? sent[Number(match[1])] : undefined;
    if (address !== undefined) result[address] ??= issue.message;
  }
  return result;
}

/** Whether the preview was refused because the block would cut the engineer's own SSH session. */
export function refusedForOwnSession(error: WireError | null): boolean {
  if (!error || error.code !== 'VALIDATION_FAILED') return false;
  return /cut (this|your) ssh session/i.test(error.message);
}
