import type { FleetRow, PreflightCheck, Verification } from '../../../shared/contract/netdump.js';
import { canonicalIp, hostPort } from '../../../shared/domain/address.js';
import { kernelLevels, NETCONSOLE_DEFAULT_PORT, type CaptureIndexEntry, type NetdumpMessage, type NetdumpPanic, type ReceiverState } from '../../../shared/domain/netdump.js';
import type { NetconsoleTargetPlan, Plan } from '../../../shared/domain/plan.js';
import type { Server } from '../../../shared/domain/server.js';

/** One sender over all its capture files (one per day): what the receiver table shows. */
export interface SenderRow {
  sender: string;
  messages: number;
  lost: number;
  reboots: number;
  panics: number;
  datagrams: number;
  bytes: number;
  firstSeen: string;
  lastSeen: string;
  kernelRelease: string | null;
  /** Its capture files, newest first. */
  captures: CaptureIndexEntry[];
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);
const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

/** The capture index folded per sender, the most recently heard first. */
export function senderRows(captures: readonly CaptureIndexEntry[]): SenderRow[] {
  const rows = new Map<string, SenderRow>();
  for (const c of captures) {
    const row = rows.get(c.sender);
    if (!row) {
      rows.set(c.sender, { sender: c.sender, messages: c.messages, lost: c.lost, reboots: c.reboots, panics: c.panics, datagrams: c.datagrams, bytes: c.bytes, firstSeen: c.firstSeen, lastSeen: c.lastSeen, kernelRelease: c.kernelRelease, captures: [c] });
      continue;
    }
    row.messages += c.messages;
    row.lost += c.lost;
    row.reboots += c.reboots;
    row.panics += c.panics;
    row.datagrams += c.datagrams;
    row.bytes += c.bytes;
    row.firstSeen = earlier(row.firstSeen, c.firstSeen);
    if (Date.parse(c.lastSeen) >= Date.parse(row.lastSeen)) row.kernelRelease = c.kernelRelease ?? row.kernelRelease;
    row.lastSeen = later(row.lastSeen, c.lastSeen);
    row.captures.push(c);
  }
  for (const row of rows.values()) row.captures.sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
  return [...rows.values()].sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
}

/** The receiver's state in one line, for people. */
export function receiverHeadline(state: ReceiverState): string {
  const at = hostPort(state.address, state.port);
  if (state.status === 'listening') return `Listening on ${at} (UDP)`;
  if (state.status === 'failed') return `Not listening: ${state.error?.message ?? `could not listen on ${at}`}`;
  return `Stopped (last set to ${at})`;
}

/**
 * Which of the ticket's servers a sender is: a server whose host is that address, or whose netconsole plan
 * sends from it (the address a server sends from is often not the one Backline reaches it by: NAT, a
 * forwarded port, a second interface).
 */
export function senderLabelsOf(servers: readonly Pick<Server, 'id' | 'host' | 'label'>[], plans: readonly Plan[] | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  for (const server of servers) {
    const address = canonicalIp(server.host);
    if (address) labels.set(address, server.label);
  }
  const byId = new Map(servers.map((s) => [s.id, s.label]));
  for (const plan of netconsolePlans(plans)) {
    const label = byId.get(plan.serverId);
    if (label && !labels.has(plan.detail.localIp)) labels.set(plan.detail.localIp, label);
  }
  return labels;
}

const levelNames: readonly string[] = kernelLevels;

/** A message as one line of the viewer: its sequence number, level and text. */
export function messageLine(message: NetdumpMessage): { seq: string; level: string; text: string; urgent: boolean } {
  const level = message.level === null ? '' : (levelNames[message.level] ?? String(message.level));
  const text = message.dict.length > 0 ? `${message.text}  ${message.dict.map(([k, v]) => `${k}=${v}`).join(' ')}` : message.text;
  return {
    seq: message.seq === null ? '' : String(message.seq),
    level,
    text: message.incomplete ? `${text} [incomplete: fragments missing]` : text,
    urgent: message.level !== null && message.level <= 3,
  };
}

export const checkColors: Record<PreflightCheck['status'], string> = { ok: 'green', warning: 'yellow', problem: 'red', unknown: 'gray' };
export const checkMarks: Record<PreflightCheck['status'], string> = { ok: '✓', warning: '!', problem: '✗', unknown: '?' };

/** The preflight's checks, the problems first (what to fix), then warnings, then what is fine; the crash kernel last. */
export function orderedChecks(checks: readonly PreflightCheck[]): PreflightCheck[] {
  const rank: Record<PreflightCheck['status'], number> = { problem: 0, warning: 1, unknown: 2, ok: 3 };
  return checks
    .map((check, index) => ({ check, index }))
    .sort((a, b) => (a.check.weight === b.check.weight ? 0 : a.check.weight === 'primary' ? -1 : 1) || rank[a.check.status] - rank[b.check.status] || a.index - b.index)
    .map(({ check }) => check);
}

