/**
 * Outbound blocking against the lab's real iptables (e2e/lab: `bash e2e/lab/up.sh`, as root): web1 is
 * the customer's server, feeds.lab.test resolves there to three web heads (IPv4 and IPv6), head3 is the
 * bad one; web2 restores its rules at boot with netfilter-persistent.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { events } from '../../../shared/contract/index.js';
import { connectTrusting, labSuite } from '../testing/lab-core.js';
import { normalizeForComparison } from './iptables-save.js';

const suite = labSuite('backline-fw-home-');

const host = (name: string) => suite.lab.hosts.find((h) => h.name === name)!;
const web1 = () => host('web1');
const head = (name: string) => suite.lab.heads.find((h) => h.name === name)!;
const rootKey = () => suite.lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
/** A customer server's rules, read from outside Backline. */
const rulesOn = (name: string) =>
  normalizeForComparison(execFileSync('ip', ['netns', 'exec', host(name).namespace, 'iptables-save']).toString()) +
  normalizeForComparison(execFileSync('ip', ['netns', 'exec', host(name).namespace, 'ip6tables-save']).toString());
const rulesOnWeb1 = () => rulesOn('web1');

/** A ticket with a server on it (web1 unless `on`), logged in as root, or as a customer user with sudo (`as`), by its IPv4 address unless `address`. */
async function setup(ticketId: string, as?: string, options: { on?: string; address?: string } = {}) {
  const app = suite.open({ keepaliveIntervalS: 2, connectTimeoutMs: 5000 });
  await app.call('tickets.create', { id: ticketId, title: 'PHP eats the machine' });
  const user = as ? suite.lab.users.find((u) => u.name === as)! : null;
  const keyFile = user ? suite.lab.keys.find((k) => k.name === user.keys[0])!.privateKey : rootKey();
  const label = options.on ?? 'web1';
  const server = await app.call('servers.add', { ticketId, label, host: options.address ?? host(label).address, user: user?.name ?? 'root', auth: 'key', keyFile });
  await connectTrusting(app, server.id);
  return { ...app, server };
}

/** Plays a reboot of web2 as netfilter-persistent does it: the kernel's rules start empty, then its saved rules are restored. */
function rebootWeb2Firewall(): void {
  const ns = host('web2').namespace;
  // The directory `ip netns exec` mounts over /etc/iptables must be the one it reads (never this machine's own).
  const rulesDir = suite.lab.persistentHosts.find((h) => h.name === 'web2')!.rulesDir;
  expect(execFileSync('ip', ['netns', 'exec', ns, 'cat', '/etc/iptables/rules.v4']).toString()).toBe(readFileSync(`${rulesDir}/rules.v4`, 'utf8'));
  execFileSync('ip', ['netns', 'exec', ns, 'netfilter-persistent', 'flush'], { stdio: 'ignore' });
  expect(execFileSync('ip', ['netns', 'exec', ns, 'iptables-save']).toString()).not.toContain('customer:');
  execFileSync('ip', ['netns', 'exec', ns, 'netfilter-persistent', 'start'], { stdio: 'ignore' });
}
const savedOnWeb2 = () => {
  const rulesDir = suite.lab.persistentHosts.find((h) => h.name === 'web2')!.rulesDir;
  return readFileSync(`${rulesDir}/rules.v4`, 'utf8') + readFileSync(`${rulesDir}/rules.v6`, 'utf8');
};

