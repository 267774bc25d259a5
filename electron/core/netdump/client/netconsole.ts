import { randomBytes } from 'node:crypto';
import type { FleetRow, Preflight, Verification } from '../../../../shared/contract/netdump.js';
import { hostPort } from '../../../../shared/domain/address.js';
import type { AuditAction } from '../../../../shared/domain/audit.js';
import type { NetconsoleTargetPlan, NetconsoleVerification, PlanLogKind } from '../../../../shared/domain/plan.js';
import { BacklineError } from '../../../../shared/errors.js';
import type { RemoteResult, RemoteRunner } from '../../ssh/remote.js';
import type { StoredServer } from '../../store/servers-repo.js';
import type { Workspace } from '../../workspace/workspace.js';
import { parseApplyOutput, parseEvidenceOutput, parseRemoveOutput } from './apply.js';
import { diagnose } from './diagnose.js';
import { buildNetconsolePlan } from './plan.js';
import { markerLevel, parseNeighbours, parsePreflight, parsePrintk, parseRouteGet, preflightArgv, preflightView, type PreflightFacts } from './preflight.js';
import { applyArgv, evidenceArgv, markerArgv, removeArgv } from './scripts.js';
import { verifiedFinding, verifiedFindingEnded } from './finding.js';

/**
 * The netconsole client's I/O: the preflight, the plan (preview, apply, remove) with the plans repo and
 * the audit as the firewall keeps them, verification with a marker, and the fleet. Every command goes
 * through the one runner; what the output means is decided by the pure modules next to this one.
 */

/**
 * Waits at the receiver for a message whose text holds `marker`, sent by `sender` (the server's
 * local_ip; behind NAT the receiver sees another address, so match on the marker, which is unique).
 * Resolves with when it arrived, or null after timeoutMs. nd-ui wires it to the receiver in use.
 */
export type WaitForMarker = (sender: string, marker: string, timeoutMs: number) => Promise<{ arrivedAt: string } | null>;

export interface VerifyOptions {
  waitForMarker: WaitForMarker;
  /** Where the marker is waited for, for people: "the local receiver (127.0.0.1:6666)". */
  receiver: string;
  /** `<N>` level of the marker; default: the least urgent the console lets through, at most 4. */
  level?: number;
  timeoutMs?: number;
}

const newPlanId = () => `p${randomBytes(5).toString('hex')}`;
const sudoRefused = (result: RemoteResult) => result.exitCode !== 0 && /sudo: .*(password|not allowed|not in the sudoers|command not found|no tty)|sudo: not found/i.test(result.stderr.text);

export class NetconsoleClient {
  /** The last preflight of each server, for the fleet table. */
  private readonly preflights = new Map<number, { view: Preflight; error: string | null }>();

  constructor(
    private readonly ws: Workspace,
    private readonly remote: RemoteRunner,
  ) {}

  private run(server: StoredServer, argv: string[], purpose: string, timeoutS = 60): Promise<RemoteResult> {
    return this.remote.runOk({ server, argv, sudo: 'unless-root', purpose, timeoutMs: timeoutS * 1000, viaStdin: true });
  }

  /** Read-only: what the server has for netconsole to this receiver. Runs under sudo when it may; says so when it may not. */
  async preflight(serverId: number, target: { address: string; port: number }): Promise<{ facts: PreflightFacts; view: Preflight }> {
    const server = this.ws.servers.get(serverId);
    const purpose = 'Reading what netconsole needs';
    let result = await this.remote.run({ server, argv: preflightArgv(target.address), sudo: 'unless-root', purpose, timeoutMs: 30_000, viaStdin: true });
    const refused = result.error?.code === 'SUDO_NEEDS_PASSWORD' || result.error?.code === 'SUDO_FAILED' || (!result.error && sudoRefused(result));
    if (result.error && !refused) throw result.error;
    // Without sudo the probe still reads most things; the root check says what is missing.
    if (refused) result = await this.remote.runOk({ server, argv: preflightArgv(target.address), sudo: false, purpose: `${purpose} (without sudo)`, timeoutMs: 30_000, viaStdin: true });
    else if (result.exitCode !== 0) {
      throw new BacklineError('REMOTE_COMMAND_FAILED', `${purpose} failed on ${server.label} (exit ${result.exitCode ?? result.signal ?? '?'}): ${result.stderr.text.trim().slice(0, 300) || 'no output'}`, { hint: 'The whole run is in the audit log.' });
    }
    const facts = parsePreflight(result.stdout.text, target.address);
    const view = preflightView(facts, { serverId, target, at: this.ws.now(), user: server.user ?? 'this user', sudoRefused: refused });
    this.preflights.set(serverId, { view, error: null });
    return { facts, view };
  }

