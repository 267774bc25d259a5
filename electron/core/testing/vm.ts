import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { connectTrusting, labCore, setByHooks, type LabApp } from './lab-core.js';
import { tempDir } from './temp-dir.js';

/**
 * A real kernel for lab tests: Debian's linux-image-amd64 booted under QEMU by e2e/lab/vm/up.sh
 * (built by e2e/lab/vm/build.sh from Debian's packages), reachable over SSH as root with the lab's key.
 * Networking is QEMU's user mode, on this machine only: the guest is 10.0.2.15 on eth0, this machine
 * is 10.0.2.2 from it, and UDP the guest sends to 10.0.2.2:PORT arrives here on 127.0.0.1:PORT (from
 * 127.0.0.1, on a port of QEMU's). The kernel reboots 1 s after a panic and QEMU then exits, so a
 * crashed VM is stopped: `bootAgain()` boots it on the same port, with the same host key.
 */

const run = promisify(execFile);
const vmDir = fileURLToPath(new URL('../../../e2e/lab/vm/', import.meta.url));
const stateDir = fileURLToPath(new URL('../../../e2e/lab/state/vm/', import.meta.url));

export interface BootVmOptions {
  /** Boot with `quiet`: console log level 4, so a KERN_WARNING (4) line never reaches netconsole. */
  quiet?: boolean;
  /** The NIC QEMU gives the guest: virtio-net (default) or an Intel e1000. */
  nic?: 'virtio' | 'e1000';
  /** More kernel parameters, e.g. a boot-time `netconsole=+@/eth0,6666@10.0.2.2/52:55:0a:00:02:02`. */
  append?: string;
  /** The port on 127.0.0.1 forwarded to the guest's SSH server; a free one when not given. */
  port?: number;
  /** How long booting may take until SSH answers (default: 60 s with KVM, 180 s without). */
  timeoutS?: number;
}

export interface LabVm {
  /** What to add as the server in Backline. */
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: 'root';
  /** The lab's private key for root (e2e/lab/state/keys/lab_root). */
  readonly keyFile: string;
  /** This machine as the guest reaches it: the receiver address a netconsole target names. */
  readonly receiverAddressFromGuest: '10.0.2.2';
  /** The MAC the guest sees for 10.0.2.2 (QEMU's user-mode gateway). */
  readonly receiverMacFromGuest: '52:55:0a:00:02:02';
  readonly guestAddress: '10.0.2.15';
  readonly guestDevice: 'eth0';
  /** The VM's name (its run directory e2e/lab/state/vm/run/<name>/). */
  readonly name: string;
  /** `uname -r` in the guest, e.g. 6.1.0-57-amd64. */
  readonly kernelVersion: string;
  /** The serial console's log file (boot messages, dropbear's log, the panic as the console showed it). */
  readonly consoleLog: string;
  /** Of the last boot. */
  readonly accel: 'kvm' | 'tcg';
  readonly bootMs: number;
  isRunning(): boolean;
  /** Resolves when QEMU has exited (after a panic, the kernel reboots in 1 s and QEMU exits). */
  waitForExit(timeoutMs?: number): Promise<void>;
  /** Boots the stopped VM again: same port, same host key (a server added in Backline stays trusted). */
  bootAgain(options?: Pick<BootVmOptions, 'quiet' | 'append'>): Promise<void>;
  /** Stops QEMU (idempotent). */
  stop(): Promise<void>;
  /** The serial console's text so far. */
  console(): string;
}

