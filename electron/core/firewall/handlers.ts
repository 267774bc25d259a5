import { randomBytes } from 'node:crypto';
import { addressFamilies, familyNames, parseIpAddress } from '../../../shared/domain/address.js';
import type { AuditAction } from '../../../shared/domain/audit.js';
import { untestedNotes, type BlockVerification, type FirewallBlockPlan, type PlanLogKind } from '../../../shared/domain/plan.js';
import { BacklineError } from '../../../shared/errors.js';
import { parseProbe, probeArgv, type FirewallBackend } from './backend.js';
import { connectArgv, parseConnect } from './connectivity.js';
import {
  armArgv,
  cancelExpiryArgv,
  disarmArgv,
  expiryArgv,
  extendArgv,
  parseArmed,
  parseExpiryArmed,
  parseExpiryState,
  parseSwitchState,
  resaveArgv,
  restoreSavedArgv,
  statusArgv,
  type SwitchState,
} from './deadman.js';
import { backlineRules, customerOutputRules, normalizeForComparison, parseIptablesSave, withoutBacklineRules } from './iptables-save.js';
import {
  APPLY_STEP_S,
  VERIFY_KEEPALIVE_S,
  VERIFY_WINDOW_S,
  applyWindowS,
  blockChanges,
  blockEndedFinding,
  blockFinding,
  blockUntil,
  buildBlockPlan,
  expiryCommands,
  isBlockEnding,
  refusalError,
  verificationChecks,
  verificationSummary,
} from './plan.js';
import { parseGetentAhosts } from './resolve.js';
import { previewLines, restoreArgv, unblockChange, type RemovalFilter } from './rules.js';
import type { HandlerGroup } from '../handlers.js';
import type { RemoteResult, RemoteRunner } from '../ssh/remote.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';

const newPlanId = () => `p${randomBytes(5).toString('hex')}`;

/** setTimeout takes at most 2^31-1 ms (~24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The switch is gone, or the server rolled back before Backline asked for a confirmation. */
class SwitchNotArmed extends Error {
  constructor(readonly state: Exclude<SwitchState, { state: 'armed' }>) {
    super(`The rollback switch is ${state.state}.`);
  }
}

/**
 * Outbound blocking with iptables: probes read, plans change, with a server-side rollback guard. This
 * file is the firewall's I/O: it runs the commands and keeps the record; what the plan is, and what the
 * command output means, are pure functions (plan.ts, backend.ts, rules.ts, deadman.ts, connectivity.ts).
 */
