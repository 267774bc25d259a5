import { parseIpAddress, type AddressFamily } from '../../../shared/domain/address.js';

/** A host name as the customer's server resolves it. Names, addresses and blocks are parsed in shared/domain/address.ts. */

export interface ResolvedAddress {
  /** Canonical, as iptables-save will print it. */
  address: string;
  family: AddressFamily;
}

/**
 * Reads `getent ahosts NAME`: one line per (address, socket type), the first line of each address also
 * naming the canonical host. Returns each address once, in the resolver's order (which is the order
 * clients such as PHP try them in). A link-local zone is dropped: the rule matches the address alone.
 */
export function parseGetentAhosts(output: string): ResolvedAddress[] {
  const seen = new Set<string>();
  const addresses: ResolvedAddress[] = [];
  for (const line of output.split('\n')) {
    const parsed = parseIpAddress(line.trim().split(/\s+/)[0] ?? '', { zone: 'drop' });
    if (!parsed.ok || seen.has(parsed.value.text)) continue;
    seen.add(parsed.value.text);
    addresses.push({ address: parsed.value.text, family: parsed.value.family });
  }
  return addresses;
}
