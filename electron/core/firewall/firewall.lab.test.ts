/**
 * Outbound blocking against the lab's real iptables (e2e/lab: `bash e2e/lab/up.sh`, as root): web1 is
 * the customer's server, feeds.lab.test resolves there to three web heads, head3 is the bad one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readLab, type Lab } from '../../../e2e/lab/lab.js';
import { events } from '../../../shared/contract/index.js';
import { connectTrusting, labCore, type LabApp } from '../testing/lab-core.js';
import { tempDir } from '../testing/temp-dir.js';
import { normalizeForComparison } from './iptables-save.js';

let lab: Lab;
let home: ReturnType<typeof tempDir>;
const apps: LabApp[] = [];

beforeAll(() => {
  lab = readLab();
  home = tempDir('backline-fw-home-');
  mkdirSync(join(home.path, '.ssh'), { mode: 0o700 });
});
afterAll(() => home.remove());
afterEach(() => {
  for (const app of apps.splice(0)) app.close();
});

const web1 = () => lab.hosts.find((h) => h.name === 'web1')!;
const head = (name: string) => lab.heads.find((h) => h.name === name)!;
const rootKey = () => lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
/** The customer server's rules, read from outside Backline. */
const rulesOnWeb1 = () =>
  normalizeForComparison(execFileSync('ip', ['netns', 'exec', web1().namespace, 'iptables-save']).toString()) +
  normalizeForComparison(execFileSync('ip', ['netns', 'exec', web1().namespace, 'ip6tables-save']).toString());

/** A ticket with web1 on it, logged in as root, or as a customer user with sudo (`as`). */
async function setup(ticketId: string, as?: string) {
  const app = labCore({ home: home.path, keepaliveIntervalS: 2, connectTimeoutMs: 5000 });
  apps.push(app);
  await app.call('tickets.create', { id: ticketId, title: 'PHP eats the machine' });
  const user = as ? lab.users.find((u) => u.name === as)! : null;
  const keyFile = user ? lab.keys.find((k) => k.name === user.keys[0])!.privateKey : rootKey();
  const server = await app.call('servers.add', { ticketId, label: 'web1', host: web1().address, user: user?.name ?? 'root', auth: 'key', keyFile });
  await connectTrusting(app, server.id);
  return { ...app, server };
}

describe('blocking one bad web head', () => {
  it('blocks head3 only, verifies from the server, records a finding, and removal restores the customer rules exactly', async () => {
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48213');
    const probe = await call('firewall.probe', { serverId: server.id });
    expect(probe).toMatchObject({ backend: 'nft', canApply: true, sessionPeer: lab.workstation.address });

    const { addresses } = await call('firewall.resolve', { serverId: server.id, host: lab.feedsName });
    expect(addresses.map((a) => a.address).sort()).toEqual(lab.heads.map((h) => h.address).sort());

    const bad = head('head3').address;
    const good = lab.heads.filter((h) => h.name !== 'head3').map((h) => h.address);
    const plan = await call('firewall.preview', { ticketId: 'TKT-48213', serverId: server.id, target: lab.feedsName, addresses: [bad], keepReachable: good, port: 80, protocol: 'tcp' });
    expect(plan.status).toBe('previewed');
    const rules = plan.steps.map((s) => s.command).join('\n');
    expect(rules).toContain(`iptables -A BACKLINE-OUT -d ${bad}/32 -p tcp -m tcp --dport 80`);
    expect(rules).toContain(`backline:TKT-48213:${plan.id}`);
    expect(rulesOnWeb1()).toBe(before); // previewing changes nothing

    const applied = await call('firewall.apply', { planId: plan.id });
    expect(applied.status).toBe('awaiting-confirmation');
    const verification = applied.detail.verification ?? [];
    expect(verification.find((v) => v.address === bad)).toMatchObject({ reachable: false });
    for (const address of good) expect(verification.find((v) => v.address === address)).toMatchObject({ reachable: true });

    const confirmed = await call('firewall.confirm', { planId: plan.id });
    expect(confirmed.status).toBe('confirmed');
    const findings = await call('findings.list', { ticketId: 'TKT-48213' });
    expect(findings[0]!.title).toBe(`Outbound to ${bad}:80 blocked from web1 until removed`);
    expect((await call('firewall.probe', { serverId: server.id })).rules).toEqual([expect.objectContaining({ ticketId: 'TKT-48213', planId: plan.id, destination: `${bad}/32`, port: 80 })]);

    const removal = await call('firewall.remove', { serverId: server.id, ticketId: 'TKT-48213', scope: { kind: 'ticket', ticketId: 'TKT-48213' } });
    expect(removal).toEqual({ removed: 1, customerRulesUnchanged: true });
    expect(rulesOnWeb1()).toBe(before);
    const audit = (await call('audit.list', { ticketId: 'TKT-48213' })).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['firewall.planned', 'firewall.armed', 'firewall.applied', 'firewall.verified', 'firewall.confirmed', 'firewall.removed']));
  });

  it('lets the server roll back a change nobody confirmed', async () => {
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48214');
    const plan = await call('firewall.preview', { ticketId: 'TKT-48214', serverId: server.id, target: head('head3').address, addresses: [head('head3').address], port: 8080, protocol: 'tcp', confirmWithinS: 10 });
    await call('firewall.apply', { planId: plan.id });
    expect(rulesOnWeb1()).not.toBe(before);
    await expect.poll(() => rulesOnWeb1(), { timeout: 20_000, interval: 1000 }).toBe(before);
    await expect.poll(async () => (await call('firewall.check', { planId: plan.id })).status, { timeout: 10_000, interval: 1000 }).toBe('rolled-back');
  }, 40_000);
});

