/**
 * netconsole's configfs targets as a script prints them: `<name> <attribute> <value>` per line, for
 * /sys/kernel/config/netconsole/<name>/<attribute>. Pure.
 */

export interface ConfigfsTarget {
  name: string;
  attrs: Record<string, string>;
}

/** The attributes Backline reads, writes and restores, in the order they are written (enabled last). */
export const TARGET_ATTRIBUTES = ['dev_name', 'local_ip', 'remote_ip', 'remote_mac', 'local_port', 'remote_port', 'extended', 'release', 'enabled'] as const;

export function parseTargets(lines: readonly string[]): { targets: ConfigfsTarget[]; unparsed: string[] } {
  const byName = new Map<string, ConfigfsTarget>();
  const unparsed: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const match = /^(\S+) ([a-z_]+) ?(.*)$/.exec(line);
    if (!match?.[1] || !match[2]) {
      unparsed.push(line);
      continue;
    }
    const target = byName.get(match[1]) ?? { name: match[1], attrs: {} };
    target.attrs[match[2]] = (match[3] ?? '').trim();
    byName.set(match[1], target);
  }
  return { targets: [...byName.values()], unparsed };
}
