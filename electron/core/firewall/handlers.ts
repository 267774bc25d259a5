import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Plan } from '../../../shared/domain/plan.js';
import { BacklineError } from '../../../shared/errors.js';
import { parseProbe, probeArgv, type FirewallBackend } from './backend.js';
import { connectArgv, parseConnect } from './connectivity.js';
import { armArgv, cancelExpiryArgv, disarmArgv, expiryArgv, parseSwitchState, restoreSavedArgv, statusArgv } from './deadman.js';
import { backlineRules, normalizeForComparison, parseIptablesSave, withoutBacklineRules } from './iptables-save.js';
import { blockChange, previewLines, restoreArgv, saveArgv, unblockChange, type RemovalFilter, type RuleChange } from './rules.js';
import { canonicalAddress, parseGetentAhosts, parseTarget, type Family } from './target.js';
import type { HandlerGroup } from '../handlers.js';
import type { ExecResult } from '../ssh/remote-exec.js';
import { commandLine } from '../ssh/shell-quote.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { hopsOf, targetOf, type SshDeps } from '../ssh/server-handlers.js';

interface BlockDetail {
  target: string;
  addresses: { address: string; family: Family }[];
  keepReachable: string[];
  port: number | null;
  protocol: 'tcp' | 'udp' | 'any';
  expiresAt: number | null;
  persist: boolean;
  confirmWithinS: number;
  /** The rules as added, per family, for the expiry job and the record. */
  rules: { family: Family; preview: string[] }[];
  verification?: { address: string; port: number; expected: 'blocked' | 'reachable'; reachable: boolean; detail: string }[];
}

/** Fixed script: drops the jump and the chain once the chain holds no rule (`-S` prints only `-N`). */
const EMPTY_CHAIN_CLEANUP = `t=$1; if [ "$("$t" -S BACKLINE-OUT 2>/dev/null | wc -l)" -eq 1 ]; then "$t" -D OUTPUT -m comment --comment backline -j BACKLINE-OUT && "$t" -X BACKLINE-OUT; fi`;

const familyName = (family: Family) => (family === 4 ? 'ipv4' : 'ipv6');
const newPlanId = () => `p${randomBytes(5).toString('hex')}`;

