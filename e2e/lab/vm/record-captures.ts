/**
 * Records real netconsole captures from the lab VM (Debian's kernel under QEMU, e2e/lab/vm/up.sh) into
 * electron/core/netdump/fixtures/recorded/, for the parser's tests: a UDP listener on 127.0.0.1 takes
 * every datagram as received, and each scenario boots the VM, sets netconsole up by hand over SSH,
 * writes markers to /dev/kmsg and panics it with sysrq-c (the kernel reboots 1 s later and QEMU exits).
 *   npx tsx e2e/lab/vm/record-captures.ts [scenario...]     (all scenarios without arguments)
 * Files use the capture framing of electron/core/netdump/captures/format.ts: per datagram a header
 * line `#ncap1 <arrival ms> <source port> <length>`, the raw bytes, and `\n`.
 */
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const vmDir = dirname(fileURLToPath(import.meta.url));
const repo = join(vmDir, '../../..');
const outDir = join(repo, 'electron/core/netdump/fixtures/recorded');
const key = join(repo, 'e2e/lab/state/keys/lab_root');
const name = 'rec';
const sshPort = 10122;
const runDir = join(repo, 'e2e/lab/state/vm/run', name);
const hostMac = '52:55:0a:00:02:02';

/** A configfs target, set up as a person would: attributes first, `enabled` last. */
const dynamicTarget = (port: number, extended: boolean) => `set -e
modprobe netconsole
t=/sys/kernel/config/netconsole/rec
mkdir "$t"
echo eth0 >"$t/dev_name"
echo 10.0.2.15 >"$t/local_ip"
echo 10.0.2.2 >"$t/remote_ip"
echo ${hostMac} >"$t/remote_mac"
echo ${port} >"$t/remote_port"
echo ${extended ? 1 : 0} >"$t/extended"
echo 1 >"$t/enabled"`;

const kmsg = (line: string) => `printf '%s\\n' '${line}' >/dev/kmsg`;
// The longest line /dev/kmsg takes here (988 characters: longer ones are refused with EINVAL): with
// the extended header it is over netconsole's 1000-byte chunk, so it goes out as ncfrag fragments.
const longLine = `backline-long-message ${'0123456789abcdef'.repeat(60)}`.padEnd(984, '.') + ' end';

interface Scenario {
  about: string;
  quiet?: boolean;
  nic?: 'virtio' | 'e1000';
  append?: (port: number) => string;
  setup: (port: number) => string[];
}

const scenarios: Record<string, Scenario> = {
  'extended-sysrq-panic': {
    about: 'dynamic target, extended=1; a marker at KERN_CRIT; sysrq-c',
    setup: (port: number) => [dynamicTarget(port, true), kmsg('<2>backline-marker-extended')],
  },
  'extended-long-message': {
    about: 'dynamic target, extended=1; a ~1000-character /dev/kmsg line (ncfrag fragments); sysrq-c',
    setup: (port: number) => [dynamicTarget(port, true), kmsg('<2>backline-marker-before-long'), kmsg(`<2>${longLine}`), kmsg('<2>backline-marker-after-long')],
  },
  'plain-sysrq-panic': {
    about: 'dynamic target, extended=0 (plain format); a marker at KERN_CRIT; sysrq-c',
    setup: (port: number) => [dynamicTarget(port, false), kmsg('<2>backline-marker-plain')],
  },
  'boot-extended-panic': {
    about: 'boot-time target on the kernel command line (netconsole=+@/eth0,PORT@10.0.2.2/MAC, the module loaded at boot); a marker; sysrq-c',
    append: (port: number) => `netconsole=+@/eth0,${port}@10.0.2.2/${hostMac}`,
    setup: () => ['sleep 5', kmsg('<2>backline-marker-boot')],
  },
  'boot-extended-panic-e1000': {
    about: 'as boot-extended-panic, with an e1000 NIC',
    nic: 'e1000',
    append: (port: number) => `netconsole=+@/eth0,${port}@10.0.2.2/${hostMac}`,
    setup: () => ['sleep 5', kmsg('<2>backline-marker-boot-e1000')],
  },
  'quiet-filtered-marker': {
    about: 'booted with `quiet` (console log level 4); dynamic target, extended=1; markers at KERN_ERR (3, sent), KERN_WARNING (4, filtered: never sent, its sequence number skipped), KERN_ERR again; sysrq-c',
    quiet: true,
    setup: (port: number) => [
      dynamicTarget(port, true),
      'cat /proc/sys/kernel/printk',
      kmsg('<3>backline-marker-passes-err-1'),
      kmsg('<4>backline-marker-filtered-warning'),
      kmsg('<3>backline-marker-passes-err-2'),
    ],
  },
  'extended-sysrq-backtrace-then-panic': {
    about: 'extended=1; sysrq-l (a backtrace of the running CPU: a Call Trace that is not a crash) between two markers; then sysrq-c',
    setup: (port: number) => [dynamicTarget(port, true), kmsg('<2>backline-marker-before-backtrace'), 'echo l >/proc/sysrq-trigger', 'sleep 1', kmsg('<2>backline-marker-after-backtrace')],
  },
  'e1000-extended-sysrq-panic': {
    about: 'as extended-sysrq-panic, with an e1000 NIC instead of virtio-net',
    nic: 'e1000',
    setup: (port: number) => [dynamicTarget(port, true), kmsg('<2>backline-marker-e1000')],
  },
};

