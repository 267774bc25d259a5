import { createHash } from 'node:crypto';
import type { CaptureRef, NetdumpPanic, PanicKind } from '../../../../shared/domain/netdump.js';

/**
 * Finds kernel panics, oopses, BUGs and WARNINGs in one sender's lines and extracts the whole event:
 * its headlines, trace, modules line, CPU and hardware lines and registers. Fed line by line in arrival
 * order; `tick` closes an event that went quiet. Pure but for the clock values it is given.
 */

export interface TrackedLine {
  text: string;
  at: string;
  atMs: number;
  seq: number | null;
  usec: number | null;
  capture: CaptureRef | null;
}

export interface PanicTrackerOptions {
  /** After `---[ end trace`, how long to wait for a panic that follows (an oops in interrupt context, "Fatal exception"). */
  quietMs: number;
  /** An event with no end marker is closed after this long without a line. */
  idleMs: number;
}

const HEADLINES: { kind: PanicKind; pattern: RegExp }[] = [
  { kind: 'panic', pattern: /^Kernel panic - not syncing/ },
  { kind: 'general-protection', pattern: /^(Oops: )?general protection fault/ },
  { kind: 'oops', pattern: /^Oops\b/ },
  { kind: 'bug', pattern: /(^|: )BUG: |^kernel BUG at / },
  { kind: 'warning', pattern: /^WARNING: CPU: / },
  // A hung task, an RCU stall: `INFO: task x blocked for more than 120 seconds.`, `rcu: INFO: rcu_sched detected stalls`.
  { kind: 'warning', pattern: /^(\w+: )?INFO: / },
];
const SEVERITY: PanicKind[] = ['warning', 'bug', 'oops', 'general-protection', 'panic'];
/** Lines that start a trace even without a headline before them (a hung task, a soft lockup's trace). */
const TRACE_START = /^(Call Trace:|RIP: )/;
/** A panic ends with its end marker, or, with a panic timeout set (`panic=N`), with the reboot notice instead of it. */
const END_PANIC = /^(---\[ end Kernel panic|Rebooting in \d+ seconds)/;
const END_TRACE = /^---\[ end trace/;
const CUT_HERE = /^-+\[ cut here \]-+$/;
const MODULES = /^Modules linked in:/;
const CPU_LINE = /^CPU: \d+ (UID: \d+ )?PID: \d+/;
const HARDWARE = /^Hardware name: /;
const REGISTER = /^(RIP|RSP|RAX|RBX|RCX|RDX|RSI|RDI|RBP|R\d{1,2}|FS|GS|CS|DS|ES|CR[0-4]|DR[0-7]|Code|PKRU|EFLAGS)\s*:/;
/** What a panic prints after its trace ended, still part of it. */
const AFTER_END = /^(RIP|RSP|RAX|RBX|RCX|RDX|RSI|RDI|RBP|R\d{1,2}|FS|GS|CS|DS|ES|CR[0-4]|DR[0-7]|Code|PKRU|Kernel Offset|Rebooting in|Fixing recursive fault|Modules linked in:|---\[ end trace)/;
const PLAIN_TIME = /^(<\d>)?\[\s*\d+\.\d+\]\s?/;

/** A console line without the plain format's `[  12.345678] ` time prefix (and a `<N>` level). */
export const bareLine = (text: string): string => (text.charCodeAt(0) === 0x5b || text.charCodeAt(0) === 0x3c ? text.replace(PLAIN_TIME, '') : text);

/** Every line that can start (or explain) an event has one of these; the rest are skipped cheaply. */
const MAY_START = /panic|fault|Oops|BUG|WARNING|INFO: |Call Trace|RIP: |cut here/;

export function kernelReleaseIn(line: string): string | null {
  if (!line.includes('PID:') && !line.includes('Linux version')) return null;
  const bare = bareLine(line);
  const cpu = /(?:Not tainted|Tainted:[ A-Z]*?) +(\d[\w.+~-]*) +#/.exec(bare);
  if (cpu && CPU_LINE.test(bare)) return cpu[1]!;
  const version = /^Linux version (\d[\w.+~-]*) /.exec(bare);
  return version ? version[1]! : null;
}

interface OpenEvent {
  kind: PanicKind;
  headlines: string[];
  lines: TrackedLine[];
  /** The trace's end (`</TASK>`, `---[ end trace`) came: only what a dump prints after it still belongs. */
  traceEnded: boolean;
  /** Started by a bare `Call Trace:`/`RIP:` with no headline: a later headline is an event of its own. */
  headless: boolean;
  /** A backtrace someone asked for (sysrq-l, an NMI backtrace): not a fault, given out as nothing. */
  requested: boolean;
  lastMs: number;
}

/** Lines a dump prints between its explanation and its trace (looked back over for a headline-less trace). */
const CONTEXT = /^(CPU: \d+ |Hardware name: |Workqueue: |task:\S+ +state:)/;
const REQUESTED = /^(sysrq: |NMI backtrace for cpu )/;
const RECENT = 6;

export class PanicTracker {
  private open: OpenEvent | null = null;
  private cutHere: TrackedLine | null = null;
  /** The last few lines, newest last: what explains a trace that comes with no headline. */
  private readonly recent: TrackedLine[] = [];

  constructor(
    private readonly sender: string,
    private readonly options: PanicTrackerOptions = { quietMs: 300, idleMs: 3000 },
  ) {}

  /** Whether an event is being collected (the receiver ticks only then). */
  get collecting(): boolean {
    return this.open !== null;
  }

  line(line: TrackedLine, kernelRelease: string | null): NetdumpPanic[] {
    if (!this.open && !MAY_START.test(line.text)) {
      this.cutHere = null;
      this.remember(line);
      return [];
    }
    const done: NetdumpPanic[] = [];
    const bare = bareLine(line.text);
    const headline = HEADLINES.find((h) => h.pattern.test(bare));
    const open = this.open;
    if (open) {
      const continues = !open.traceEnded || (headline !== undefined && !open.headless) || AFTER_END.test(bare) || END_PANIC.test(bare);
      if (continues) {
        this.add(open, line, bare, headline?.kind);
        if (END_PANIC.test(bare)) done.push(...this.close(kernelRelease, true));
        else if (END_TRACE.test(bare) || /^\s*<\/TASK>/.test(bare)) open.traceEnded = true;
        this.remember(line);
        return done;
      }
      done.push(...this.close(kernelRelease, true));
    }
    if (headline || TRACE_START.test(bare)) {
      const event: OpenEvent = { kind: headline?.kind ?? 'warning', headlines: [], lines: [], traceEnded: false, headless: !headline, requested: false, lastMs: line.atMs };
      const before = this.recent.at(-1);
      if (headline && this.cutHere && before === this.cutHere) event.lines.push(this.cutHere);
      if (!headline) this.explain(event);
      this.open = event;
      this.add(event, line, bare, headline?.kind);
      if (END_PANIC.test(bare)) done.push(...this.close(kernelRelease, true));
    }
    this.cutHere = CUT_HERE.test(bare) ? line : null;
    this.remember(line);
    return done;
  }

  /** Closes an event that went quiet after its end marker, or for too long without one. */
  tick(nowMs: number, kernelRelease: string | null): NetdumpPanic[] {
    const open = this.open;
    if (!open) return [];
    const quiet = nowMs - open.lastMs;
    // After a panic nothing more comes (the machine stops or reboots): a short quiet closes it.
    const settled = open.traceEnded || open.kind === 'panic';
    if ((settled && quiet >= this.options.quietMs) || quiet >= this.options.idleMs) return this.close(kernelRelease, open.traceEnded);
    return [];
  }

  /** Closes whatever is open (the sender rebooted, the receiver stops). */
  finish(kernelRelease: string | null): NetdumpPanic[] {
    return this.open ? this.close(kernelRelease, this.open.traceEnded) : [];
  }

  /**
   * A trace with no headline of its own (a hung task's, a lockup's, a requested backtrace) is explained
   * by the line before the CPU and hardware lines that precede it; those lines belong to it too.
   */
  private explain(event: OpenEvent): void {
    const taken: TrackedLine[] = [];
    let at = this.recent.length - 1;
    while (at >= 0 && CONTEXT.test(bareLine(this.recent[at]!.text))) taken.unshift(this.recent[at--]!);
    const why = at >= 0 ? this.recent[at]! : null;
    if (why && !CUT_HERE.test(bareLine(why.text))) taken.unshift(why);
    event.lines.push(...taken);
    const title = taken[0] ? bareLine(taken[0].text) : null;
    if (title) event.headlines.push(title);
    event.requested = title !== null && REQUESTED.test(title);
  }

  private remember(line: TrackedLine): void {
    this.recent.push(line);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  private add(event: OpenEvent, line: TrackedLine, bare: string, kind: PanicKind | undefined): void {
    event.lines.push(line);
    event.lastMs = line.atMs;
    if (kind) {
      event.headlines.push(bare);
      if (SEVERITY.indexOf(kind) > SEVERITY.indexOf(event.kind)) event.kind = kind;
    }
  }

  private close(kernelRelease: string | null, ended: boolean): NetdumpPanic[] {
    const event = this.open!;
    this.open = null;
    if (event.requested) return [];
    return [extractPanic(this.sender, event.kind, event.headlines, event.lines, kernelRelease, ended)];
  }
}

/** The parts of an event's lines a finding shows. */
export function extractPanic(sender: string, kind: PanicKind, headlines: string[], lines: TrackedLine[], kernelRelease: string | null, ended: boolean): NetdumpPanic {
  const bare = lines.map((line) => bareLine(line.text));
  const trace: string[] = [];
  let inTrace = false;
  let inTask = false;
  for (const text of bare) {
    if (/^Call Trace:/.test(text)) {
      inTrace = true;
      trace.push(text);
      continue;
    }
    if (!inTrace) continue;
    if (/^\s*<TASK>/.test(text)) inTask = true;
    // Frames are indented (` dump_stack+0x…`, ` ? foo+0x…`); inside <TASK> … </TASK> the user-space registers count too.
    if (inTask || /^\s/.test(text) || /^<\/?(IRQ|NMI|SOFTIRQ|EOI)>$/.test(text.trim())) {
      trace.push(text);
      if (/^\s*<\/TASK>/.test(text)) inTrace = inTask = false;
    } else inTrace = false;
  }
  const registers: string[] = [];
  for (const text of bare) if (REGISTER.test(text) && !registers.includes(text)) registers.push(text);
  const cpu = bare.find((text) => CPU_LINE.test(text)) ?? null;
  const release = kernelRelease ?? (cpu ? kernelReleaseIn(cpu) : null);
  const panicLine = headlines.find((h) => /^Kernel panic - not syncing/.test(h));
  const first = lines[0]!;
  const last = lines[lines.length - 1]!;
  const title = panicLine ?? headlines[0] ?? bare[0] ?? 'Kernel trace';
  const id = createHash('sha256')
    .update([sender, first.seq ?? '', first.usec ?? '', first.seq === null ? first.at : '', bare[0] ?? ''].join('|'))
    .digest('hex')
    .slice(0, 24);
  return {
    id,
    sender,
    kind,
    title,
    headlines,
    lines: lines.map((line) => line.text),
    trace,
    modules: bare.find((text) => MODULES.test(text)) ?? null,
    cpu,
    hardware: bare.find((text) => HARDWARE.test(text)) ?? null,
    registers,
    kernelRelease: release,
    firstAt: first.at,
    lastAt: last.at,
    firstSeq: first.seq,
    ended,
    capture: first.capture,
  };
}
