import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressFamily } from '../../../../shared/domain/address.js';

/**
 * Throwaway network namespaces for exercising real iptables (tests and fixture capture). Needs root and
 * `ip netns`; only namespaces this process created are ever touched, and each is deleted afterwards.
 */

export type Backend = 'nft' | 'legacy';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Backends whose binaries exist here; legacy needs Debian's iptables-legacy-* binaries. */
export function availableBackends(): Backend[] {
  const has = (name: string) => ['/usr/sbin', '/sbin', '/usr/bin'].some((dir) => existsSync(`${dir}/${name}`));
  return (['nft', 'legacy'] as const).filter((b) => has(`iptables-${b}-restore`) && has(`ip6tables-${b}-restore`));
}

/** How fixture files name a family (`save.nft.v4.txt`). */
export const fixtureSuffix: Record<AddressFamily, 'v4' | 'v6'> = { ipv4: 'v4', ipv6: 'v6' };

export function tool(backend: Backend, family: AddressFamily, kind: 'restore' | 'save' | 'cli'): string {
  const base = family === 'ipv4' ? 'iptables' : 'ip6tables';
  return kind === 'cli' ? `${base}-${backend}` : `${base}-${backend}-${kind}`;
}

let counter = 0;

export class Netns {
  private constructor(readonly name: string) {}

  static create(label: string): Netns {
    const name = `bl-fw${label}-${process.pid}-${counter++}`;
    const added = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
    if (added.error || added.status !== 0) {
      const why = added.error?.message ?? added.stderr.trim();
      throw new Error(`These firewall tests run real iptables in a throwaway network namespace and need root and iproute2: \`ip netns add ${name}\` failed: ${why}`);
    }
    const ns = new Netns(name);
    ns.must(['ip', 'link', 'set', 'lo', 'up']);
    return ns;
  }

  run(argv: readonly string[], input?: string): RunResult {
    const result = spawnSync('ip', ['netns', 'exec', this.name, ...argv], { encoding: 'utf8', input, timeout: 20_000 });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? (result.error?.message ?? '') };
  }

  must(argv: readonly string[], input?: string): string {
    const result = this.run(argv, input);
    if (result.status !== 0) throw new Error(`${argv.join(' ')} failed in ${this.name} (${result.status}): ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** Joins this namespace to another with a veth pair, so traffic between them is real routed traffic. */
  link(other: Netns, here: { name: string; addresses: string[] }, there: { name: string; addresses: string[] }): void {
    const added = spawnSync('ip', ['link', 'add', here.name, 'netns', this.name, 'type', 'veth', 'peer', 'name', there.name, 'netns', other.name], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`Cannot create the veth pair ${here.name}/${there.name}: ${added.stderr.trim()}`);
    for (const [ns, end] of [[this, here], [other, there]] as const) {
      ns.must(['ip', 'link', 'set', end.name, 'up']);
      // nodad: an IPv6 address is usable at once, instead of after duplicate address detection.
      for (const address of end.addresses) ns.must(['ip', 'addr', 'add', address, 'dev', end.name, ...(address.includes(':') ? ['nodad'] : [])]);
    }
  }

  destroy(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