const ssh = (script: string) =>
  execFileSync(
    'ssh',
    ['-i', key, '-p', String(sshPort), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${join(runDir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', 'root@127.0.0.1', '/bin/sh -s'],
    { input: script, encoding: 'utf8', timeout: 60_000 },
  );

const qemuRunning = () => {
  try {
    const pid = Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function record(id: string, scenario: Scenario) {
  // A boot-time target replays the whole kernel log at once: with the default receive buffer (208 KiB
  // here) the tail of that burst was dropped on this machine, the marker with it.
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  const records: { at: number; port: number; bytes: Buffer }[] = [];
  socket.on('message', (bytes, rinfo) => records.push({ at: Date.now(), port: rinfo.port, bytes }));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  const args = ['--name', name, '--port', String(sshPort)];
  if (scenario.quiet) args.push('--quiet');
  if (scenario.nic) args.push('--nic', scenario.nic);
  if (scenario.append) args.push('--append', scenario.append(port));
  const up = execFileSync('bash', [join(vmDir, 'up.sh'), ...args], { encoding: 'utf8' });
  const kernel = ssh('uname -r; uname -v').trim().split('\n');
  for (const step of scenario.setup(port)) {
    const out = ssh(step);
    if (out.trim()) console.log(`  ${id}: ${step.split('\n')[0]} -> ${out.trim()}`);
  }
  await sleep(500);
  // The panic ends the session: the trigger runs detached, and the VM's exit is the end of the capture.
  const crash = spawn('ssh', ['-i', key, '-p', String(sshPort), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${join(runDir, 'known_hosts')}`, 'root@127.0.0.1', 'echo c >/proc/sysrq-trigger'], { stdio: 'ignore' });
  crash.on('error', () => undefined);
  const deadline = Date.now() + 60_000;
  while (qemuRunning() && Date.now() < deadline) await sleep(100);
  if (qemuRunning()) throw new Error(`${id}: the VM did not stop within 60 s of sysrq-c`);
  crash.kill();
  await sleep(500);
  socket.close();
  const file = Buffer.concat(
    records.flatMap((r) => [Buffer.from(`#ncap1 ${r.at} ${r.port} ${r.bytes.length}\n`, 'latin1'), r.bytes, Buffer.from('\n')]),
  );
  writeFileSync(join(outDir, `${id}.ncap`), file);
  console.log(`${id}: ${records.length} datagrams, ${file.length} bytes (${up.trim()})`);
  return { id, about: scenario.about, datagrams: records.length, kernel };
}

mkdirSync(outDir, { recursive: true });
const wanted = process.argv.slice(2);
const done = [];
for (const [id, scenario] of Object.entries(scenarios)) {
  if (wanted.length && !wanted.includes(id)) continue;
  done.push(await record(id, scenario));
}
for (const d of done) console.log(`${d.id}\t${d.datagrams}\t${d.kernel.join(' ')}\t${d.about}`);