describe('as a customer user whose login shell is tcsh, with sudo', () => {
  it('probes, applies, lets the server roll back, and every step is audited with its argv', async () => {
    expect(lab.users.find((u) => u.name === 'bl-tcsh')?.shell).toBe('/usr/bin/tcsh');
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48220', 'bl-tcsh');
    const probe = await call('firewall.probe', { serverId: server.id });
    expect(probe).toMatchObject({ backend: 'nft', canApply: true, reasons: [] });
    const plan = await call('firewall.preview', { ticketId: 'TKT-48220', serverId: server.id, target: head('head3').address, addresses: [head('head3').address], port: 8080, protocol: 'tcp', confirmWithinS: 10 });
    expect(plan.steps[0]!.command).toMatch(/^sudo -n -- /);
    const applied = await call('firewall.apply', { planId: plan.id });
    expect(applied.status).toBe('awaiting-confirmation');
    expect(applied.detail.verification?.find((v) => v.address === head('head3').address)).toMatchObject({ reachable: false });
    expect(rulesOnWeb1()).not.toBe(before);
    await expect.poll(() => rulesOnWeb1(), { timeout: 20_000, interval: 1000 }).toBe(before);
    await expect.poll(async () => (await call('firewall.check', { planId: plan.id })).status, { timeout: 10_000, interval: 1000 }).toBe('rolled-back');
    const runs = (await call('audit.list', { ticketId: 'TKT-48220', limit: 200 })).filter((e) => e.action === 'ssh.exec');
    const purposes = runs.map((e) => (e.detail as { purpose: string }).purpose);
    expect(purposes).toEqual(expect.arrayContaining(['Reading the firewall', 'Checking the rules (dry run)', 'Arming the rollback', 'Applying the IPv4 rules', 'Reading the rollback switch']));
    for (const entry of runs) expect(entry.detail).toMatchObject({ sudo: true, error: null, exitCode: 0 });
  }, 60_000);
});

describe('expiry and persistence', () => {
  it('lifts a block by itself when it expires, with Backline doing nothing', async () => {
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48217');
    const plan = await call('firewall.preview', { ticketId: 'TKT-48217', serverId: server.id, target: head('head3').address, addresses: [head('head3').address], port: 80, protocol: 'tcp', expiresInMinutes: 1, persist: true });
    // The lab's servers do not persist their rules, so Backline says it will not either.
    expect(plan.warnings.join(' ')).toMatch(/does not persist its rules/);
    await call('firewall.apply', { planId: plan.id });
    const confirmed = await call('firewall.confirm', { planId: plan.id });
    expect(confirmed.log.at(-1)!.message).toMatch(/the server lifts it by itself at .*not persisted/);
    expect((await call('findings.list', { ticketId: 'TKT-48217' }))[0]!.title).toMatch(/blocked from web1 until 20\d\d-/);
    expect(rulesOnWeb1()).not.toBe(before);
    await expect.poll(() => rulesOnWeb1(), { timeout: 90_000, interval: 2000 }).toBe(before);
    expect((await call('firewall.probe', { serverId: server.id })).rules).toEqual([]);
  }, 120_000);
});

