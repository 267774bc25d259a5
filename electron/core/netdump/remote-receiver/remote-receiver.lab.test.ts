/**
 * The remote receiver on the lab bastion, as an engineer's login user (no root): started over SSH
 * through the one runner, detached, fed by web1 over the lab network, streamed back and parsed, listed,
 * refused on a port in use, and stopped. Run: npx vitest run -c vitest.lab.config.ts <this file>
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { AssemblerEvent } from '../parse/assembler.js';
import { connectTrusting, labSuite } from '../../testing/lab-core.js';
import { RemoteReceivers } from './remote-receiver.js';
import { runnerBeside } from './testing/runner-beside.js';

const suite = labSuite('backline-nd-remote-');

/** Sends these datagrams from web1's network namespace, from port 6665 as netconsole does. */
function sendFromWeb1(to: string, port: number, datagrams: string[]): void {
  const script = 'import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(("10.77.0.11", 6665))\nfor d in sys.argv[3:]: s.sendto(d.encode(), (sys.argv[1], int(sys.argv[2])))';
  execFileSync('ip', ['netns', 'exec', 'bl-web1', '/usr/bin/python3', '-c', script, to, String(port), ...datagrams]);
}

const PANIC = [
  '6,900,5000000,-;sysrq: Trigger a crash\n',
  '0,901,5000100,-;Kernel panic - not syncing: sysrq triggered crash\n',
  '4,902,5000200,-;CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-57-amd64 #1  Debian 6.1.158-1\n',
  '4,903,5000300,-;Call Trace:\n',
  '4,904,5000400,-; <TASK>\n',
  '4,905,5000500,-; dump_stack_lvl+0x44/0x5c\n',
  '4,906,5000600,-; panic+0x118/0x2ee\n',
  '4,907,5000700,-; </TASK>\n',
  '0,908,5000800,-;---[ end Kernel panic - not syncing: sysrq triggered crash ]---\n',
];

describe('remote netconsole receiver on the bastion', () => {
  it('starts detached, receives web1, streams back and parses, refuses a taken port, stops', async () => {
    const app = suite.open({ connectTimeoutMs: 5000 });
    await app.call('tickets.create', { id: 'TKT-60013', title: 'Fleet keeps panicking' });
    const user = suite.lab.users.find((u) => u.name === 'bl-deploy')!;
    const keyFile = suite.lab.keys.find((k) => k.name === user.keys[0])!.privateKey;
    const server = await app.call('servers.add', { ticketId: 'TKT-60013', label: 'bastion', host: '10.77.0.20', user: 'bl-deploy', auth: 'key', keyFile });
    await connectTrusting(app, server.id);
    const beside = runnerBeside(app.dataDir, suite.home);
    const seen: AssemblerEvent[] = [];
    const receivers = new RemoteReceivers(beside.ws, beside.remote, { onEvents: (_r, events) => seen.push(...events) });
    const port = 20000 + Math.floor(Math.random() * 20000);
    try {
      const probe = await receivers.probe(server.id);
      expect(probe.tool).toBe('python3');

      const started = await receivers.start({ ticketId: 'TKT-60013', serverId: server.id, address: '0.0.0.0', port, minutes: 2 });
      expect(started).toMatchObject({ status: 'running', tool: 'python3', serverLabel: 'bastion' });
      expect(started.directory).toMatch(new RegExp(`/backline-netdump/tkt-60013-[0-9a-f]{6}$`));
      expect(started.pid).toBeGreaterThan(1);
      // Detached: in its own session, not the SSH channel's.
      const sid = execFileSync('ps', ['-o', 'sid=', '-p', String(started.pid)]).toString().trim();
      expect(sid).toBe(String(started.pid));

      sendFromWeb1('10.77.0.20', port, ['4,899,4999000,-;backline remote check\n', ...PANIC]);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const first = await receivers.fetch(started.id);
      expect(first.filter((e) => e.type === 'message').map((e) => (e.type === 'message' ? e.message.text : ''))).toContain('backline remote check');
      const panic = seen.find((e) => e.type === 'panic');
      expect(panic?.type === 'panic' && panic.panic.title).toBe('Kernel panic - not syncing: sysrq triggered crash');
      expect(panic?.type === 'panic' && panic.panic.sender).toBe('10.77.0.11');
      // Nothing new: nothing read again.
      expect((await receivers.fetch(started.id)).filter((e) => e.type === 'message')).toEqual([]);

      const listed = await receivers.list('TKT-60013');
      expect(listed).toHaveLength(1); // the refused start below leaves no directory: nor did any before
      expect(listed[0]).toMatchObject({ id: started.id, status: 'running', port, senders: [{ address: '10.77.0.11', messages: 10 }] });

      await expect(receivers.start({ ticketId: 'TKT-60013', serverId: server.id, address: '0.0.0.0', port, minutes: 1 })).rejects.toThrow(/could not listen: \[Errno 98\] Address already in use/);

      const stopped = await receivers.stop(started.id);
      expect(stopped.status).toBe('stopped');
      expect(() => execFileSync('kill', ['-0', String(started.pid)], { stdio: 'ignore' })).toThrow();
      expect((await receivers.list('TKT-60013')).find((r) => r.id === started.id)?.status).toBe('stopped');
      const audit = (await app.call('audit.list', { ticketId: 'TKT-60013' })).map((e) => e.action);
      expect(audit).toEqual(expect.arrayContaining(['netdump.remote-started', 'netdump.remote-stopped', 'ssh.exec']));
    } finally {
      execFileSync('ip', ['netns', 'exec', 'bl-bastion', 'sh', '-c', 'rm -rf ~bl-deploy/backline-netdump/tkt-60013-*']);
      receivers.close();
      beside.close();
    }
  }, 60_000);
});