let count = 0;
const running = new Map<string, number>();
/** Is this pid still the QEMU of that VM (and not a process that reused the pid since)? */
const isQemuOf = (name: string, pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(`/run/${name}/qemu.pid`);
  } catch {
    return false;
  }
};
// A test run that ends without stop() must not leave QEMU running: it daemonized, so nothing else ends it.
process.once('exit', () => {
  for (const [name, pid] of running) {
    if (!isQemuOf(name, pid)) continue;
    try {
      process.kill(pid);
    } catch {
      // gone already
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}


interface Boot {
  pid: number;
  accel: 'kvm' | 'tcg';
  bootMs: number;
}

async function up(name: string, port: number, options: BootVmOptions): Promise<Boot> {
  const args = [join(vmDir, 'up.sh'), '--name', name, '--port', String(port), '--nic', options.nic ?? 'virtio'];
  if (options.quiet) args.push('--quiet');
  if (options.append) args.push('--append', options.append);
  if (options.timeoutS) args.push('--timeout', String(options.timeoutS));
  let stdout: string;
  try {
    ({ stdout } = await run('bash', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`The lab VM ${name} did not boot (bash e2e/lab/vm/up.sh): ${stderr.trim().split('\n').slice(-12).join('\n') || String(error)}`);
  }
  const last = stdout.trim().split('\n').pop() ?? '';
  const fields = Object.fromEntries(last.split(' ').map((pair) => pair.split('=') as [string, string]));
  const pid = Number(fields.pid);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`The lab VM ${name}: up.sh printed no pid (its last line: ${last})`);
  running.set(name, pid);
  return { pid, accel: fields.accel === 'kvm' ? 'kvm' : 'tcg', bootMs: Number(fields.boot_ms) };
}

/** Boots a lab VM and resolves when root can log in over SSH. */
export async function bootVm(options: BootVmOptions = {}): Promise<LabVm> {
  const name = `t${process.pid}-${++count}`;
  let port = options.port ?? (await freePort());
  let current = options;
  let boot: Boot;
  for (let attempt = 1; ; attempt++) {
    try {
      boot = await up(name, port, current);
      break;
    } catch (error) {
      // A free port found here can be taken by another test before QEMU binds it: try another one.
      if (options.port !== undefined || attempt >= 3 || !String(error).includes('is taken already')) throw error;
      port = await freePort();
    }
  }
  const env = readFileSync(join(stateDir, 'vm.env'), 'utf8');
  const kernelVersion = /^VM_VERSION=(.+)$/m.exec(env)?.[1] ?? 'unknown';
  const consoleLog = join(stateDir, 'run', name, 'console.log');
  const isRunning = () => isQemuOf(name, boot.pid);

  return {
    host: '127.0.0.1',
    port,
    user: 'root',
    keyFile: fileURLToPath(new URL('../../../e2e/lab/state/keys/lab_root', import.meta.url)),
    receiverAddressFromGuest: '10.0.2.2',
    receiverMacFromGuest: '52:55:0a:00:02:02',
    guestAddress: '10.0.2.15',
    guestDevice: 'eth0',
    name,
    kernelVersion,
    consoleLog,
    get accel() {
      return boot.accel;
    },
    get bootMs() {
      return boot.bootMs;
    },
    isRunning,
    async waitForExit(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (isRunning()) {
        if (Date.now() > deadline) throw new Error(`The lab VM ${name} still runs ${timeoutMs} ms later (its console: ${consoleLog})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      running.delete(name);
    },
    async bootAgain(again = {}) {
      if (isRunning()) throw new Error(`The lab VM ${name} is running: stop it (or let it crash) before booting it again`);
      current = { ...current, ...again };
      boot = await up(name, port, current);
    },
    async stop() {
      await run('bash', [join(vmDir, 'down.sh'), '--name', name], { encoding: 'utf8' });
      running.delete(name);
    },
    console() {
      try {
        return readFileSync(consoleLog, 'utf8');
      } catch {
        return '';
      }
    },
  };
}

/** A ticket with the VM as its server, connected (its host key trusted): how a netdump lab test begins. */
export async function vmOnTicket(app: LabApp, vm: LabVm, ticketId: string, title = 'The fleet keeps panicking, nothing captured') {
  await app.call('tickets.create', { id: ticketId, title });
  const server = await app.call('servers.add', { ticketId, label: 'vm', host: vm.host, port: vm.port, user: vm.user, auth: 'key', keyFile: vm.keyFile });
  await connectTrusting(app, server.id);
  return server;
}

/** How long a test file's lab VM may take to boot (seconds with KVM; minutes under plain emulation). */
export const VM_BOOT_MS = 300_000;

/**
 * A lab test file that drives one core against its own lab VM across its tests (a server added in one
 * stays connected for the next): an engineer's home with an empty ~/.ssh, the core (keepalive every
 * 2 s, so a VM that panicked is noticed soon), and the VM, booted before the tests and gone after them.
 * `run` runs a /bin/sh script on a server of `ticketId` as the Servers tab does (`commands.run`).
 */
export function vmFileSuite(homePrefix: string, ticketId: string) {
  let home: ReturnType<typeof tempDir> | undefined;
  let app: LabApp | undefined;
  let vm: LabVm | undefined;
  let runs = 0;
  beforeAll(async () => {
    home = tempDir(homePrefix);
    mkdirSync(join(home.path, '.ssh'), { mode: 0o700 });
    app = labCore({ home: home.path, keepaliveIntervalS: 2 });
    vm = await bootVm();
  }, VM_BOOT_MS);
  afterAll(async () => {
    await vm?.stop();
    app?.close();
    home?.remove();
  }, 30_000);
  const ready = <T>(value: T | undefined): T => setByHooks(value, 'vmFileSuite');
  return {
    get app(): LabApp {
      return ready(app);
    },
    get vm(): LabVm {
      return ready(vm);
    },
    async run(serverId: number, script: string, ...args: string[]) {
      const runId = `${ticketId}-${process.pid}-${++runs}`;
      const { results } = await ready(app).call('commands.run', { ticketId, runId, serverIds: [serverId], argv: ['/bin/sh', '-c', script, 'sh', ...args], sudo: false, timeoutS: 60 });
      return results[0]!;
    },
  };
}