describe('blocking one bad web head', () => {
  it('blocks head3 only, verifies from the server, records a finding, and removal restores the customer rules exactly', async () => {
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48213');
    const probe = await call('firewall.probe', { serverId: server.id });
    expect(probe).toMatchObject({ backend: 'nft', canApply: true, sessionPeer: suite.lab.workstation.address });

    const { addresses } = await call('firewall.resolve', { serverId: server.id, host: suite.lab.feedsName });
    expect(addresses.map((a) => a.address).sort()).toEqual(suite.lab.heads.flatMap((h) => [h.address, h.address6!]).sort());

    const bad = head('head3').address;
    const good = suite.lab.heads.filter((h) => h.name !== 'head3').map((h) => h.address);
    const plan = await call('firewall.preview', { ticketId: 'TKT-48213', serverId: server.id, target: suite.lab.feedsName, addresses: [bad], keepReachable: good, port: 80, protocol: 'tcp' });
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
    expect(removal).toEqual({ removed: 1, customerRulesUnchanged: true, savedForReboot: false });
    expect(rulesOnWeb1()).toBe(before);
    // The finding follows the block: removed, it says so (issue 11, item 9).
    const [ended] = await call('findings.list', { ticketId: 'TKT-48213' });
    expect(ended).toMatchObject({ status: 'superseded', planId: plan.id, title: expect.stringMatching(new RegExp(`^Outbound to ${bad.replace(/\./g, '\\.')}:80 no longer blocked from web1: the block was removed at `)) as unknown });
    const audit = (await call('audit.list', { ticketId: 'TKT-48213' })).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['firewall.planned', 'firewall.armed', 'firewall.applied', 'firewall.verified', 'firewall.confirmed', 'firewall.removed', 'finding.superseded']));
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
    expect(suite.lab.users.find((u) => u.name === 'bl-tcsh')?.shell).toBe('/usr/bin/tcsh');
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48220', 'bl-tcsh');
    const probe = await call('firewall.probe', { serverId: server.id });
    expect(probe).toMatchObject({ backend: 'nft', canApply: true, reasons: [] });
    // The customer's own OUTPUT chain is read too, without Backline's jump.
    expect(probe.customerOutput.map((f) => f.family)).toContain('ipv4');
    expect(probe.customerOutput.flatMap((f) => f.rules).some((r) => r.target === 'BACKLINE-OUT')).toBe(false);
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
    expect(confirmed.log.at(-1)!.message).toMatch(/^Confirmed; not persisted: this server does not persist its rules; the server lifts it by itself at .* \(a process detached with setsid\)\.$/);
    expect((await call('findings.list', { ticketId: 'TKT-48217' }))[0]!.title).toMatch(/blocked from web1 until 20\d\d-/);
    expect(rulesOnWeb1()).not.toBe(before);
    await expect.poll(() => rulesOnWeb1(), { timeout: 90_000, interval: 2000 }).toBe(before);
    expect((await call('firewall.probe', { serverId: server.id })).rules).toEqual([]);
    // Backline marks the plan expired, and its finding with it.
    await expect.poll(async () => (await call('firewall.check', { planId: plan.id })).status, { timeout: 20_000, interval: 2000 }).toBe('expired');
    expect((await call('findings.list', { ticketId: 'TKT-48217' }))[0]).toMatchObject({ status: 'superseded', title: expect.stringContaining('no longer blocked from web1: the block was expired at') as unknown });
  }, 120_000);
});

describe('safety', () => {
  it("refuses to cut the engineer's own session unless forced; forced, the server rolls it back and Backline reconnects", async () => {
    const before = rulesOnWeb1();
    const { core, call, failure, server } = await setup('TKT-48215');
    const peer = suite.lab.workstation.address;
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
    // Cut while applying, the switch still has its apply window (30 s for one family) to run out.
    await expect.poll(() => statuses.at(-1), { timeout: 60_000, interval: 500 }).toBe('rolled-back');
    expect(rulesOnWeb1()).toBe(before);
    const again = await call('commands.run', { ticketId: 'TKT-48215', runId: `fw-${Date.now()}`, serverIds: [server.id], argv: ['hostname'], sudo: false, timeoutS: 30 });
    expect(again.results[0]!.stdout.text.trim()).toBe('web1');
  }, 120_000);

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

  it('refuses every field of a plan at the contract, keepReachable as the target, with a reason per field (keepReachable used to reach the server: INTERNAL after applying)', async () => {
    const before = rulesOnWeb1();
    const { failure, server } = await setup('TKT-48218');
    const base = { ticketId: 'TKT-48218', serverId: server.id, target: head('head3').address, addresses: [head('head3').address], port: 8080 };
    for (const kept of ['$(reboot)', '10.77.0.41; reboot', '`reboot`', '-j ACCEPT', '10.77.0.41 -j ACCEPT', 'fd77::41%-jACCEPT']) {
      const error = await failure('firewall.preview', { ...base, keepReachable: [head('head1').address, kept] });
      expect(error.code, kept).toBe('VALIDATION_FAILED');
      expect(error.issues, kept).toEqual([{ path: 'keepReachable.1', message: expect.stringContaining(kept) as unknown }]);
    }
    // A CIDR block with a second slash, and an address with a zone: a clear reason, never INTERNAL.
    const slashes = await failure('firewall.preview', { ...base, target: '10.94.0.43/32/$(reboot)', addresses: ['10.94.0.43/32/$(reboot)'] });
    expect(slashes).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(slashes.issues?.map((i) => i.path)).toEqual(['target', 'addresses.0']);
    expect(slashes.issues?.[0]?.message).toContain('32/$(reboot)');
    const zone = await failure('firewall.preview', { ...base, target: 'fd94::43%-jACCEPT', addresses: ['fd94::43%-jACCEPT'] });
    expect(zone.issues?.map((i) => i.message)).toEqual([expect.stringContaining('names a zone (%-jACCEPT)'), expect.stringContaining('names a zone (%-jACCEPT)')]);
    expect(rulesOnWeb1()).toBe(before);
  });
});