export function firewallHandlers(
  ws: Workspace,
  remote: RemoteRunner,
): HandlerGroup<'firewall.probe' | 'firewall.resolve' | 'firewall.preview' | 'firewall.apply' | 'firewall.confirm' | 'firewall.check' | 'firewall.remove' | 'plans.list'> {
  const rechecks = new Map<string, NodeJS.Timeout>();
  const expiryChecks = new Map<string, NodeJS.Timeout>();

  const isRoot = (server: StoredServer) => remote.isRoot(server);

  /** Runs argv on the server (under sudo unless logged in as root), audited, and fails loudly on anything but exit 0. */
  const run = (server: StoredServer, argv: string[], what: string, timeoutS = 60): Promise<RemoteResult> =>
    remote.runOk({ server, argv, sudo: 'unless-root', purpose: what, timeoutMs: timeoutS * 1000 });

  async function probe(server: StoredServer): Promise<FirewallBackend> {
    return parseProbe((await run(server, probeArgv(), 'Reading the firewall')).stdout.text);
  }

  const record = (plan: FirewallBlockPlan, action: AuditAction, summary: string, detail: Record<string, unknown> = {}) =>
    ws.change((tx) => tx.record({ ticketId: plan.ticketId, action, summary, detail: { planId: plan.id, ...detail } }));

  /** The plan, if it is one of the firewall's: another capability's plan is not the firewall's to run. */
  const blockPlan = (planId: string): FirewallBlockPlan => {
    const plan = ws.plans.get(planId);
    if (plan.kind === 'firewall.block') return plan;
    throw new BacklineError('CONFLICT', `Plan ${planId} is not a firewall plan.`);
  };

  /** Saves the plan's next state (and a log line), then tells every window. */
  const update = (plan: FirewallBlockPlan, changes: Partial<Pick<FirewallBlockPlan, 'status' | 'rollbackAt' | 'detail'>>, line?: { kind: PlanLogKind; text: string; ok: boolean }): FirewallBlockPlan =>
    ws.change((tx) => {
      const next: FirewallBlockPlan = { ...plan, ...changes, updatedAt: tx.now, log: line ? [...plan.log, { at: tx.now, kind: line.kind, ok: line.ok, message: line.text }] : plan.log };
      const saved = ws.plans.save(next);
      // A block that ends takes its finding with it, in the same transaction: the finding never says more than the plan.
      if (changes.status && changes.status !== plan.status && isBlockEnding(changes.status)) {
        const ending = changes.status;
        const label = ws.servers.find(plan.serverId)?.label ?? `server ${plan.serverId}`;
        for (const finding of ws.findings.supersedeForPlan(plan.id, tx.now, (f) => blockEndedFinding(plan, label, ending, tx.now, f.createdAt))) {
          tx.record({ ticketId: finding.ticketId, action: 'finding.superseded', summary: finding.title, detail: { findingId: finding.id, planId: plan.id } });
        }
      }
      tx.emit('plan.changed', { planId: saved.id, ticketId: saved.ticketId, serverId: saved.serverId, kind: saved.kind, status: saved.status });
      return saved;
    });

  /** The changes a plan makes to the rules the server has now; a plan that no longer fits them is refused. */
  function changesOn(backend: FirewallBackend, plan: FirewallBlockPlan, serverLabel: string) {
    const changes = blockChanges(backend, plan);
    if (!changes.ok) throw refusalError(changes.refusal, serverLabel);
    return changes.value.flatMap((change) => (change.restoreText === null ? [] : [{ change, text: change.restoreText }]));
  }

  /**
   * Moves the switch's deadline to `seconds` from now; returns when the server restores the rules by
   * itself. Throws SwitchNotArmed when there is no switch left to move: it fired, or it is gone.
   */
  async function moveDeadline(server: StoredServer, plan: FirewallBlockPlan, seconds: number, purpose: string): Promise<string> {
    const state = parseSwitchState((await run(server, extendArgv(plan.id, seconds), purpose)).stdout.text);
    if (state.state !== 'armed') throw new SwitchNotArmed(state);
    return new Date(Date.parse(ws.now()) + seconds * 1000).toISOString();
  }

  /** The server's checks, one by one, with the rollback deadline kept ahead of them. */
  async function verify(server: StoredServer, plan: FirewallBlockPlan, onDeadline: (rollbackAt: string) => void): Promise<BlockVerification[]> {
    const results: BlockVerification[] = [];
    let moved = Date.now();
    onDeadline(await moveDeadline(server, plan, VERIFY_WINDOW_S, 'Moving the rollback deadline on (verifying)'));
    for (const check of verificationChecks(plan.detail)) {
      if (Date.now() - moved > VERIFY_KEEPALIVE_S * 1000) {
        onDeadline(await moveDeadline(server, plan, VERIFY_WINDOW_S, 'Moving the rollback deadline on (verifying)'));
        moved = Date.now();
      }
      const output = await run(server, connectArgv(check.address, check.port), `Testing ${check.address}:${check.port}`, 30);
      const parsed = parseConnect(output.stdout.text, check.address, check.port);
      results.push({ ...check, reachable: parsed.reachable, detail: parsed.detail });
    }
    return results;
  }

  /** After the deadline, asks the server (reconnecting if the block cut the session) whether it rolled back. */
  function scheduleRecheck(plan: FirewallBlockPlan): void {
    if (!plan.rollbackAt) return;
    clearTimeout(rechecks.get(plan.id));
    const delay = Math.max(0, Date.parse(plan.rollbackAt) - Date.now()) + 3000;
    const timer = setTimeout(() => {
      rechecks.delete(plan.id);
      void check(plan.id).catch(() => undefined);
    }, delay);
    timer.unref();
    rechecks.set(plan.id, timer);
  }

  /** After a confirmed block's expiry, asks the server whether it lifted it, so the plan says expired. */
  function scheduleExpiryCheck(plan: FirewallBlockPlan): void {
    const { expiresAt } = plan.detail;
    if (expiresAt === null) return;
    clearTimeout(expiryChecks.get(plan.id));
    const delay = Math.max(0, expiresAt * 1000 - Date.now()) + 5000;
    const timer = setTimeout(
      () => {
        expiryChecks.delete(plan.id);
        if (delay > MAX_TIMER_MS) scheduleExpiryCheck(plan);
        else void check(plan.id).catch(() => undefined);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    expiryChecks.set(plan.id, timer);
  }

  /** Takes a plan's rules off the server (both families) and saves the rules for reboot again where they were saved. */
  async function lift(server: StoredServer, plan: FirewallBlockPlan): Promise<{ removed: number; resaved: boolean }> {
    const backend = await probe(server);
    let removed = 0;
    for (const family of addressFamilies) {
      const save = backend.saves[family];
      if (save === null) continue;
      const change = unblockChange(family, parseIptablesSave(save), { planId: plan.id });
      if (!change.restoreText) continue;
      await run(server, restoreArgv(family, change.restoreText), `Removing ${familyNames[family]} rules`);
      removed += change.removed.length;
    }
    const resaved = removed > 0 && backend.persistence.kind === 'netfilter-persistent' && backend.persistence.savedBacklineRules > 0 && (await resave(server));
    return { removed, resaved };
  }

  /** `netfilter-persistent save` where Backline's rules are among the saved ones; true when it saved. */
  async function resave(server: StoredServer): Promise<boolean> {
    return (await run(server, resaveArgv(), 'Saving the rules for reboot again, without the lifted ones')).stdout.text.includes('##resaved');
  }

  async function check(planId: string): Promise<FirewallBlockPlan> {
    const plan = blockPlan(planId);
    if (plan.status === 'confirmed') return checkExpiry(plan);
    if (plan.status !== 'awaiting-confirmation') return plan;
    const server = ws.servers.get(plan.serverId);
    const state = parseSwitchState((await run(server, statusArgv(plan.id), 'Reading the rollback switch')).stdout.text);
    if (state.state !== 'rolled-back') return plan;
    const rolled = update(plan, { status: 'rolled-back', rollbackAt: null }, { kind: 'rolled-back', text: 'The server restored the saved rules by itself: the change was not confirmed in time.', ok: false });
    record(rolled, 'firewall.rolled-back', `${server.label}: the server rolled back plan ${plan.id} (not confirmed in time)`);
    return rolled;
  }

  /**
   * A confirmed block past its expiry: the server's expiry job lifted it (the plan becomes expired), or
   * the job is gone without having run (the server rebooted before the expiry, and restored the saved
   * block at boot): then Backline lifts what is left itself, and saves again where the rules are saved.
   */
  async function checkExpiry(plan: FirewallBlockPlan): Promise<FirewallBlockPlan> {
    const { expiresAt } = plan.detail;
    if (expiresAt === null || Date.parse(ws.now()) < expiresAt * 1000) return plan;
    const server = ws.servers.get(plan.serverId);
    const job = parseExpiryState((await run(server, statusArgv(plan.id), 'Reading the expiry job')).stdout.text);
    if (job.state === 'pending') return plan; // The server's clock is behind ours: it will.
    let text: string;
    if (job.state === 'expired') {
      text = `The server lifted the block at its expiry (${new Date(job.at * 1000).toISOString()})${plan.detail.savedForReboot ? ' and saved its rules for reboot without it' : ''}.`;
    } else {
      const { removed, resaved } = await lift(server, plan);
      text =
        removed > 0
          ? `The server's expiry job did not run (was the server restarted?): Backline lifted the ${removed} rule(s) left${resaved ? ' and saved the rules for reboot without them' : ''}.`
          : "The server's expiry job did not run, and the block's rules were already gone.";
    }
    const expired = update(plan, { status: 'expired' }, { kind: 'expired', text, ok: true });
    record(expired, 'firewall.expired', `${server.label}: plan ${plan.id} expired; ${text}`);
    return expired;
  }

  return {
    'firewall.probe': async ({ serverId }) => {
      const server = ws.servers.get(serverId);
      const backend = await probe(server);
      const rules = addressFamilies.flatMap((family) => {
        const save = backend.saves[family];
        return save
          ? backlineRules(parseIptablesSave(save)).map((r) => ({
              family,
              ticketId: r.tag?.ticketId ?? '?',
              planId: r.tag?.planId ?? '?',
              destination: r.destination ?? '?',
              protocol: r.protocol,
              port: r.port,
              expiresAt: r.tag?.expiresAt ? new Date(r.tag.expiresAt * 1000).toISOString() : null,
              rule: r.rule.spec,
            }))
          : [];
      });
      return {
        backend: backend.backend,
        canApply: backend.canApply,
        reasons: backend.reasons,
        warnings: backend.warnings,
        persistence: backend.persistence.kind,
        rollbackTimer: backend.rollbackTimer,
        sessionPeer: backend.sessionPeer?.text ?? null,
        rules,
        customerOutput: addressFamilies.flatMap((family) => {
          const save = backend.saves[family];
          if (!save) return [];
          const { policy, rules: own } = customerOutputRules(parseIptablesSave(save));
          return [{ family, policy, rules: own.map(({ spec, ...r }) => ({ rule: spec, ...r })) }];
        }),
      };
    },
    'firewall.resolve': async ({ serverId, host }) => {
      const server = ws.servers.get(serverId);
      // The contract let through a host name or an address; an address is its own answer.
      const literal = parseIpAddress(host);
      if (literal.ok) return { addresses: [{ address: literal.value.text, family: literal.value.family }] };
      const result = await remote.run({ server, argv: ['getent', 'ahosts', host], sudo: false, purpose: `Resolving ${host}`, timeoutMs: 15_000, output: { headBytes: 64 * 1024, tailBytes: 0 } });
      if (result.error) throw result.error;
      if (result.exitCode === 2) {
        throw new BacklineError('NOT_FOUND', `${server.label} cannot resolve ${host}.`, { hint: 'Check the name as the customer wrote it, or give the addresses directly.' });
      }
      return { addresses: parseGetentAhosts(result.stdout.text) };
    },
    'firewall.preview': async (input) => {
      const server = ws.servers.get(input.serverId);
      if (server.ticketId !== input.ticketId) throw new BacklineError('VALIDATION_FAILED', `Server ${server.label} belongs to ${server.ticketId}.`);
      const backend = await probe(server);
      const built = buildBlockPlan({ input, server, backend, asRoot: isRoot(server), id: newPlanId(), now: ws.now() });
      if (!built.ok) throw refusalError(built.refusal, server.label);
      const plan = built.value;
      return ws.change((tx) => {
        const saved = ws.plans.save(plan);
        tx.record({ ticketId: plan.ticketId, action: 'firewall.planned', summary: plan.title, detail: { planId: plan.id, rules: plan.detail.rules } });
        return saved;
      });
    },
    'firewall.apply': async ({ planId }) => {
      let plan = blockPlan(planId);
      if (plan.status !== 'previewed') throw new BacklineError('CONFLICT', `Plan ${planId} is ${plan.status}; only a previewed plan can be applied.`, { hint: 'Preview the change again.' });
      const server = ws.servers.get(plan.serverId);
      const { detail } = plan;
      const changes = changesOn(await probe(server), plan, server.label);
      // A dry run first: restore --test parses and checks every line, changing nothing.
      for (const { change, text } of changes) await run(server, restoreArgv(change.family, text, { test: true }), 'Checking the rules (dry run)');
      plan = update(plan, { status: 'applying' }, { kind: 'dry-run', text: 'Dry run passed: the rules are valid on this server.', ok: true });
      // Armed for the apply only: the engineer's window starts when they are asked to confirm.
      const window = applyWindowS(changes.length);
      const armed = parseArmed((await run(server, armArgv(plan.id, window), 'Arming the rollback')).stdout.text);
      let rollbackAt = new Date(Date.parse(ws.now()) + window * 1000).toISOString();
      const by = armed?.timer === 'systemd-run' ? `a transient systemd unit (${armed.id})` : armed ? `a process detached with setsid (pid ${armed.id})` : 'the server';
      plan = update(plan, { rollbackAt }, { kind: 'armed', text: `Rules saved on the server; rollback armed, run by ${by}: it restores them at ${rollbackAt} unless Backline moves the deadline on.`, ok: true });
      record(plan, 'firewall.armed', `${server.label}: saved the rules, rollback armed (${armed?.timer ?? 'unknown'}) for the apply, ${window} s`);
      try {
        for (const { change, text } of changes) {
          // Restoring takes well under a second; if no answer comes in 15 s the change has cut this session.
          await run(server, restoreArgv(change.family, text), `Applying the ${familyNames[change.family]} rules`, APPLY_STEP_S);
          plan = update(plan, {}, { kind: 'applied', text: `Applied: ${previewLines(change).join('; ')}`, ok: true });
        }
        record(plan, 'firewall.applied', `${server.label}: ${plan.title}`, { rules: detail.rules });
        const verification = await verify(server, plan, (at) => (rollbackAt = at));
        const summary = verificationSummary(verification, untestedNotes(detail));
        plan = update(plan, { detail: { ...plan.detail, verification }, rollbackAt }, { kind: 'verified', text: summary.message, ok: summary.ok });
        record(plan, 'firewall.verified', `${server.label}: ${summary.ok ? 'verified' : `${summary.unexpected} check(s) unexpected`}`, { verification });
        // Now the engineer is asked: their whole window starts here.
        rollbackAt = await moveDeadline(server, plan, detail.confirmWithinS, 'Starting the confirmation window');
        plan = update(
          plan,
          { status: 'awaiting-confirmation', rollbackAt },
          { kind: 'asked', text: `Waiting for your confirmation: the server restores the saved rules at ${rollbackAt} (${detail.confirmWithinS} s) unless you confirm.`, ok: true },
        );
      } catch (error) {
        if (error instanceof BacklineError && (error.code === 'SSH_CONNECTION_LOST' || error.code === 'COMMAND_TIMEOUT')) {
          // The change probably cut this very session: the server's switch undoes it; look again after the deadline.
          plan = update(
            plan,
            { status: 'awaiting-confirmation', rollbackAt },
            { kind: 'connection-lost', text: `The connection to ${server.label} was lost while applying. The server restores its saved rules at ${rollbackAt}; Backline reconnects then and reports.`, ok: false },
          );
          record(plan, 'firewall.connection-lost', `${server.label}: connection lost while applying plan ${plan.id}; server-side rollback at ${rollbackAt}`);
          scheduleRecheck(plan);
          return plan;
        }
        if (error instanceof SwitchNotArmed && error.state.state === 'rolled-back') {
          // Applying and verifying outlasted the switch's deadline: the server already put the rules back.
          plan = update(
            plan,
            { status: 'rolled-back', rollbackAt: null },
            { kind: 'rolled-back', text: 'The server restored the saved rules before you could be asked to confirm: applying and verifying took longer than its deadline. Nothing of the change is left.', ok: false },
          );
          record(plan, 'firewall.rolled-back', `${server.label}: the server rolled back plan ${plan.id} before it was verified`);
          return plan;
        }
        // Anything else: put the saved rules back now, and stand the switch down.
        await run(server, restoreSavedArgv(plan.id), 'Restoring the saved rules').catch(() => undefined);
        await run(server, disarmArgv(plan.id), 'Disarming the rollback').catch(() => undefined);
        const why = error instanceof SwitchNotArmed ? 'the rollback switch on the server stopped, so nothing would have restored the rules' : error instanceof Error ? error.message : String(error);
        plan = update(plan, { status: 'failed', rollbackAt: null }, { kind: 'failed', text: `Failed, and the previous rules were restored: ${why}`, ok: false });
        record(plan, 'firewall.failed', `${server.label}: plan ${plan.id} failed; previous rules restored`);
        if (error instanceof SwitchNotArmed) {
          throw new BacklineError('CONFLICT', `The rollback switch on ${server.label} stopped before the change was confirmed, so Backline put the previous rules back.`, {
            hint: 'Preview and apply again; if it happens again, something on the server ends processes Backline starts.',
          });
        }
        throw error;
      }
      scheduleRecheck(plan);
      return plan;
    },
    'firewall.confirm': async ({ planId }) => {
      let plan = blockPlan(planId);
      if (plan.status !== 'awaiting-confirmation') throw new BacklineError('CONFLICT', `Plan ${planId} is ${plan.status}; there is nothing to confirm.`);
      const server = ws.servers.get(plan.serverId);
      const state = parseSwitchState((await run(server, disarmArgv(plan.id), 'Disarming the rollback')).stdout.text);
      if (state.state === 'rolled-back') {
        plan = update(plan, { status: 'rolled-back', rollbackAt: null }, { kind: 'rolled-back', text: 'Too late: the server had already restored its saved rules.', ok: false });
        record(plan, 'firewall.rolled-back', `${server.label}: plan ${plan.id} was rolled back before it was confirmed`);
        throw new BacklineError('CONFLICT', `The server already rolled plan ${planId} back.`, { hint: 'Preview and apply it again, and confirm in time.' });
      }
      clearTimeout(rechecks.get(plan.id));
      const notes: string[] = [];
      // Saved for reboot first, so that the expiry job knows to save again once it lifts the block.
      let savedForReboot = false;
      if (plan.detail.persist) {
        const backend = await probe(server);
        if (backend.persistence.kind === 'netfilter-persistent') {
          await run(server, ['netfilter-persistent', 'save'], 'Saving the rules for reboot');
          savedForReboot = true;
          notes.push('saved for reboot with netfilter-persistent');
        } else notes.push('not persisted: this server does not persist its rules');
      }
      const detail = { ...plan.detail, savedForReboot };
      if (detail.expiresAt !== null) {
        const seconds = Math.max(1, detail.expiresAt - Math.floor(Date.parse(ws.now()) / 1000));
        const job = parseExpiryArmed((await run(server, expiryArgv(plan.id, seconds, expiryCommands(detail)), 'Scheduling the expiry')).stdout.text);
        notes.push(`the server lifts it by itself at ${new Date(detail.expiresAt * 1000).toISOString()}${job ? ` (${job.timer === 'systemd-run' ? 'a transient systemd timer' : 'a process detached with setsid'})` : ''}${savedForReboot ? ' and saves its rules for reboot again' : ''}`);
      }
      plan = update(plan, { status: 'confirmed', rollbackAt: null, detail }, { kind: 'confirmed', text: `Confirmed${notes.length ? `; ${notes.join('; ')}` : ''}.`, ok: true });
      const confirmed = plan;
      ws.change((tx) => {
        ws.findings.add(blockFinding(confirmed, server.label), tx.now);
        tx.record({ ticketId: confirmed.ticketId, action: 'firewall.confirmed', summary: `${server.label}: confirmed plan ${confirmed.id} (${blockUntil(detail)})`, detail: { planId: confirmed.id } });
      });
      scheduleExpiryCheck(plan);
      return plan;
    },
    'firewall.check': ({ planId }) => check(planId),
    'firewall.remove': async ({ serverId, ticketId, scope }) => {
      const server = ws.servers.get(serverId);
      if (server.ticketId !== ticketId) throw new BacklineError('VALIDATION_FAILED', `Server ${server.label} belongs to ${server.ticketId}.`);
      const filter: RemovalFilter = scope.kind === 'plan' ? { planId: scope.planId } : scope.kind === 'ticket' ? { ticketId: scope.ticketId } : { all: true };
      const before = await probe(server);
      let removed = 0;
      for (const family of addressFamilies) {
        const save = before.saves[family];
        if (save === null) continue;
        const change = unblockChange(family, parseIptablesSave(save), filter);
        if (!change.restoreText) continue;
        await run(server, restoreArgv(family, change.restoreText, { test: true }), 'Checking the removal (dry run)');
        await run(server, restoreArgv(family, change.restoreText), `Removing ${familyNames[family]} rules`);
        removed += change.removed.length;
      }
      // Rules saved for reboot would come back at the next boot: save again, without them.
      const savedForReboot = removed > 0 && before.persistence.kind === 'netfilter-persistent' && before.persistence.savedBacklineRules > 0 && (await resave(server));
      const after = await probe(server);
      const same = (a: string | null, b: string | null) => a === null || b === null || normalizeForComparison(withoutBacklineRules(a)) === normalizeForComparison(withoutBacklineRules(b));
      const customerRulesUnchanged = addressFamilies.every((family) => same(before.saves[family], after.saves[family]));
      const stillThere = new Set(
        addressFamilies.flatMap((family) => {
          const save = after.saves[family];
          return save ? backlineRules(parseIptablesSave(save)).map((r) => r.tag?.planId) : [];
        }),
      );
      const lifted = ws.plans
        .listForTicket(ticketId)
        .filter((plan): plan is FirewallBlockPlan => plan.kind === 'firewall.block' && plan.serverId === serverId && (plan.status === 'confirmed' || plan.status === 'awaiting-confirmation') && !stillThere.has(plan.id));
      for (const plan of lifted) {
        // Its rollback switch and expiry timer have nothing left to do on the server.
        await run(server, disarmArgv(plan.id), 'Disarming the rollback').catch(() => undefined);
        await run(server, cancelExpiryArgv(plan.id), 'Cancelling the expiry').catch(() => undefined);
        clearTimeout(rechecks.get(plan.id));
        clearTimeout(expiryChecks.get(plan.id));
        update(plan, { status: 'removed', rollbackAt: null }, { kind: 'removed', text: `Rules removed${savedForReboot ? '; the rules saved for reboot were saved again without them' : ''}.`, ok: true });
      }
      ws.change((tx) => {
        tx.record({
          ticketId,
          action: 'firewall.removed',
          summary: `${server.label}: removed ${removed} Backline rule(s) (${scope.kind === 'plan' ? `plan ${scope.planId}` : scope.kind === 'ticket' ? `ticket ${scope.ticketId}` : 'all'}); customer rules ${customerRulesUnchanged ? 'unchanged' : 'CHANGED'}${savedForReboot ? '; saved for reboot again' : ''}`,
          detail: { removed, customerRulesUnchanged, savedForReboot },
        });
      });
      return { removed, customerRulesUnchanged, savedForReboot };
    },
    'plans.list': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      return ws.plans.listForTicket(ticketId);
    },
  };
}