  private netconsolePlan(planId: string): NetconsoleTargetPlan {
    const plan = this.ws.plans.get(planId);
    if (plan.kind === 'netconsole.target') return plan;
    throw new BacklineError('CONFLICT', `Plan ${planId} is not a netconsole plan.`);
  }

  private record(plan: NetconsoleTargetPlan, action: AuditAction, summary: string, detail: Record<string, unknown> = {}) {
    this.ws.change((tx) => tx.record({ ticketId: plan.ticketId, action, summary, detail: { planId: plan.id, ...detail } }));
  }

  private update(plan: NetconsoleTargetPlan, changes: Partial<Pick<NetconsoleTargetPlan, 'status' | 'detail'>>, line?: { kind: PlanLogKind; text: string; ok: boolean }): NetconsoleTargetPlan {
    return this.ws.change((tx) => {
      const next: NetconsoleTargetPlan = { ...plan, ...changes, updatedAt: tx.now, log: line ? [...plan.log, { at: tx.now, kind: line.kind, ok: line.ok, message: line.text }] : plan.log };
      const saved = this.ws.plans.save(next);
      if (changes.status === 'removed' && plan.status !== 'removed') {
        // A verified path that is taken down is no longer true: its finding says so, in the same transaction.
        for (const finding of this.ws.findings.supersedeForPlan(plan.id, tx.now, () => verifiedFindingEnded(plan, tx.now))) {
          tx.record({ ticketId: finding.ticketId, action: 'finding.superseded', summary: finding.title, detail: { findingId: finding.id, planId: plan.id } });
        }
      }
      tx.emit('plan.changed', { planId: saved.id, ticketId: saved.ticketId, serverId: saved.serverId, kind: saved.kind, status: saved.status });
      return saved;
    });
  }

  /** Reads the server, builds the plan and keeps it (nothing changes on the server). Refused plainly when it cannot be made. */
  async preview(input: { ticketId: string; serverId: number; target: { address: string; port: number }; persist: boolean }): Promise<NetconsoleTargetPlan> {
    const server = this.ws.servers.get(input.serverId);
    if (server.ticketId !== input.ticketId) throw new BacklineError('VALIDATION_FAILED', `Server ${server.label} belongs to ${server.ticketId}.`);
    const { facts, view } = await this.preflight(server.id, input.target);
    const built = buildNetconsolePlan({ ticketId: input.ticketId, server, facts, target: input.target, persist: input.persist, asRoot: this.remote.isRoot(server), id: newPlanId(), now: this.ws.now() });
    if (!built.ok) {
      const actions = view.checks.filter((c) => c.status === 'problem' && c.action).map((c) => c.action);
      throw new BacklineError('VALIDATION_FAILED', `netconsole cannot be set up on ${server.label}: ${built.reasons.join(' ')}`, { hint: actions.join(' ') || 'Fix what is named, then preview again.' });
    }
    const plan = built.plan;
    return this.ws.change((tx) => {
      const saved = this.ws.plans.save(plan);
      tx.record({ ticketId: plan.ticketId, action: 'netconsole.planned', summary: plan.title, detail: { planId: plan.id, target: plan.detail } });
      tx.emit('plan.changed', { planId: saved.id, ticketId: saved.ticketId, serverId: saved.serverId, kind: saved.kind, status: saved.status });
      return saved;
    });
  }

