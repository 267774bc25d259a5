/**
 * The preflight on a lab namespace (this machine's kernel, which has no netconsole module): read-only,
 * in one round trip, through the contract; bad states said plainly. Run: npx vitest run -c vitest.lab.config.ts <this file>
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connectTrusting, labSuite } from '../../testing/lab-core.js';

const suite = labSuite('backline-nd-preflight-');
/** What a preflight must not change (its one ping may add a neighbour entry: that is what it is for). */
const web1State = () => execFileSync('ip', ['netns', 'exec', 'bl-web1', 'sh', '-c', 'ls /sys/kernel/config /etc/modprobe.d /etc/modules-load.d 2>&1; cat /proc/sys/kernel/printk; true']).toString();

describe('netconsole preflight on web1', () => {
  it('as root: no netconsole in this kernel, said with what to do; the route and MAC read; nothing changed', async () => {
    const app = suite.open({ connectTimeoutMs: 5000 });
    await app.call('tickets.create', { id: 'TKT-60010', title: 'Fleet keeps panicking' });
    const keyFile = suite.lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
    const server = await app.call('servers.add', { ticketId: 'TKT-60010', label: 'web1', host: '10.77.0.11', user: 'root', auth: 'key', keyFile });
    await connectTrusting(app, server.id);
    const before = web1State();

    const preflight = await app.call('netdump.preflight', { serverId: server.id, target: { address: '10.77.0.20', port: 6666 } });
    expect(preflight.canApply).toBe(false);
    const problems = preflight.checks.filter((c) => c.status === 'problem').map((c) => c.id);
    expect(problems).toEqual(['netconsole', 'configfs']);
    expect(preflight.checks.find((c) => c.id === 'root')).toMatchObject({ status: 'ok', statement: 'Backline logs in as root.' });
    expect(preflight.route).toEqual({ device: 'eth0', source: '10.77.0.11', gateway: null, nextHopMac: '02:00:0a:4d:00:14' });
    expect(preflight.unparsed).toEqual([]);
    expect(web1State()).toBe(before);

    // A receiver web1 cannot route to: said, and the plan refused before anything runs.
    const unroutable = await app.call('netdump.preflight', { serverId: server.id, target: { address: '10.99.0.5', port: 6666 } });
    expect(unroutable.checks.find((c) => c.id === 'route')).toMatchObject({ status: 'problem', statement: '10.99.0.5 cannot be reached from this server: RTNETLINK answers: Network is unreachable.' });
    const refused = await app.failure('netdump.preview', { ticketId: 'TKT-60010', serverId: server.id, target: { address: '10.99.0.5', port: 6666 }, persist: false });
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.message).toContain('This server has no route to 10.99.0.5');
  }, 60_000);

  it('as a user whose sudo asks for a password: the probe still reads, and says root is missing', async () => {
    const app = suite.open({ connectTimeoutMs: 5000 });
    await app.call('tickets.create', { id: 'TKT-60011', title: 'Fleet keeps panicking' });
    const ops = suite.lab.users.find((u) => u.name === 'bl-ops')!;
    const server = await app.call('servers.add', { ticketId: 'TKT-60011', label: 'web1', host: '10.77.0.11', user: 'bl-ops', auth: 'password' });
    await connectTrusting(app, server.id, { password: ops.password! });
    const preflight = await app.call('netdump.preflight', { serverId: server.id, target: { address: '10.77.0.20', port: 6666 } });
    expect(preflight.checks.find((c) => c.id === 'root')).toMatchObject({
      status: 'problem',
      statement: 'Backline logs in as bl-ops, who may not use sudo without a password: netconsole targets are made as root.',
      action: 'Log in as root, or give bl-ops passwordless sudo (NOPASSWD) on this server.',
    });
    expect(preflight.route?.device).toBe('eth0');
  }, 60_000);
});
