/**
 * The preflight on a lab namespace (this machine's kernel, which has no netconsole module): read-only,
 * in one round trip, through the contract; bad states said plainly. Run: npx vitest run -c vitest.lab.config.ts <this file>
 */
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connectTrusting, labSuite } from '../../testing/lab-core.js';
import { runnerBeside } from '../remote-receiver/testing/runner-beside.js';
import { parseEvidenceOutput } from './apply.js';
import { diagnose } from './diagnose.js';
import { parseNeighbours, parsePrintk, parseRouteGet } from './preflight.js';
import { evidenceArgv } from './scripts.js';

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

  it('the evidence script sends a datagram from user space; a port filtered on the way is named as such', async () => {
    const app = suite.open({ connectTimeoutMs: 5000 });
    await app.call('tickets.create', { id: 'TKT-60012', title: 'Fleet keeps panicking' });
    const keyFile = suite.lab.keys.find((k) => k.name === 'lab_root')!.privateKey;
    const server = await app.call('servers.add', { ticketId: 'TKT-60012', label: 'web1', host: '10.77.0.11', user: 'root', auth: 'key', keyFile });
    await connectTrusting(app, server.id);
    const beside = runnerBeside(app.dataDir, suite.home);
    // The receiver on the bastion, whose own firewall will drop the port: a filter on the way, as a customer's would be.
    const port = 30000 + Math.floor(Math.random() * 20000);
    const listener = spawn('ip', ['netns', 'exec', 'bl-bastion', '/usr/bin/python3', '-u', '-c', 'import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(("10.77.0.20", int(sys.argv[1])))\nprint("ready", flush=True)\nwhile True: print(s.recv(65535).decode().strip(), flush=True)', String(port)]);
    let heard = '';
    listener.stdout.on('data', (chunk: Buffer) => (heard += chunk.toString()));
    await new Promise<void>((resolve) => listener.stdout.once('data', () => resolve()));
    const detail = { target: 'backline-tkt-60012', devName: 'eth0', remoteIp: '10.77.0.20', remotePort: port, remoteMac: '02:00:0a:4d:00:14', gateway: null, driver: null };
    const evidenceOnce = async (token: string) => {
      const result = await beside.remote.runOk({ server: beside.ws.servers.get(server.id), argv: evidenceArgv(detail.target, detail.remoteIp, port, token), sudo: 'unless-root', purpose: 'evidence', timeoutMs: 20_000, viaStdin: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const e = parseEvidenceOutput(result.stdout.text, detail.target);
      const arrived = heard.includes(token);
      // web1's console level is 4 (this machine boots quiet): a marker at 3 is let through.
      return { e, arrived, diagnosis: diagnose(detail, { arrived: false, level: 3, target: { name: detail.target, attrs: { enabled: '1' } }, kernel: { started: true, refusals: [], lines: [] }, route: parseRouteGet(e.routeLines), neighbours: parseNeighbours(e.neighLines).neighbours, printk: parsePrintk(e.printkLines), udp: { ...e.udp, arrived } }) };
    };
    const rule = ['INPUT', '-p', 'udp', '--dport', String(port), '-j', 'DROP'];
    try {
      const open = await evidenceOnce('backline-udp-check open');
      expect(open.e.udp).toMatchObject({ sent: true, tool: 'python3' });
      expect(open.arrived).toBe(true);
      // User space gets through: were it a real marker missing, the kernel's own path would be at fault.
      expect(open.diagnosis.verdict).toBe('unknown');

      execFileSync('ip', ['netns', 'exec', 'bl-bastion', 'iptables', '-I', ...rule]);
      const filtered = await evidenceOnce('backline-udp-check filtered');
      expect(filtered.e.udp.sent).toBe(true);
      expect(filtered.arrived).toBe(false);
      expect(filtered.diagnosis.verdict).toBe('port-filtered');
      expect(filtered.diagnosis.message).toContain(`(python3) did not arrive either: something between (a firewall, the receiver's own host) drops UDP to port ${port}`);
    } finally {
      try {
        execFileSync('ip', ['netns', 'exec', 'bl-bastion', 'iptables', '-D', ...rule], { stdio: 'ignore' });
      } catch {
        // Not inserted: the test failed before.
      }
      listener.kill();
      beside.close();
    }
  }, 60_000);
});