  /**
   * Applies a previewed plan in one round trip: the script makes the target (enabled last), reads it
   * back with the kernel's answer, and undoes its own steps if any fails, so a refused target leaves
   * the server as it was. Ends `confirmed` (in place) or `failed`.
   */
  async apply(planId: string): Promise<NetconsoleTargetPlan> {
    let plan = this.netconsolePlan(planId);
    if (plan.status !== 'previewed') throw new BacklineError('CONFLICT', `Plan ${planId} is ${plan.status}; only a previewed plan can be applied.`, { hint: 'Preview it again.' });
    const server = this.ws.servers.get(plan.serverId);
    const { detail } = plan;
    plan = this.update(plan, { status: 'applying' });
    const args = { name: detail.target, devName: detail.devName, localIp: detail.localIp, remoteIp: detail.remoteIp, remoteMac: detail.remoteMac, localPort: detail.localPort, remotePort: detail.remotePort, extended: detail.extended, persist: detail.persist };
    const result = await this.remote.run({ server, argv: applyArgv(args), sudo: 'unless-root', purpose: `Making the netconsole target ${detail.target}`, timeoutMs: 60_000, viaStdin: true });
    const outcome = parseApplyOutput(result.stdout.text, detail.target);
    if (result.error || !outcome.ok) {
      const why = result.error?.message ?? outcome.failure ?? `exit ${result.exitCode ?? '?'}: ${result.stderr.text.trim().slice(0, 300)}`;
      const kernel = outcome.kernel.refusals.length > 0 ? ` The kernel said: ${outcome.kernel.refusals.join(' | ')}` : '';
      const undone = outcome.undone.length > 0 ? ' What the plan had done was undone; the server is as it was.' : result.error ? ' The connection failed mid-way: read the target back before trying again.' : '';
      plan = this.update(plan, { status: 'failed', detail: { ...detail, setup: { ...outcome.setup, replaced: outcome.replaced, persistedFiles: [], kernelSaid: outcome.kernel.lines } } }, { kind: 'failed', text: `Failed: ${why}.${kernel}${undone}`, ok: false });
      this.record(plan, 'netconsole.failed', `${server.label}: netconsole target ${detail.target} not made: ${why}`, { kernel: outcome.kernel.lines, undone: outcome.undone });
      return plan;
    }
    const setup = { ...outcome.setup, replaced: outcome.replaced, persistedFiles: outcome.persistedFiles, kernelSaid: outcome.kernel.lines };
    const kernelText = outcome.kernel.started ? 'the kernel says "network logging started"' : `the kernel said: ${outcome.kernel.lines.join(' | ') || 'nothing about netconsole'}`;
    plan = this.update(
      plan,
      { status: 'confirmed', detail: { ...detail, setup } },
      { kind: 'applied', text: `Target ${detail.target} enabled (read back: enabled=${outcome.target?.attrs.enabled ?? '?'}, dev_name=${outcome.target?.attrs.dev_name ?? '?'}); ${kernelText}${outcome.persistedFiles.length > 0 ? `; kept across reboot by ${outcome.persistedFiles.join(' and ')}` : ''}.`, ok: true },
    );
    this.record(plan, 'netconsole.applied', `${server.label}: ${plan.title}`, { setup, steps: outcome.steps });
    return plan;
  }

  /** Takes the target down and undoes what applying set up (modules, mount, files), putting back a target it replaced. */
  async remove(planId: string): Promise<NetconsoleTargetPlan> {
    let plan = this.netconsolePlan(planId);
    if (plan.status === 'removed') return plan;
    if (plan.status === 'previewed') throw new BacklineError('CONFLICT', `Plan ${planId} was never applied; there is nothing to remove.`);
    const server = this.ws.servers.get(plan.serverId);
    const setup = plan.detail.setup;
    const argv = removeArgv({
      name: plan.detail.target,
      loadedConfigfs: setup?.loadedConfigfs ?? false,
      mountedConfigfs: setup?.mountedConfigfs ?? false,
      loadedNetconsole: setup?.loadedNetconsole ?? false,
      persistedFiles: setup?.persistedFiles ?? [],
      replaced: setup?.replaced ?? null,
    });
    const outcome = parseRemoveOutput((await this.run(server, argv, `Removing the netconsole target ${plan.detail.target}`)).stdout.text, plan.detail.target);
    const said = [
      outcome.removed ? `target ${plan.detail.target} removed` : outcome.absent ? `target ${plan.detail.target} was already gone` : `target ${plan.detail.target} could not be removed`,
      ...(outcome.restored ? ['the target it had replaced was made again as it was'] : []),
      ...outcome.filesRemoved.map((f) => `${f} removed`),
      ...outcome.modules,
    ].join('; ');
    if (!outcome.removed && !outcome.absent) throw new BacklineError('REMOTE_COMMAND_FAILED', `The netconsole target ${plan.detail.target} on ${server.label} could not be removed (${said}).`, { hint: 'The run is in the audit log; try again.' });
    plan = this.update(plan, { status: 'removed' }, { kind: 'removed', text: `Removed: ${said}.`, ok: true });
    this.record(plan, 'netconsole.removed', `${server.label}: ${said}`, { after: outcome.after });
    return plan;
  }