/** Outbound blocking with iptables: probes read, plans change, with a server-side rollback guard. */
export function firewallHandlers(
  ws: Workspace,
  ssh: SshDeps,
): HandlerGroup<'firewall.probe' | 'firewall.resolve' | 'firewall.preview' | 'firewall.apply' | 'firewall.confirm' | 'firewall.check' | 'firewall.remove' | 'plans.list'> {
  const rechecks = new Map<string, NodeJS.Timeout>();

  const isRoot = (server: StoredServer) => targetOf(ssh, server).user === 'root';

  /** Runs argv on the server (under sudo unless logged in as root) and fails loudly on anything but exit 0. */
  async function run(server: StoredServer, argv: string[], what: string, timeoutS = 60): Promise<ExecResult> {
    const result = await ssh.sessions.exec(server.id, hopsOf(ssh, server), argv, {
      sudo: !isRoot(server),
      timeoutMs: timeoutS * 1000,
      output: { headBytes: 4 * 1024 * 1024, tailBytes: 64 * 1024 },
    });
    if (result.error) throw result.error;
    if (result.exitCode !== 0) {
      throw new BacklineError('INTERNAL', `${what} failed on ${server.label} (exit ${result.exitCode ?? result.signal ?? '?'}): ${result.stderr.text.trim().slice(0, 500) || result.stdout.text.trim().slice(0, 500)}`, {
        hint: 'Nothing more was changed; the output above says why.',
      });
    }
    return result;
  }

  async function probe(server: StoredServer): Promise<FirewallBackend> {
    return parseProbe((await run(server, probeArgv(), 'Reading the firewall')).stdout.text);
  }

  const record = (plan: Plan, action: string, summary: string, detail: Record<string, unknown> = {}) =>
    ws.change((tx) => tx.record({ ticketId: plan.ticketId, action, summary, detail: { planId: plan.id, ...detail } }));

  const update = (plan: Plan, changes: Partial<Plan>, message?: { text: string; ok: boolean }): Plan => {
    const now = ws.now();
    const next: Plan = { ...plan, ...changes, updatedAt: now, log: message ? [...plan.log, { at: now, message: message.text, ok: message.ok }] : plan.log };
    const saved = ws.change(() => ws.plans.save(next));
    ws.publish('plan.changed', { planId: saved.id, ticketId: saved.ticketId, status: saved.status });
    return saved;
  };

  const detailOf = (plan: Plan) => plan.detail as unknown as BlockDetail;

  function changesFor(backend: FirewallBackend, plan: Plan): RuleChange[] {
    const detail = detailOf(plan);
    return ([4, 6] as const).flatMap((family) => {
      const destinations = detail.addresses.filter((a) => a.family === family).map((a) => a.address);
      if (destinations.length === 0) return [];
      const save = family === 4 ? backend.saves.v4 : backend.saves.v6;
      if (save === null) {
        throw new BacklineError('VALIDATION_FAILED', `${familyName(family)} rules could not be read on this server.`, {
          hint: family === 6 ? 'ip6tables may be missing: block only IPv4 addresses, or install it.' : 'Check that iptables is installed and the user may run it with sudo.',
        });
      }
      return [blockChange({ family, current: parseIptablesSave(save), ticketId: plan.ticketId, planId: plan.id, destinations, protocol: detail.protocol, port: detail.port, expiresAt: detail.expiresAt })];
    });
  }

  async function verify(server: StoredServer, plan: Plan): Promise<BlockDetail['verification']> {
    const detail = detailOf(plan);
    const port = detail.port ?? 80;
    const checks = [
      ...detail.addresses.map((a) => ({ address: a.address, expected: 'blocked' as const })),
      ...detail.keepReachable.map((address) => ({ address, expected: 'reachable' as const })),
    ];
    const results = [];
    for (const check of checks) {
      const output = await run(server, connectArgv(check.address, port), `Testing ${check.address}:${port}`, 30);
      const parsed = parseConnect(output.stdout.text, check.address, port);
      results.push({ address: check.address, port, expected: check.expected, reachable: parsed.reachable, detail: parsed.detail });
    }
    return results;
  }

  /** After the deadline, asks the server (reconnecting if the block cut the session) whether it rolled back. */
  function scheduleRecheck(plan: Plan): void {
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

  async function check(planId: string): Promise<Plan> {
    const plan = ws.plans.get(planId);
    if (plan.status !== 'awaiting-confirmation') return plan;
    const server = ws.servers.get(plan.serverId);
    const state = parseSwitchState((await run(server, statusArgv(plan.id), 'Reading the rollback switch')).stdout.text);
    if (state.state !== 'rolled-back') return plan;
    const rolled = update(plan, { status: 'rolled-back', rollbackAt: null }, { text: 'The server restored the saved rules by itself: the change was not confirmed in time.', ok: false });
    record(rolled, 'firewall.rolled-back', `${server.label}: the server rolled back plan ${plan.id} (not confirmed in time)`);
    return rolled;
  }

  return {
    'firewall.probe': async ({ serverId }) => {
      const server = ws.servers.get(serverId);
      const backend = await probe(server);
      const rules = (['v4', 'v6'] as const).flatMap((key) => {
        const save = backend.saves[key];
        return save
          ? backlineRules(parseIptablesSave(save)).map((r) => ({
              family: key === 'v4' ? ('ipv4' as const) : ('ipv6' as const),
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
        sessionPeer: backend.sessionPeer,
        rules,
      };
    },
    'firewall.resolve': async ({ serverId, host }) => {
      const server = ws.servers.get(serverId);
      if (isIP(host)) return { addresses: [{ address: host, family: isIP(host) === 6 ? ('ipv6' as const) : ('ipv4' as const) }] };
      const result = await ssh.sessions.exec(server.id, hopsOf(ssh, server), ['getent', 'ahosts', host], {
        sudo: false,
        timeoutMs: 15_000,
        output: { headBytes: 64 * 1024, tailBytes: 0 },
      });
      if (result.error) throw result.error;
      if (result.exitCode === 2) {
        throw new BacklineError('NOT_FOUND', `${server.label} cannot resolve ${host}.`, { hint: 'Check the name as the customer wrote it, or give the addresses directly.' });
      }
      const addresses = parseGetentAhosts(result.stdout.text).map((a) => ({ address: a.address, family: a.family === 6 ? ('ipv6' as const) : ('ipv4' as const) }));
      return { addresses };
    },
    'firewall.preview': async (input) => {
      const server = ws.servers.get(input.serverId);
      if (server.ticketId !== input.ticketId) throw new BacklineError('VALIDATION_FAILED', `Server ${server.label} belongs to ${server.ticketId}.`);
      const parsed = parseTarget({ host: input.target, port: input.port ?? null, protocol: input.protocol });
      if (!parsed.ok) {
        throw new BacklineError('VALIDATION_FAILED', 'The target is not valid.', { issues: parsed.errors.map((e) => ({ path: e.field === 'host' ? 'target' : e.field, message: e.message })) });
      }
      const addresses = input.addresses.map((address, index) => {
        const [bare, prefix] = address.split('/');
        const family = isIP(bare ?? '');
        if (family === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
          throw new BacklineError('VALIDATION_FAILED', 'Only addresses or CIDR blocks can be blocked.', { issues: [{ path: `addresses.${index}`, message: `"${address}" is not an IP address or CIDR block.` }] });
        }
        return { address: prefix === undefined ? canonicalAddress(bare!, family as Family) : address, family: family as Family };
      });
      const backend = await probe(server);
      if (!backend.canApply) {
        throw new BacklineError('VALIDATION_FAILED', `Backline will not change the firewall on ${server.label}: ${backend.reasons.join('; ')}`, { hint: 'Fix what is named, then preview again.' });
      }
      const peer = backend.sessionPeer;
      // The session's packets from the server go to the peer's ephemeral port: only a block on every port (no --dport) stops them.
      const cutsSession = peer !== null && input.port === undefined && input.protocol !== 'udp' && addresses.some((a) => a.address === peer || (a.address.includes('/') && cidrContains(a.address, peer)));
      if (cutsSession && !input.force) {
        throw new BacklineError('VALIDATION_FAILED', `Blocking ${peer} would cut this SSH session to ${server.label}: it is the address the server sees you connect from.`, {
          hint: 'Remove it from the addresses, or force it: the server will roll the change back by itself if it is not confirmed in time.',
          issues: [{ path: 'addresses', message: `${peer} is this session's own address.` }],
        });
      }
      const now = ws.now();
      const id = newPlanId();
      const detail: BlockDetail = {
        target: input.target,
        addresses,
        keepReachable: input.keepReachable,
        port: input.port ?? null,
        protocol: input.protocol,
        expiresAt: input.expiresInMinutes ? Math.floor(Date.now() / 1000) + input.expiresInMinutes * 60 : null,
        persist: input.persist,
        confirmWithinS: input.confirmWithinS,
        rules: [],
      };
      let plan: Plan = {
        id,
        ticketId: input.ticketId,
        serverId: server.id,
        kind: 'firewall.block',
        title: `Block outbound ${addresses.map((a) => a.address).join(', ')}${input.port ? ` port ${input.port}/${input.protocol}` : ''} from ${server.label}`,
        status: 'previewed',
        steps: [],
        warnings: [...backend.warnings, ...(cutsSession ? [`This blocks ${peer}, the address of your own SSH session: expect to be cut off; the server restores its rules after ${input.confirmWithinS} s.`] : [])],
        detail: detail as unknown as Record<string, unknown>,
        rollbackAt: null,
        createdAt: now,
        updatedAt: now,
        log: [],
      };
      if (input.persist && backend.persistence.kind !== 'netfilter-persistent') {
        plan.warnings.push('This server does not persist its rules with netfilter-persistent: the block will not survive a reboot.');
      }
      const changes = changesFor(backend, plan);
      detail.rules = changes.map((c) => ({ family: c.family, preview: previewLines(c) }));
      const wrap = (argv: string[]) => commandLine(isRoot(server) ? argv : ['sudo', '-n', '--', ...argv]);
      plan.steps = [
        { title: 'Save the current rules and arm the server-side rollback', command: wrap(armArgv(id, input.confirmWithinS)), undo: null, check: wrap(statusArgv(id)) },
        ...changes.map((c) => ({
          title: `Add ${c.added.length} ${familyName(c.family)} rule(s) to ${'BACKLINE-OUT'}, atomically`,
          command: previewLines(c).join('\n'),
          undo: wrap(restoreSavedArgv(id)),
          check: wrap(saveArgv(c.family)),
        })),
        { title: 'Verify from the server: blocked addresses refuse, the others still answer', command: detail.addresses.map((a) => commandLine(connectArgv(a.address, detail.port ?? 80))).join('\n'), undo: null, check: null },
        { title: `Confirm within ${input.confirmWithinS} s, or the server restores the saved rules`, command: wrap(disarmArgv(id)), undo: null, check: null },
      ];
      plan = ws.change((tx) => {
        const saved = ws.plans.save(plan);
        tx.record({ ticketId: plan.ticketId, action: 'firewall.planned', summary: plan.title, detail: { planId: id, rules: detail.rules } });
        return saved;
      });
      return plan;
    },
    'firewall.apply': async ({ planId }) => {
      let plan = ws.plans.get(planId);
      if (plan.status !== 'previewed') throw new BacklineError('CONFLICT', `Plan ${planId} is ${plan.status}; only a previewed plan can be applied.`, { hint: 'Preview the change again.' });
      const server = ws.servers.get(plan.serverId);
      const detail = detailOf(plan);
      const backend = await probe(server);
      const changes = changesFor(backend, plan).filter((c) => c.restoreText !== null);
      // A dry run first: restore --test parses and checks every line, changing nothing.
      for (const change of changes) await run(server, restoreArgv(change.family, change.restoreText!, { test: true }), 'Checking the rules (dry run)');
      plan = update(plan, { status: 'applying' }, { text: 'Dry run passed: the rules are valid on this server.', ok: true });
      await run(server, armArgv(plan.id, detail.confirmWithinS), 'Arming the rollback');
      const rollbackAt = new Date(Date.now() + detail.confirmWithinS * 1000).toISOString();
      plan = update(plan, { rollbackAt }, { text: `Rules saved on the server; it restores them at ${rollbackAt} unless confirmed.`, ok: true });
      record(plan, 'firewall.armed', `${server.label}: saved the rules, rollback armed for ${detail.confirmWithinS} s`);
      try {
        for (const change of changes) {
          // Restoring takes well under a second; if no answer comes in 15 s the change has cut this session.
          await run(server, restoreArgv(change.family, change.restoreText!), `Applying the ${familyName(change.family)} rules`, 15);
          plan = update(plan, {}, { text: `Applied: ${previewLines(change).join('; ')}`, ok: true });
        }
        record(plan, 'firewall.applied', `${server.label}: ${plan.title}`, { rules: detail.rules });
        const verification = await verify(server, plan);
        const failures = verification!.filter((v) => (v.expected === 'blocked') === v.reachable);
        plan = update(
          plan,
          { status: 'awaiting-confirmation', detail: { ...plan.detail, verification } },
          {
            text: verification!.map((v) => `${v.address}:${v.port} ${v.reachable ? 'answers' : 'refused'} (${v.expected === 'blocked' ? 'should be blocked' : 'should answer'}): ${v.detail}`).join('; ') || 'Nothing to verify.',
            ok: failures.length === 0,
          },
        );
        record(plan, 'firewall.verified', `${server.label}: ${failures.length === 0 ? 'verified' : `${failures.length} check(s) unexpected`}`, { verification });
      } catch (error) {
        if (error instanceof BacklineError && (error.code === 'SSH_CONNECTION_LOST' || error.code === 'COMMAND_TIMEOUT')) {
          // The change probably cut this very session: the server's switch undoes it; look again after the deadline.
          plan = update(plan, { status: 'awaiting-confirmation' }, { text: `The connection to ${server.label} was lost while applying. The server restores its saved rules at ${rollbackAt}; Backline reconnects then and reports.`, ok: false });
          record(plan, 'firewall.connection-lost', `${server.label}: connection lost while applying plan ${plan.id}; server-side rollback at ${rollbackAt}`);
          scheduleRecheck(plan);
          return plan;
        }
        // Anything else: put the saved rules back now, and stand the switch down.
        await run(server, restoreSavedArgv(plan.id), 'Restoring the saved rules').catch(() => undefined);
        await run(server, disarmArgv(plan.id), 'Disarming the rollback').catch(() => undefined);
        plan = update(plan, { status: 'failed', rollbackAt: null }, { text: `Failed, and the previous rules were restored: ${error instanceof Error ? error.message : String(error)}`, ok: false });
        record(plan, 'firewall.failed', `${server.label}: plan ${plan.id} failed; previous rules restored`);
        throw error;
      }
      scheduleRecheck(plan);
      return plan;
    },
    'firewall.confirm': async ({ planId }) => {
      let plan = ws.plans.get(planId);
      if (plan.status !== 'awaiting-confirmation') throw new BacklineError('CONFLICT', `Plan ${planId} is ${plan.status}; there is nothing to confirm.`);
      const server = ws.servers.get(plan.serverId);
      const detail = detailOf(plan);
      const state = parseSwitchState((await run(server, disarmArgv(plan.id), 'Disarming the rollback')).stdout.text);
      if (state.state === 'rolled-back') {
        plan = update(plan, { status: 'rolled-back', rollbackAt: null }, { text: 'Too late: the server had already restored its saved rules.', ok: false });
        record(plan, 'firewall.rolled-back', `${server.label}: plan ${plan.id} was rolled back before it was confirmed`);
        throw new BacklineError('CONFLICT', `The server already rolled plan ${planId} back.`, { hint: 'Preview and apply it again, and confirm in time.' });
      }
      clearTimeout(rechecks.get(plan.id));
      const notes: string[] = [];
      if (detail.expiresAt !== null) {
        const seconds = Math.max(1, detail.expiresAt - Math.floor(Date.now() / 1000));
        const lift = detail.rules.flatMap((r) => [
          ...r.preview.filter((line) => / -A BACKLINE-OUT /.test(` ${line} `)).map((line) => line.replace(' -A BACKLINE-OUT ', ' -D BACKLINE-OUT ')),
          // When nothing of Backline's is left, the jump and the chain go too, as a removal would do.
          commandLine(['sh', '-c', EMPTY_CHAIN_CLEANUP, 'backline-cleanup', r.family === 4 ? 'iptables' : 'ip6tables']),
        ]);
        await run(server, expiryArgv(plan.id, seconds, lift), 'Scheduling the expiry');
        notes.push(`the server lifts it by itself at ${new Date(detail.expiresAt * 1000).toISOString()}`);
      }
      if (detail.persist) {
        const backend = await probe(server);
        if (backend.persistence.kind === 'netfilter-persistent') {
          await run(server, ['netfilter-persistent', 'save'], 'Saving the rules for reboot');
          notes.push('saved for reboot with netfilter-persistent');
        } else notes.push('not persisted: this server does not persist its rules');
      }
      plan = update(plan, { status: 'confirmed', rollbackAt: null }, { text: `Confirmed${notes.length ? `; ${notes.join('; ')}` : ''}.`, ok: true });
      const until = detail.expiresAt !== null ? `until ${new Date(detail.expiresAt * 1000).toISOString()}` : 'until removed';
      ws.change((tx) => {
        const target = detail.addresses.map((a) => `${a.address}${detail.port ? `:${detail.port}` : ''}`).join(', ');
        ws.findings.add(
          {
            ticketId: plan.ticketId,
            kind: 'action',
            severity: 'medium',
            title: `Outbound to ${target} blocked from ${server.label} ${until}`,
            detail: { server: server.label, target: detail.target, addresses: detail.addresses.map((a) => a.address).join(', '), port: detail.port, protocol: detail.protocol, plan: plan.id, expires: detail.expiresAt ? new Date(detail.expiresAt * 1000).toISOString() : null, persisted: detail.persist },
            evidence: [
              { label: 'Rules', content: detail.rules.flatMap((r) => r.preview).join('\n') },
              ...(detail.verification ? [{ label: 'Verification from the server', content: detail.verification.map((v) => `${v.address}:${v.port} ${v.reachable ? 'answers' : 'refused'} (${v.detail})`).join('\n') }] : []),
            ],
          },
          tx.now,
        );
        tx.record({ ticketId: plan.ticketId, action: 'firewall.confirmed', summary: `${server.label}: confirmed plan ${plan.id} (${until})`, detail: { planId: plan.id } });
      });
      return plan;
    },
    'firewall.check': ({ planId }) => check(planId),
    'firewall.remove': async ({ serverId, ticketId, scope }) => {
      const server = ws.servers.get(serverId);
      if (server.ticketId !== ticketId) throw new BacklineError('VALIDATION_FAILED', `Server ${server.label} belongs to ${server.ticketId}.`);
      const filter: RemovalFilter = scope.kind === 'plan' ? { planId: scope.planId } : scope.kind === 'ticket' ? { ticketId: scope.ticketId } : { all: true };
      const before = await probe(server);
      let removed = 0;
      const customerBefore = { v4: before.saves.v4, v6: before.saves.v6 };
      for (const family of [4, 6] as const) {
        const save = family === 4 ? before.saves.v4 : before.saves.v6;
        if (save === null) continue;
        const change = unblockChange(family, parseIptablesSave(save), filter);
        if (!change.restoreText) continue;
        await run(server, restoreArgv(family, change.restoreText, { test: true }), 'Checking the removal (dry run)');
        await run(server, restoreArgv(family, change.restoreText), `Removing ${familyName(family)} rules`);
        removed += change.removed.length;
      }
      const after = await probe(server);
      const same = (a: string | null, b: string | null) => a === null || b === null || normalizeForComparison(withoutBacklineRules(a)) === normalizeForComparison(withoutBacklineRules(b));
      const customerRulesUnchanged = same(customerBefore.v4, after.saves.v4) && same(customerBefore.v6, after.saves.v6);
      const stillRemoved = new Set(
        (['v4', 'v6'] as const).flatMap((key) => (after.saves[key] ? backlineRules(parseIptablesSave(after.saves[key])).map((r) => r.tag?.planId) : [])),
      );
      const lifted = ws.plans
        .listForTicket(ticketId)
        .filter((plan) => plan.serverId === serverId && (plan.status === 'confirmed' || plan.status === 'awaiting-confirmation') && !stillRemoved.has(plan.id));
      for (const plan of lifted) {
        // Its rollback switch and expiry timer have nothing left to do on the server.
        await run(server, disarmArgv(plan.id), 'Disarming the rollback').catch(() => undefined);
        await run(server, cancelExpiryArgv(plan.id), 'Cancelling the expiry').catch(() => undefined);
        clearTimeout(rechecks.get(plan.id));
        update(plan, { status: 'removed', rollbackAt: null }, { text: 'Rules removed.', ok: true });
      }
      ws.change((tx) => {
        tx.record({
          ticketId,
          action: 'firewall.removed',
          summary: `${server.label}: removed ${removed} Backline rule(s) (${scope.kind === 'plan' ? `plan ${scope.planId}` : scope.kind === 'ticket' ? `ticket ${scope.ticketId}` : 'all'}); customer rules ${customerRulesUnchanged ? 'unchanged' : 'CHANGED'}`,
          detail: { removed, customerRulesUnchanged },
        });
      });
      return { removed, customerRulesUnchanged };
    },
    'plans.list': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      return ws.plans.listForTicket(ticketId);
    },
  };
}

/** Whether an IPv4 CIDR block holds an address (IPv6 blocks are compared by their text only). */
function cidrContains(cidr: string, address: string): boolean {
  const [network, bits] = cidr.split('/');
  if (isIP(network ?? '') !== 4 || isIP(address) !== 4) return false;
  const toInt = (ip: string) => ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(network!) & mask) === (toInt(address) & mask);
}
