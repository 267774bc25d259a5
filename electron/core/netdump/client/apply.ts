import { splitSections } from '../../ssh/script-sections.js';
import { parseTargets, type ConfigfsTarget } from './targets.js';

/**
 * What the apply, remove and read-back scripts printed (scripts.ts), as facts. Pure. The kernel's
 * answer is read from its own lines: "netconsole: network logging started" when a target starts
 * sending, "<dev> doesn't support polling, aborting" (and similar netpoll lines) when it refuses.
 */

const lines = (list: readonly string[] | undefined) => (list ?? []).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');

/** A kernel line that says the target refused to start (netpoll_setup's errors, netconsole's own). */
export const KERNEL_REFUSAL = /doesn't support polling|not supported|aborting|failed|No such device|no IP address|isn't up|is down|Invalid|cannot|can't|error/i;
export const KERNEL_STARTED = /network logging started/i;

export interface KernelAnswer {
  started: boolean;
  /** The lines that refused, if any (dmesg's own words). */
  refusals: string[];
  lines: string[];
}

export function kernelAnswer(kernelLines: readonly string[]): KernelAnswer {
  const all = lines(kernelLines);
  return { started: all.some((l) => KERNEL_STARTED.test(l)), refusals: all.filter((l) => !KERNEL_STARTED.test(l) && KERNEL_REFUSAL.test(l)), lines: all };
}

export interface ApplyOutcome {
  ok: boolean;
  /** Why it failed, as the script said it (null when it did not). */
  failure: string | null;
  steps: string[];
  /** The target that was there before under the same name (its attributes). */
  replaced: Record<string, string> | null;
  /** The target as read back after enabling. */
  target: ConfigfsTarget | null;
  kernel: KernelAnswer;
  setup: { loadedConfigfs: boolean; mountedConfigfs: boolean; loadedNetconsole: boolean };
  persistedFiles: string[];
  /** On failure: what the script undid. */
  undone: string[];
  /** The output did not read as the script's (cut short, or something else ran). */
  complete: boolean;
}

const flagsOf = (line: string | undefined) => ({
  loadedConfigfs: /configfs-loaded=1/.test(line ?? ''),
  mountedConfigfs: /mounted=1/.test(line ?? ''),
  loadedNetconsole: /netconsole-loaded=1/.test(line ?? ''),
});

export function parseApplyOutput(output: string, name: string): ApplyOutcome {
  const sections = splitSections(output);
  const failure = lines(sections.get('failed'));
  const replaced = parseTargets(lines(sections.get('replaced'))).targets.find((t) => t.name === name) ?? null;
  const target = parseTargets(lines(sections.get('target')).filter((l) => l.startsWith(`${name} `))).targets[0] ?? null;
  const undone = lines(sections.get('undo'));
  const setupLine = lines(sections.get('setup'))[0];
  return {
    ok: failure.length === 0 && sections.has('setup') && target?.attrs.enabled === '1',
    failure: failure.length > 0 ? failure.join('\n') : sections.has('setup') ? (target?.attrs.enabled === '1' ? null : 'The target read back not enabled.') : 'The script stopped before it finished.',
    steps: lines(sections.get('steps')),
    replaced: replaced ? replaced.attrs : null,
    target,
    kernel: kernelAnswer(sections.get('kernel') ?? []),
    setup: flagsOf(setupLine ?? undone.find((l) => l.startsWith('undone '))),
    persistedFiles: lines(sections.get('persisted')),
    undone,
    complete: sections.has('end'),
  };
}

export interface RemoveOutcome {
  removed: boolean;
  restored: boolean;
  /** The target was already gone. */
  absent: boolean;
  filesRemoved: string[];
  modules: string[];
  /** Targets left on the server afterwards (the customer's own). */
  after: ConfigfsTarget[];
  complete: boolean;
}

export function parseRemoveOutput(output: string, name: string): RemoveOutcome {
  const sections = splitSections(output);
  const target = lines(sections.get('target'));
  return {
    removed: target.includes(`removed ${name}`),
    restored: target.includes(`restored ${name}`),
    absent: target.includes(`absent ${name}`),
    filesRemoved: lines(sections.get('files')).flatMap((l) => (l.startsWith('removed ') ? [l.slice('removed '.length)] : [])),
    modules: lines(sections.get('modules')),
    after: parseTargets(lines(sections.get('after'))).targets,
    complete: sections.has('end'),
  };
}

export function parseReadTarget(output: string, name: string): { target: ConfigfsTarget | null; kernel: KernelAnswer } {
  const sections = splitSections(output);
  return { target: parseTargets(lines(sections.get('target'))).targets.find((t) => t.name === name) ?? null, kernel: kernelAnswer(sections.get('kernel') ?? []) };
}

export interface EvidenceOutput {
  target: ConfigfsTarget | null;
  kernel: KernelAnswer;
  routeLines: string[];
  neighLines: string[];
  printkLines: string[];
  udp: { tool: string | null; sent: boolean; said: string | null };
}

/** The evidence script's output (scripts.ts `evidenceArgv`), split for the pure parsers. */
export function parseEvidenceOutput(output: string, name: string): EvidenceOutput {
  const sections = splitSections(output);
  const udp = lines(sections.get('udp'));
  const sent = udp.find((l) => l.startsWith('sent '));
  return {
    target: parseTargets(lines(sections.get('target'))).targets.find((t) => t.name === name) ?? null,
    kernel: kernelAnswer(sections.get('kernel') ?? []),
    routeLines: sections.get('route') ?? [],
    neighLines: sections.get('neigh') ?? [],
    printkLines: sections.get('printk') ?? [],
    udp: { tool: sent ? sent.slice('sent '.length) : null, sent: sent !== undefined, said: sent ? null : (udp.find((l) => /Operation not permitted/i.test(l)) ?? (udp.filter((l) => l !== 'none').join(' ') || (udp.includes('none') ? 'no python3, socat, nc or bash' : null))) },
  };
}