  /**
   * Writes a unique marker to /dev/kmsg and waits for it at the receiver. When it does not arrive, reads
   * the evidence (and sends a datagram from user space to the same port) and names the reason. A pass
   * becomes a finding on the ticket; either way the plan keeps the latest verification.
   */
  async verify(planId: string, options: VerifyOptions): Promise<Verification> {
    let plan = this.netconsolePlan(planId);
    if (plan.status !== 'confirmed') throw new BacklineError('CONFLICT', `Plan ${planId} is ${plan.status}: only a target in place can be verified.`, { hint: plan.status === 'previewed' ? 'Apply it first.' : 'Preview and apply it again.' });
    const server = this.ws.servers.get(plan.serverId);
    const { detail } = plan;
    const timeoutMs = options.timeoutMs ?? 10_000;
    // The level the console lets through now (a preflight's worth of reading would cost another round trip: the marker's own read does it).
    const printkNow = parsePrintk((await this.run(server, ['/bin/sh', '-c', 'cat /proc/sys/kernel/printk'], 'Reading the console log level', 15)).stdout.text.split('\n'));
    const level = options.level ?? markerLevel(printkNow);
    const marker = `backline-netconsole-check ${plan.id} ${randomBytes(6).toString('hex')}`;
    const sentAt = this.ws.now();
    const waiting = options.waitForMarker(detail.localIp, marker, timeoutMs);
    await this.run(server, markerArgv(level, marker), 'Writing the netconsole marker to /dev/kmsg', 15);
    const arrived = await waiting;

    let verification: NetconsoleVerification;
    if (arrived) {
      const diagnosis = diagnose(detail, { arrived: true, level, target: null, kernel: { started: true, refusals: [], lines: [] }, route: null, neighbours: [], printk: printkNow, udp: { tool: null, sent: false, arrived: null, said: null } });
      verification = { verdict: 'arrived', ok: true, marker, level, at: sentAt, message: `netconsole from ${server.label} (${detail.devName}${detail.driver ? `, ${detail.driver}` : ''}) to ${hostPort(detail.remoteIp, detail.remotePort)} verified at ${timeOfDay(arrived.arrivedAt)}.`, evidence: [`marker "${marker}" at level ${level} arrived at ${options.receiver} at ${arrived.arrivedAt}`, ...diagnosis.evidence.slice(-2, -1)] };
    } else {
      const token = `backline-udp-check ${plan.id} ${randomBytes(6).toString('hex')}`;
      const udpWait = options.waitForMarker(detail.localIp, token, Math.min(timeoutMs, 5000));
      const output = parseEvidenceOutput((await this.run(server, evidenceArgv(detail.target, detail.remoteIp, detail.remotePort, token), 'Reading why the marker did not arrive', 30)).stdout.text, detail.target);
      const udpArrived = output.udp.sent ? (await udpWait) !== null : null;
      if (!output.udp.sent) void udpWait.catch(() => undefined);
      const diagnosis = diagnose(detail, {
        arrived: false,
        level,
        target: output.target,
        kernel: output.kernel,
        route: parseRouteGet(output.routeLines),
        neighbours: parseNeighbours(output.neighLines).neighbours,
        printk: parsePrintk(output.printkLines) ?? printkNow,
        udp: { ...output.udp, arrived: udpArrived },
      });
      verification = { verdict: diagnosis.verdict, ok: false, marker, level, at: sentAt, message: `The marker from ${server.label} did not arrive at ${options.receiver} within ${Math.round(timeoutMs / 1000)} s: ${diagnosis.message}`, evidence: diagnosis.evidence };
    }

    plan = this.update(plan, { detail: { ...plan.detail, verification } }, { kind: 'verified', text: verification.message, ok: verification.ok });
    let findingId: number | null = null;
    if (verification.ok) {
      const verified = plan;
      findingId = this.ws.change((tx) => {
        const finding = this.ws.findings.add(verifiedFinding(verified, server.label, options.receiver), tx.now);
        tx.record({ ticketId: verified.ticketId, action: 'finding.added', summary: finding.title, detail: { findingId: finding.id, planId: verified.id } });
        return finding.id;
      });
    }
    this.record(plan, verification.ok ? 'netconsole.verified' : 'netconsole.not-verified', `${server.label}: ${verification.message}`, { verification });
    return { ...verification, serverId: server.id, planId: plan.id, receiver: options.receiver, arrivedAt: arrived?.arrivedAt ?? null, findingId };
  }