describe('networks and IPv6 (a dual-stack server)', () => {
  it('previews a CIDR block of either family (was INTERNAL), with addresses inside it to test and what it leaves untested', async () => {
    const { call, server } = await setup('TKT-48230');
    const plan = await call('firewall.preview', { ticketId: 'TKT-48230', serverId: server.id, target: '10.94.0.40/30', addresses: ['10.94.0.40/30', 'fd94::40/126'], port: 443 });
    expect(plan.status).toBe('previewed');
    const verify = plan.steps.find((step) => step.title.startsWith('Verify from the server'))!;
    for (const address of ['10.94.0.41', '10.94.0.42', 'fd94::41', 'fd94::42']) expect(verify.command).toContain(`backline-connect ${address} 443 auto`);
    expect(verify.title).toContain('not tested: 10.94.0.40/30: tested 10.94.0.41 and 10.94.0.42, not its other 2 addresses');
  });

  it('blocks an IPv6 head and an IPv6 network on one port, verifies inside the network from the server, and removes them, the customer rules as they were', async () => {
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48231');
    // fd77::42/127 holds head2's and head3's IPv6 addresses; head1 stays reachable on both families.
    const network = 'fd77::42/127';
    const plan = await call('firewall.preview', {
      ticketId: 'TKT-48231',
      serverId: server.id,
      target: suite.lab.feedsName,
      addresses: [network, head('head3').address],
      keepReachable: [head('head1').address6!, head('head1').address],
      port: 8080,
    });
    expect(plan.detail.rules.map((r) => r.family).sort()).toEqual(['ipv4', 'ipv6']);
    const applied = await call('firewall.apply', { planId: plan.id });
    expect(applied.status).toBe('awaiting-confirmation');
    const verification = applied.detail.verification ?? [];
    expect(verification.map((v) => [v.address, v.network, v.expected, v.reachable])).toEqual([
      [head('head2').address6, network, 'blocked', false],
      [head('head3').address6, network, 'blocked', false],
      [head('head3').address, null, 'blocked', false],
      [head('head1').address6, null, 'reachable', true],
      [head('head1').address, null, 'reachable', true],
    ]);
    // Port 80 of the blocked network still answers: only 8080 is blocked.
    const port80 = execFileSync('ip', ['netns', 'exec', web1().namespace, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', `http://[${head('head2').address6!}]:80/`]).toString();
    expect(port80).toBe('200');
    await call('firewall.confirm', { planId: plan.id });
    const rules = (await call('firewall.probe', { serverId: server.id })).rules.filter((r) => r.planId === plan.id);
    expect(rules.map((r) => [r.family, r.destination, r.port]).sort()).toEqual([
      ['ipv4', `${head('head3').address}/32`, 8080],
      ['ipv6', network, 8080],
    ]);
    expect(await call('firewall.remove', { serverId: server.id, ticketId: 'TKT-48231', scope: { kind: 'plan', planId: plan.id } })).toEqual({ removed: 2, customerRulesUnchanged: true, savedForReboot: false });
    expect(rulesOnWeb1()).toBe(before);
  }, 60_000);

  it("over an IPv6 SSH session, knows blocking the session's /64 (or its address) cuts the session; forced, the server rolls back and Backline reconnects over IPv6", async () => {
    const before = rulesOnWeb1();
    const { core, call, failure, server } = await setup('TKT-48232', undefined, { address: web1().address6! });
    const peer = suite.lab.workstation.address6;
    expect((await call('firewall.probe', { serverId: server.id })).sessionPeer).toBe(peer);
    const base = { ticketId: 'TKT-48232', serverId: server.id };
    for (const block of [suite.lab.workstation.network6, peer, `${peer}/128`, 'fd77::/48']) {
      const refused = await failure('firewall.preview', { ...base, target: block, addresses: [block] });
      expect(refused.code, block).toBe('SESSION_WOULD_BE_CUT');
      expect(refused.detail).toEqual({ server: 'web1', peer });
    }
    // The same network's IPv4 twin, or another /64, leave this session alone.
    expect((await call('firewall.preview', { ...base, target: 'fd77:0:0:1::/64', addresses: ['fd77:0:0:1::/64'] })).status).toBe('previewed');

    const statuses: string[] = [];
    core.events.subscribe((event, payload) => {
      if (event === 'plan.changed') statuses.push(events['plan.changed'].payload.parse(payload).status);
    });
    const plan = await call('firewall.preview', { ...base, target: suite.lab.workstation.network6, addresses: [suite.lab.workstation.network6], force: true, confirmWithinS: 10 });
    const applied = await call('firewall.apply', { planId: plan.id });
    expect(applied.log.at(-1)).toMatchObject({ kind: 'connection-lost', ok: false });
    await expect.poll(() => statuses.at(-1), { timeout: 60_000, interval: 500 }).toBe('rolled-back');
    expect(rulesOnWeb1()).toBe(before);
    expect((await call('firewall.probe', { serverId: server.id })).sessionPeer).toBe(peer);
  }, 120_000);
});

describe('the confirmation window (issue 10: it starts when the engineer is asked)', () => {
  it('counts from when apply and verification are done, however long they took; the probe and the log say what runs the rollback', async () => {
    const before = rulesOnWeb1();
    const { call, server } = await setup('TKT-48233');
    // The lab's servers have systemd-run installed, but no systemd runs there: setsid.
    expect((await call('firewall.probe', { serverId: server.id })).rollbackTimer).toBe('setsid');
    // Two addresses where nothing answers: each check waits out curl's 3 s connect timeout.
    const plan = await call('firewall.preview', {
      ticketId: 'TKT-48233',
      serverId: server.id,
      target: head('head3').address,
      addresses: [head('head3').address],
      keepReachable: [suite.lab.unusedAddress, suite.lab.unusedAddress6],
      port: 8080,
      confirmWithinS: 10,
    });
    const started = Date.now();
    const applied = await call('firewall.apply', { planId: plan.id });
    const asked = Date.now();
    expect(asked - started).toBeGreaterThan(6000);
    expect(applied.status).toBe('awaiting-confirmation');
    expect(applied.log.find((l) => l.kind === 'armed')?.message).toMatch(/run by a process detached with setsid \(pid \d+\)/);
    expect(applied.log.at(-1)).toMatchObject({ kind: 'asked', ok: true });
    // The whole window is left when the engineer is asked...
    expect(Date.parse(applied.rollbackAt!) - asked).toBeGreaterThan(8000);
    // ...and the server agrees: past the moment a countdown started at arming would have ended, nothing rolled back.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 11_000 - Date.now())));
    expect(rulesOnWeb1()).not.toBe(before);
    const confirmed = await call('firewall.confirm', { planId: plan.id });
    expect(confirmed.status).toBe('confirmed');
    await call('firewall.remove', { serverId: server.id, ticketId: 'TKT-48233', scope: { kind: 'ticket', ticketId: 'TKT-48233' } });
    expect(rulesOnWeb1()).toBe(before);
  }, 60_000);
});

describe('persisted blocks and reboots (issue 10: web2 restores its rules at boot with netfilter-persistent)', () => {
  const web2Block = (ticketId: string, serverId: number, port: number, expiresInMinutes?: number) => ({
    ticketId,
    serverId,
    target: head('head3').address,
    addresses: [head('head3').address],
    port,
    persist: true,
    ...(expiresInMinutes === undefined ? {} : { expiresInMinutes }),
  });

  it('web1 saves no rules, web2 does: the probe tells them apart', async () => {
    const one = await setup('TKT-48234');
    const p1 = await one.call('firewall.probe', { serverId: one.server.id });
    expect(p1.persistence).toBeNull();
    expect(p1.warnings).toContain(
      "netfilter-persistent is installed but no rules are saved in /etc/iptables: nothing is restored at boot, so Backline's block lasts until the next reboot (and Backline does not start saving this server's rules).",
    );
    const two = await setup('TKT-48234', undefined, { on: 'web2' });
    expect((await two.call('firewall.probe', { serverId: two.server.id })).persistence).toBe('netfilter-persistent');
  });

  it('an expired block is gone from the saved rules too: after a reboot it does not come back, and the plan says expired', async () => {
    const before = rulesOn('web2');
    const saved = savedOnWeb2();
    const { call, server } = await setup('TKT-48235', undefined, { on: 'web2' });
    const plan = await call('firewall.preview', web2Block('TKT-48235', server.id, 80, 1));
    await call('firewall.apply', { planId: plan.id });
    const confirmed = await call('firewall.confirm', { planId: plan.id });
    expect(confirmed.detail.savedForReboot).toBe(true);
    expect(confirmed.log.at(-1)!.message).toMatch(/saved for reboot with netfilter-persistent; the server lifts it by itself at .* and saves its rules for reboot again/);
    expect(savedOnWeb2()).toContain(`backline:TKT-48235:${plan.id}`);
    // A reboot before the expiry keeps the block: that is what persisting is for.
    rebootWeb2Firewall();
    expect(rulesOn('web2')).toContain(`backline:TKT-48235:${plan.id}`);

    // The server lifts it at its expiry, and saves again without it.
    await expect.poll(() => rulesOn('web2'), { timeout: 90_000, interval: 2000 }).toBe(before);
    await expect.poll(() => savedOnWeb2(), { timeout: 10_000, interval: 500 }).not.toContain('BACKLINE-OUT');
    rebootWeb2Firewall();
    expect(rulesOn('web2')).toBe(before);
    expect(normalizeForComparison(savedOnWeb2())).toBe(normalizeForComparison(saved));

    const checked = await call('firewall.check', { planId: plan.id });
    expect(checked.status).toBe('expired');
    expect(checked.log.at(-1)).toMatchObject({ kind: 'expired', ok: true, message: expect.stringMatching(/^The server lifted the block at its expiry .* and saved its rules for reboot without it\.$/) as unknown });
    expect((await call('audit.list', { ticketId: 'TKT-48235' })).map((e) => e.action)).toContain('firewall.expired');
  }, 150_000);

  it('a removed block is gone from the saved rules too: after a reboot it does not come back', async () => {
    const before = rulesOn('web2');
    const { call, server } = await setup('TKT-48236', undefined, { on: 'web2' });
    const plan = await call('firewall.preview', web2Block('TKT-48236', server.id, 8080));
    await call('firewall.apply', { planId: plan.id });
    await call('firewall.confirm', { planId: plan.id });
    expect(savedOnWeb2()).toContain(`backline:TKT-48236:${plan.id}`);
    const removal = await call('firewall.remove', { serverId: server.id, ticketId: 'TKT-48236', scope: { kind: 'ticket', ticketId: 'TKT-48236' } });
    expect(removal).toEqual({ removed: 1, customerRulesUnchanged: true, savedForReboot: true });
    expect(savedOnWeb2()).not.toContain('BACKLINE-OUT');
    rebootWeb2Firewall();
    expect(rulesOn('web2')).toBe(before);
    expect((await call('plans.list', { ticketId: 'TKT-48236' }))[0]!.log.at(-1)!.message).toBe('Rules removed; the rules saved for reboot were saved again without them.');
  }, 60_000);

  it('a reboot before the expiry brings the block back and ends its expiry job: past the expiry, Backline lifts it, saves again, and the plan says expired', async () => {
    const before = rulesOn('web2');
    const { call, server } = await setup('TKT-48237', undefined, { on: 'web2' });
    const plan = await call('firewall.preview', web2Block('TKT-48237', server.id, 8080, 1));
    await call('firewall.apply', { planId: plan.id });
    await call('firewall.confirm', { planId: plan.id });
    // The reboot: every process ends (the expiry job with them), the saved rules come back.
    const job = /^setsid (\d+)/.exec(readFileSync(`/var/lib/backline/plans/${plan.id}/expiry`, 'utf8'))?.[1];
    process.kill(-Number(job), 'SIGKILL');
    rebootWeb2Firewall();
    expect(rulesOn('web2')).toContain(`backline:TKT-48237:${plan.id}`);
    // Before the expiry, a check leaves it alone.
    expect((await call('firewall.check', { planId: plan.id })).status).toBe('confirmed');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, plan.detail.expiresAt! * 1000 + 1000 - Date.now())));
    const checked = await call('firewall.check', { planId: plan.id });
    expect(checked.status).toBe('expired');
    expect(checked.log.at(-1)!.message).toBe("The server's expiry job did not run (was the server restarted?): Backline lifted the 1 rule(s) left and saved the rules for reboot without them.");
    expect(rulesOn('web2')).toBe(before);
    rebootWeb2Firewall();
    expect(rulesOn('web2')).toBe(before);
  }, 150_000);
});
