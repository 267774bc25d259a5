import { parseBlockTarget, sessionCutDetailSchema, type SessionCutDetail } from '../../../shared/contract/firewall.js';
import type { MethodInput } from '../../../shared/contract/index.js';
import { blockContains, parseIpAddress, parseIpBlock, type AddressFamily } from '../../../shared/domain/address.js';
import { blockProtocols, type BlockProtocol } from '../../../shared/domain/plan.js';
import type { ErrorIssue, WireError } from '../../../shared/errors.js';

export const protocols = blockProtocols;
export type Protocol = BlockProtocol;

export interface BlockAddress {
  /** Canonical, as the main side and iptables-save write it. */
  address: string;
  family: AddressFamily;
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

/** The target as an address or CIDR block (canonical), or null when it is a name to resolve on the server, or not valid. */
export function literalAddress(target: string): BlockAddress | null {
  const parsed = parseBlockTarget(target);
  if (!parsed.ok || parsed.value.kind === 'hostname') return null;
  return { address: parsed.value.text, family: parsed.value.family };
}

/** Why the target cannot be blocked or resolved, by the same parser the main side uses; null when it can (or is empty). */
export function targetProblem(target: string): string | null {
  if (target.trim() === '') return null;
  const parsed = parseBlockTarget(target);
  return parsed.ok ? null : parsed.problem;
}

/** The picked addresses, in the order listed (the server resolved them in that order). */
export function pickedAddresses(all: readonly BlockAddress[], picked: ReadonlySet<string>): string[] {
  return [...new Set(all.map((a) => a.address))].filter((a) => picked.has(a));
}

/**
 * The addresses left unpicked stay reachable, and the server checks that they still answer after the
 * block (the good heads). A CIDR block is not a host that can answer, so it is never checked, and an
 * address inside a picked block is blocked, not kept.
 */
export function keepReachableFrom(all: readonly BlockAddress[], picked: ReadonlySet<string>): string[] {
  const blocks = [...picked].flatMap((text) => {
    const block = parseIpBlock(text);
    return block.ok ? [block.value] : [];
  });
  return [...new Set(all.map((a) => a.address))].filter((text) => {
    if (picked.has(text)) return false;
    const address = parseIpAddress(text);
    return address.ok && !blocks.some((block) => blockContains(block, address.value));
  });
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

/** Issues about one listed address (`addresses.2`, `keepReachable.0`), keyed by the address that was sent at that index. */
export function addressIssues(issues: readonly ErrorIssue[] | undefined, sent: { addresses: readonly string[]; keepReachable?: readonly string[] | undefined }): Record<string, string> {
  const result: Record<string, string> = {};
  for (const issue of issues ?? []) {
    const match = /^(addresses|keepReachable)\.(\d+)$/.exec(issue.path);
    if (!match) continue;
    const list = match[1] === 'addresses' ? sent.addresses : (sent.keepReachable ?? []);
    const address = list[Number(match[2])];
    if (address !== undefined) result[address] ??= issue.message;
  }
  return result;
}

/** The refusal to cut the engineer's own SSH session, with the session's address; null for any other outcome. */
export function sessionCutOf(error: WireError | null): SessionCutDetail | null {
  if (error?.code !== 'SESSION_WOULD_BE_CUT') return null;
  const detail = sessionCutDetailSchema.safeParse(error.detail);
  return detail.success ? detail.data : null;
}

/** Whether the preview was refused because the block would cut the engineer's own SSH session. */
export const refusedForOwnSession = (error: WireError | null): boolean => error?.code === 'SESSION_WOULD_BE_CUT';
