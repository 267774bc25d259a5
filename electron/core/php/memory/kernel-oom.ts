import type { OomEvent, UnparsedLine } from '../../../../shared/domain/php-memory.js';
import { kibToBytes } from './sizes.js';

/**
 * The OOM killer's kernel messages, whatever the kernel version and the log that kept them:
 * - 2.6/3.x: "Out of memory: Kill process 1234 (php-fpm) score 412 or sacrifice child", then
 *   "Killed process 1234 (php-fpm) total-vm:..kB, anon-rss:..kB, file-rss:..kB" (RHEL 6: "Killed process
 *   1234, UID 48, (php-fpm) ..."); a cgroup's: "Memory cgroup out of memory: Kill process ...".
 * - 4.x adds ", shmem-rss:..kB"; 4.19+ adds the summary "oom-kill:constraint=CONSTRAINT_MEMCG,...,
 *   oom_memcg=/...,task_memcg=/...,task=php-fpm8.2,pid=1234,uid=33" before the kill line; 5.x says
 *   "Out of memory: Killed process ..." / "Memory cgroup out of memory: Killed process ..." with ", UID:33
 *   pgtables:..kB oom_score_adj:0".
 * - "NAME invoked oom-killer: gfp_mask=..." starts an episode; "oom_reaper: reaped process ..." ends one.
 * Lines come with a dmesg `[ 1234.567890]` stamp, a journal `-o short-iso` prefix, or a syslog prefix
 * (kern.log: "Dec  2 01:12:09 host kernel: [ 1234.5678] ..." or an RFC 3339 time).
 */

export type KernelLogSource = OomEvent['source'];

/** When the probe ran (epoch seconds) and the uptime then: turns dmesg's seconds since boot into a time. */
export interface KernelClock {
  nowS: number | null;
  uptimeS: number | null;
}

interface Stamped {
  at: string | null;
  atIso: string | null;
  message: string;
}

const DMESG = /^\[\s*(\d+\.\d+)\]\s?(.*)$/;
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z))\s+\S+\s+kernel:\s?(.*)$/;
const SYSLOG = /^([A-Z][a-z]{2}\s+\d{1,2} \d{2}:\d{2}:\d{2})\s+\S+\s+kernel:\s?(.*)$/;

function isoFromOffset(text: string): string | null {
  // "+0000" (journalctl before systemd 250) is not an offset Date reads; "+00:00" is.
  const fixed = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(fixed);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function isoFromUptime(seconds: number, clock: KernelClock): string | null {
  if (clock.nowS === null || clock.uptimeS === null) return null;
  return new Date(Math.round((clock.nowS - clock.uptimeS + seconds) * 1000)).toISOString();
}

export function stampOf(line: string, clock: KernelClock): Stamped | null {
  const iso = ISO.exec(line);
  if (iso) return withoutInnerStamp({ at: iso[1] ?? null, atIso: isoFromOffset(iso[1] ?? ''), message: iso[2] ?? '' });
  const syslog = SYSLOG.exec(line);
  // A syslog time has no year and no zone: shown as printed, never guessed into an ISO time.
  if (syslog) return withoutInnerStamp({ at: syslog[1] ?? null, atIso: null, message: syslog[2] ?? '' });
  const dmesg = DMESG.exec(line);
  if (dmesg) return { at: `[${dmesg[1]}]`, atIso: isoFromUptime(Number(dmesg[1]), clock), message: dmesg[2] ?? '' };
  return null;
}

/** kern.log keeps the kernel's own "[ 1234.5678]" after the syslog prefix: drop it from the message. */
function withoutInnerStamp(stamped: Stamped): Stamped {
  const inner = DMESG.exec(stamped.message);
  return inner ? { ...stamped, message: inner[2] ?? '' } : stamped;
}

const KILL_INTENT = /^(?:(Memory cgroup out of memory)|Out of memory(?: \(oom_kill_allocating_task\))?): Kill process (\d+) \((.+?)\) score (\d+)/;
const KILLED = /^(?:(Memory cgroup out of memory): |Out of memory: )?Killed process (\d+)(?:, UID (\d+),)? \((.+?)\)(.*)$/;
const SUMMARY = /^oom-kill:(.*)$/;
const INVOKED = /^(.+?) invoked oom-killer: /;
const TASK_IN = /^Task in (\S+) killed as a result of limit of (\S+)/;
const REAPED = /^oom_reaper: reaped process (\d+) \((.+?)\)/;

function fieldsOf(rest: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const match of rest.matchAll(/([A-Za-z_-]+):\s*(\d+\s*kB|\d+)/g)) fields.set(match[1] ?? '', (match[2] ?? '').replace(/\s+/g, ''));
  return fields;
}