describe('safety', () => {
  it("refuses to cut the engineer's own session unless forced; forced, the server rolls it back and Backline reconnects", async () => {
    const before = rulesOnWeb1();
    const { core, call, failure, server } = await setup('TKT-48215');
    const peer = lab.workstation.address;
    const refused = await failure('firewall.preview', { ticketId: 'TKT-48215', serverId: server.id, target: peer, addresses: [peer] });
    expect(refused.code).toBe('SESSION_WOULD_BE_CUT');
    expect(refused.detail).toEqual({ server: 'web1', peer });
    expect(refused.issues).toEqual([{ path: 'addresses.0', message: expect.stringContaining(peer) as unknown }]);
    // A block holding the peer is refused the same way; a block that does not is previewed (networks are not verified as hosts).
    expect((await failure('firewall.preview', { ticketId: 'TKT-48215', serverId: server.id, target: `${peer}/32`, addresses: [`${peer}/32`] })).code).toBe('SESSION_WOULD_BE_CUT');
    const network = await call('firewall.preview', { ticketId: 'TKT-48215', serverId: server.id, target: '203.0.113.0/24', addresses: ['203.0.113.0/24'] });
    expect(network.detail.addresses).toEqual([{ address: '203.0.113.0/24', family: 'ipv4' }]);
    // One port of the peer is not the session (its packets go to the peer's ephemeral port): no force needed.
    expect((await call('firewall.preview', { ticketId: 'TKT-48215', serverId: server.id, target: peer, addresses: [peer], port: 80 })).status).toBe('previewed');

    const statuses: string[] = [];
    core.events.subscribe((event, payload) => {
      if (event === 'plan.changed') statuses.push(events['plan.changed'].payload.parse(payload).status);
    });
    const plan = await call('firewall.preview', { ticketId: 'TKT-48215', serverId: server.id, target: peer, addresses: [peer], force: true, confirmWithinS: 10 });
    expect(plan.warnings.join(' ')).toMatch(/your own SSH session/);
    const applied = await call('firewall.apply', { planId: plan.id });
    expect(applied.status).toBe('awaiting-confirmation');
    expect(applied.log.at(-1)).toMatchObject({ kind: 'connection-lost', ok: false, message: expect.stringMatching(/connection to web1 was lost/) as unknown });
    await expect.poll(() => statuses.at(-1), { timeout: 30_000, interval: 500 }).toBe('rolled-back');
    expect(rulesOnWeb1()).toBe(before);
    const again = await call('commands.run', { ticketId: 'TKT-48215', runId: `fw-${Date.now()}`, serverIds: [server.id], argv: ['hostname'], sudo: false, timeoutS: 30 });
    expect(again.results[0]!.stdout.text.trim()).toBe('web1');
  }, 60_000);

  it('refuses injection through the target, the addresses, the port and the ticket id, changing nothing', async () => {
    const before = rulesOnWeb1();
    const { failure, server } = await setup('TKT-48216');
    const base = { ticketId: 'TKT-48216', serverId: server.id, target: '203.0.113.7', addresses: ['203.0.113.7'] };
    for (const bad of [
      { ...base, target: '$(reboot)' },
      { ...base, target: 'a;reboot' },
      { ...base, addresses: ['203.0.113.7; reboot'] },
      { ...base, addresses: ['203.0.113.7 -j ACCEPT'] },
      { ...base, port: 0 },
      { ...base, port: '80; reboot' },
      { ...base, ticketId: 'TKT-1"; reboot; "' },
      { ...base, addresses: ['203.0.113.0/24; reboot'] },
      { ...base, addresses: ['0.0.0.0/0'] },
      { ...base, keepReachable: ['$(reboot)'] },
    ]) {
      const error = await failure('firewall.preview', bad);
      expect(error.code, JSON.stringify(bad)).toBe('VALIDATION_FAILED');
    }
    expect(rulesOnWeb1()).toBe(before);
  });
});
