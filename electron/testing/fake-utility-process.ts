import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import type { UtilityProcessLike, UtilityProcessModule } from '../core/reporting/reports/report-process.js';

const shim = fileURLToPath(new URL('./utility-process-shim.ts', import.meta.url));

/**
 * A stand-in for Electron's UtilityProcess with its documented behaviour: postMessage sends a
 * structured clone, the child answers on process.parentPort, kill() is SIGTERM, 'exit' carries a code
 * only, stdin is never a pipe. Behind it runs a real Node process, so what runs in it is real.
 */
export class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  readonly stderr: NodeJS.ReadableStream | null;
  readonly killSignals: string[] = [];
  constructor(private readonly child: ChildProcess) {
    super();
    this.stderr = child.stderr;
    child.on('spawn', () => this.emit('spawn'));
    child.on('message', (message) => this.emit('message', message));
    child.on('exit', (code, signal) => this.emit('exit', code ?? 128 + (signal ? constants.signals[signal] : 0)));
  }
  get pid(): number | undefined {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }
  postMessage(message: unknown): void {
    this.child.send(message as never);
  }
  kill(): boolean {
    this.killSignals.push('SIGTERM');
    return this.child.kill('SIGTERM');
  }
}

type ForkOptions = Parameters<UtilityProcessModule['fork']>[2];

export function createFakeUtilityProcess() {
  const forked: FakeUtilityProcess[] = [];
  return {
    forked,
    fork: vi.fn((modulePath: string, args: string[] = [], options: ForkOptions = {}): FakeUtilityProcess => {
      const [stdin = 'ignore', stdout = 'inherit', stderr = 'inherit'] = options.stdio ?? [];
      if (stdin !== 'ignore') throw new Error('utilityProcess supports only "ignore" for stdin.');
      // The shim is TypeScript: tsx is loaded for it unless the module's own flags load it already.
      const execArgv = options.execArgv ?? [];
      const child = fork(shim, [modulePath, ...args], {
        execArgv: execArgv.some((flag) => flag.includes('tsx')) ? execArgv : ['--import', 'tsx', ...execArgv],
        serialization: 'advanced',
        stdio: ['ignore', stdout, stderr, 'ipc'],
      });
      const proc = new FakeUtilityProcess(child);
      forked.push(proc);
      return proc;
    }),
  };
}

export type FakeUtilityProcessModule = ReturnType<typeof createFakeUtilityProcess>;