  /** The newest netconsole plan of each server of the ticket. */
  private latestPlans(ticketId: string): Map<number, NetconsoleTargetPlan> {
    const latest = new Map<number, NetconsoleTargetPlan>();
    for (const plan of this.ws.plans.listForTicket(ticketId)) {
      if (plan.kind === 'netconsole.target' && !latest.has(plan.serverId)) latest.set(plan.serverId, plan);
    }
    return latest;
  }

  /** Each server of the ticket: its last preflight, its newest plan, its last verification. */
  fleetStatus(ticketId: string, errors: ReadonlyMap<number, string> = new Map()): FleetRow[] {
    const plans = this.latestPlans(ticketId);
    return this.ws.servers.listForTicket(ticketId).map((server) => fleetRow(server, this.preflights.get(server.id)?.view ?? null, plans.get(server.id) ?? null, errors.get(server.id) ?? this.preflights.get(server.id)?.error ?? null));
  }

  /**
   * Sets up and verifies every server of the ticket (or those given) at once, each on its own: a
   * server already verified to this receiver is verified again, not set up twice; one failing stops
   * no other. Returns each server's row.
   */
  async fleetSetup(input: { ticketId: string; target: { address: string; port: number }; persist: boolean; serverIds?: number[] }, options: VerifyOptions): Promise<FleetRow[]> {
    const servers = this.ws.servers.listForTicket(input.ticketId).filter((s) => !input.serverIds || input.serverIds.includes(s.id));
    const errors = new Map<number, string>();
    await Promise.all(
      servers.map(async (server) => {
        try {
          const current = this.latestPlans(input.ticketId).get(server.id);
          const same = current && current.status === 'confirmed' && current.detail.remoteIp === input.target.address && current.detail.remotePort === input.target.port;
          let plan = same ? current : await this.preview({ ticketId: input.ticketId, serverId: server.id, target: input.target, persist: input.persist });
          if (plan.status === 'previewed') plan = await this.apply(plan.id);
          if (plan.status === 'confirmed') await this.verify(plan.id, options);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          errors.set(server.id, message);
          if (!this.preflights.has(server.id)) this.preflights.set(server.id, { view: failedPreflight(server.id, input.target, this.ws.now()), error: message });
        }
      }),
    );
    return this.fleetStatus(input.ticketId, errors);
  }
}

const timeOfDay = (iso: string) => `${iso.slice(11, 16)} UTC`;

function failedPreflight(serverId: number, target: { address: string; port: number }, at: string): Preflight {
  return { serverId, target, at, canApply: false, checks: [], route: null, driver: null, kernelRelease: null, unparsed: [] };
}

/** One server's row of the fleet table (pure). */
export function fleetRow(server: Pick<StoredServer, 'id' | 'label'>, preflight: Preflight | null, plan: NetconsoleTargetPlan | null, error: string | null): FleetRow {
  const problems = preflight?.checks.filter((c) => c.status === 'problem') ?? [];
  const warnings = preflight?.checks.filter((c) => c.status === 'warning') ?? [];
  const v = plan?.detail.verification ?? null;
  return {
    serverId: server.id,
    label: server.label,
    preflight: !preflight ? 'not-run' : preflight.checks.length === 0 && error ? 'failed' : problems.length > 0 ? 'problems' : warnings.length > 0 ? 'warnings' : 'ok',
    preflightNote: problems[0] ? `${problems[0].statement}${problems[0].action ? ` ${problems[0].action}` : ''}` : (warnings[0]?.statement ?? null),
    planId: plan?.id ?? null,
    planStatus: plan?.status ?? null,
    verified: !v ? 'not-run' : v.ok ? 'passed' : 'failed',
    verdict: v?.verdict ?? null,
    verifyNote: v?.message ?? null,
    lastMarkerAt: v?.at ?? null,
    error,
  };
}