/** One sentence on whether the plan can go ahead, from the checks. */
export function preflightVerdict(canApply: boolean, checks: readonly PreflightCheck[]): { color: string; text: string } {
  const problems = checks.filter((c) => c.weight === 'primary' && c.status === 'problem').length;
  const warnings = checks.filter((c) => c.status === 'warning' || (c.weight === 'secondary' && c.status === 'problem')).length;
  if (!canApply) return { color: 'red', text: `${problems === 1 ? 'One problem stops' : `${problems} problems stop`} the setup: fix ${problems === 1 ? 'it' : 'them'} and read the server again.` };
  if (warnings > 0) return { color: 'yellow', text: `Ready to set up, with ${warnings === 1 ? 'one thing' : `${warnings} things`} to know first.` };
  return { color: 'green', text: 'Ready to set up: everything netconsole needs is there.' };
}

/** The netconsole plans of a ticket (plans.list holds every kind). */
export function netconsolePlans(plans: readonly Plan[] | undefined): NetconsoleTargetPlan[] {
  return (plans ?? []).filter((p): p is NetconsoleTargetPlan => p.kind === 'netconsole.target');
}

/** The plan that stands for a server now: one in place (confirmed or applying), else the newest one. */
export function currentPlanFor(serverId: number, plans: readonly NetconsoleTargetPlan[]): NetconsoleTargetPlan | null {
  const own = plans.filter((p) => p.serverId === serverId);
  return own.find((p) => p.status === 'confirmed' || p.status === 'applying') ?? own[0] ?? null;
}

/**
 * Where the servers send, until the engineer types it: the target of the ticket's newest netconsole plan
 * (so leaving the tab and coming back keeps it), else the receiver's port and no address.
 */
export function defaultTarget(plans: readonly NetconsoleTargetPlan[], receiverPort: number | null): { address: string; port: number; persist: boolean } {
  const newest = plans[0];
  if (newest) return { address: newest.detail.remoteIp, port: newest.detail.remotePort, persist: newest.detail.persist };
  return { address: '', port: receiverPort ?? NETCONSOLE_DEFAULT_PORT, persist: false };
}

/** A netconsole plan is in place once applied and read back (`confirmed`: it has no confirmation window). */
export const isInPlace = (plan: Plan) => plan.status === 'confirmed';

/** What a verification says, for the badge and the sentence under it. */
export function verificationView(v: Pick<Verification, 'ok' | 'verdict' | 'message' | 'at'>): { color: string; badge: string; text: string } {
  if (v.ok) return { color: 'green', badge: 'marker arrived', text: v.message };
  const badges: Record<Verification['verdict'], string> = {
    arrived: 'marker arrived',
    'device-refused': 'device refused',
    'target-disabled': 'target disabled',
    'no-route': 'no route',
    'wrong-mac': 'wrong MAC',
    'level-filtered': 'level filtered',
    'port-filtered': 'port filtered',
    unknown: 'did not arrive',
  };
  return { color: 'red', badge: badges[v.verdict], text: v.message };
}

export const fleetColors = {
  preflight: { 'not-run': 'gray', ok: 'green', warnings: 'yellow', problems: 'red', failed: 'red' } satisfies Record<FleetRow['preflight'], string>,
  verified: { 'not-run': 'gray', passed: 'green', failed: 'red' } satisfies Record<FleetRow['verified'], string>,
};

/** The fleet in one line: how many servers are set up and proven. */
export function fleetSummary(rows: readonly FleetRow[]): string {
  if (rows.length === 0) return 'No servers on this ticket.';
  const applied = rows.filter((r) => r.planStatus === 'confirmed').length;
  const passed = rows.filter((r) => r.verified === 'passed').length;
  const failing = rows.filter((r) => r.verified === 'failed' || r.preflight === 'problems' || r.preflight === 'failed' || r.error).length;
  const n = rows.length;
  const parts = [`${passed} of ${n} server${n === 1 ? '' : 's'} proven (marker arrived)`, `${applied} set up`];
  if (failing > 0) parts.push(`${failing} need${failing === 1 ? 's' : ''} attention`);
  return `${parts.join(', ')}.`;
}

/** The panic as text to paste into a ticket: headline, where from, and the whole trace. */
export function panicText(panic: NetdumpPanic, serverLabel: string | null): string {
  const from = serverLabel ? `${serverLabel} (${panic.sender})` : panic.sender;
  return [`${panic.title}`, `from ${from}${panic.kernelRelease ? `, kernel ${panic.kernelRelease}` : ''}, at ${panic.firstAt}`, '', ...panic.lines].join('\n');
}

/** A remote receiver's time left, in words; null once it has ended. */
export function timeLeft(endsAt: string, now: number): string | null {
  const ms = Date.parse(endsAt) - now;
  if (!(ms > 0)) return null;
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h left` : `${hours} h ${rest} min left`;
}