function newEvent(source: KernelLogSource, stamped: Stamped): OomEvent {
  return {
    at: stamped.at,
    atIso: stamped.atIso,
    source,
    pid: null,
    process: null,
    uid: null,
    totalVmBytes: null,
    anonRssBytes: null,
    fileRssBytes: null,
    shmemRssBytes: null,
    rssBytes: null,
    cgroup: false,
    constraint: null,
    memcg: null,
    lines: [],
  };
}

export function parseKernelOom(lines: readonly string[], source: KernelLogSource, clock: KernelClock, section = 'kernel'): { events: OomEvent[]; unparsed: UnparsedLine[] } {
  const events: (OomEvent & { killedSeen?: boolean })[] = [];
  const unparsed: UnparsedLine[] = [];
  /** The event a line about this pid belongs to: one kill is reported by up to four lines. */
  const byPid = new Map<number, OomEvent & { killedSeen?: boolean }>();
  /** "invoked oom-killer" lines waiting for the kill they led to. */
  let pending: string[] = [];
  /** 3.x names the memory cgroup whose limit was hit before the kill ("Task in ... killed as a result of limit of ..."). */
  let pendingMemcg: string | null = null;
  const eventFor = (pid: number, stamped: Stamped): OomEvent & { killedSeen?: boolean } => {
    const known = byPid.get(pid);
    // A pid reused after a later kill is a new event; lines of one kill sit close together.
    if (known && known.killedSeen !== true) return known;
    const event: OomEvent & { killedSeen?: boolean } = newEvent(source, stamped);
    event.pid = pid;
    event.lines.push(...pending);
    pending = [];
    if (pendingMemcg !== null) {
      event.memcg = pendingMemcg;
      event.cgroup = true;
      pendingMemcg = null;
    }
    events.push(event);
    byPid.set(pid, event);
    return event;
  };
  for (const line of lines) {
    const stamped = stampOf(line, clock) ?? { at: null, atIso: null, message: line.trim() };
    const message = stamped.message.trim();
    const intent = KILL_INTENT.exec(message);
    const killed = KILLED.exec(message);
    const summary = SUMMARY.exec(message);
    const reaped = REAPED.exec(message);
    const taskIn = TASK_IN.exec(message);
    if (INVOKED.test(message)) {
      pending.push(line);
    } else if (taskIn) {
      pending.push(line);
      pendingMemcg = taskIn[2] ?? null;
    } else if (intent) {
      const event = eventFor(Number(intent[2]), stamped);
      event.process = intent[3] ?? null;
      event.cgroup ||= Boolean(intent[1]);
      event.lines.push(line);
    } else if (summary) {
      const fields = new Map((summary[1] ?? '').split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
      const pid = Number(fields.get('pid'));
      if (!Number.isInteger(pid)) {
        unparsed.push({ section, line });
        continue;
      }
      const event = eventFor(pid, stamped);
      event.process = fields.get('task') ?? event.process;
      event.uid = fields.has('uid') ? Number(fields.get('uid')) : event.uid;
      event.constraint = fields.get('constraint') ?? null;
      event.memcg = fields.get('oom_memcg') ?? event.memcg;
      event.cgroup ||= event.constraint === 'CONSTRAINT_MEMCG';
      event.lines.push(line);
    } else if (killed) {
      const event = eventFor(Number(killed[2]), stamped);
      const fields = fieldsOf(killed[5] ?? '');
      event.process = killed[4] ?? event.process;
      event.cgroup ||= Boolean(killed[1]);
      const uid = killed[3] ?? fields.get('UID');
      if (uid !== undefined) event.uid = Number(uid);
      event.totalVmBytes = kibToBytes(fields.get('total-vm'));
      event.anonRssBytes = kibToBytes(fields.get('anon-rss'));
      event.fileRssBytes = kibToBytes(fields.get('file-rss'));
      event.shmemRssBytes = kibToBytes(fields.get('shmem-rss'));
      const parts = [event.anonRssBytes, event.fileRssBytes, event.shmemRssBytes].filter((n): n is number => n !== null);
      event.rssBytes = parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : null;
      // The kill line is the event's moment: earlier lines of it may be stamped a little before.
      event.at = stamped.at ?? event.at;
      event.atIso = stamped.atIso ?? event.atIso;
      event.lines.push(line);
      event.killedSeen = true;
    } else if (reaped) {
      const event = byPid.get(Number(reaped[1]));
      if (event) event.lines.push(line);
      else unparsed.push({ section, line });
    } else {
      unparsed.push({ section, line });
    }
  }
  // Episodes that never named a victim (the log was cut) are still lines read: keep them.
  for (const line of pending) unparsed.push({ section, line });
  return { events: events.map((event) => withoutMark(event)), unparsed };
}

function withoutMark(event: OomEvent & { killedSeen?: boolean }): OomEvent {
  const { killedSeen: _seen, ...rest } = event;
  return rest;
}
