import type { MemoryPicture } from '../../../../shared/domain/php-memory.js';
import { formatSize } from '../../../../shared/domain/size.js';

type Facts = Pick<MemoryPicture, 'phpFound' | 'pools' | 'cliDiffers' | 'memory' | 'phpTotal' | 'worstCaseBytes' | 'oomEvents' | 'memoryExhausted'> & { masters: MemoryPicture['fpmMasters'] };

/**
 * What stands out in a memory picture, said plainly for the engineer and the ticket: no PHP, FPM not
 * running, the CLI's memory_limit that is not the site's, each pool's worst case against the machine and
 * the cgroup, PHP's memory now, the OOM kills (and which hit FPM's own cgroup), the exhausted limits.
 */
export function memoryFindings(facts: Facts): string[] {
  const { phpFound, masters, pools, cliDiffers, memory, phpTotal, worstCaseBytes, oomEvents, memoryExhausted } = facts;
  const findings: string[] = [];
  const running = pools.filter((p) => p.masterPid !== null);
  if (!phpFound) findings.push('No PHP was found on this server: no php CLI, no php-fpm (running or configured) and no Apache mod_php.');
  if (masters.length === 0 && pools.length > 0) findings.push(`php-fpm is configured (${pools.map((p) => `pool ${p.name}`).join(', ')}) but no php-fpm master process is running.`);
  for (const difference of cliDiffers.filter((d) => d.name === 'memory_limit')) {
    findings.push(`memory_limit differs: the CLI (${difference.cliBinary}) has ${difference.cli}, FPM pool ${difference.pool} runs with ${difference.poolValue}. \`php -i\` on the command line does not show what the site runs with.`);
  }
  for (const pool of running) {
    const limit = pool.settings.find((s) => s.name === 'memory_limit');
    if (pool.worstCaseBytes !== null) {
      const cgroupLimit = masters.find((m) => m.pid === pool.masterPid)?.cgroup?.limitBytes ?? null;
      const against = [memory ? `MemTotal ${formatSize(memory.totalBytes)}` : null, cgroupLimit !== null ? `the cgroup limit ${formatSize(cgroupLimit)}` : null].filter(Boolean);
      findings.push(`Pool ${pool.name}: memory_limit ${limit?.value ?? '?'} × pm.max_children ${pool.maxChildren ?? '?'} = ${formatSize(pool.worstCaseBytes)} at worst${against.length ? ` (against ${against.join(' and ')})` : ''}; ${pool.workers.count} worker${pool.workers.count === 1 ? ' now holds' : 's now hold'} ${formatSize(pool.workers.rssBytes)} RSS.`);
    } else if (limit?.value === '-1') {
      findings.push(`Pool ${pool.name} has no memory_limit (-1): one request can take all the memory there is.`);
    }
  }
  if (memory && phpTotal.count > 0) {
    const swapUsed = memory.swapTotalBytes - memory.swapFreeBytes;
    findings.push(
      `PHP's ${phpTotal.count} process${phpTotal.count === 1 ? '' : 'es'} hold ${formatSize(phpTotal.rssBytes)} RSS${phpTotal.pssBytes !== null ? ` (${formatSize(phpTotal.pssBytes)} PSS)` : ''} of MemTotal ${formatSize(memory.totalBytes)}; MemAvailable ${memory.availableBytes === null ? 'unknown' : formatSize(memory.availableBytes)}; ${memory.swapTotalBytes === 0 ? 'no swap' : `swap ${formatSize(swapUsed)} used of ${formatSize(memory.swapTotalBytes)}`}.`,
    );
  }
  if (worstCaseBytes !== null && memory) {
    const cgroupLimits = masters.map((m) => m.cgroup?.limitBytes).filter((n): n is number => typeof n === 'number');
    const cap = Math.min(memory.totalBytes, ...cgroupLimits);
    if (worstCaseBytes > cap) {
      findings.push(`All pools at their worst (${formatSize(worstCaseBytes)}) exceed the memory they can have (${formatSize(cap)}${cgroupLimits.length && cap < memory.totalBytes ? ', the FPM cgroup limit' : ', MemTotal'}): the OOM killer, not memory_limit, decides what happens.`);
    }
  }
  if (oomEvents.length > 0) {
    const cgroupKills = oomEvents.filter((e) => e.cgroup).length;
    findings.push(`${oomEvents.length} OOM kill${oomEvents.length === 1 ? '' : 's'} in the kernel log${cgroupKills ? ` (${cgroupKills} by a memory cgroup's limit)` : ''}, the last of ${oomEvents.at(-1)?.process ?? '?'} at ${oomEvents.at(-1)?.atIso ?? oomEvents.at(-1)?.at ?? '?'}.`);
    // The kernel log is the machine's: say which kills hit the FPM's own cgroup.
    for (const master of masters) {
      const path = master.cgroup?.path;
      if (!path || path === '/') continue;
      const own = oomEvents.filter((e) => e.memcg === path);
      if (own.length > 0) findings.push(`${own.length} of them in the memory cgroup of php-fpm master ${master.pid} (${path}), the last of ${own.at(-1)?.process ?? '?'} pid ${own.at(-1)?.pid ?? '?'} with ${formatSize(own.at(-1)?.rssBytes ?? 0)} resident.`);
    }
  }
  for (const group of memoryExhausted.slice(0, 5)) {
    findings.push(`${group.count}× "Allowed memory size of ${group.limitBytes} bytes exhausted" at ${group.file}:${group.line} (tried to allocate up to ${formatSize(group.triedBytes)})${group.last ? `, last at ${group.last}` : ''}.`);
  }

  return findings;
}
