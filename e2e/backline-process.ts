import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READY_PREFIX } from '../electron/web/ready-line.js';
import { launchTokenOf } from '../shared/bridge.js';

const CLI = join(import.meta.dirname, '..', 'build', 'electron', 'web', 'cli.js');

export interface RunningBackline {
  url: string;
  origin: string;
  port: number;
  token: string;
}

/**
 * The browser shell as a user starts it: a real process on its own data directory. Readiness is the
 * line it prints with the URL, never a sleep.
 */
export class BacklineProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'backline-e2e-'));
  private child: ChildProcess | null = null;
  private output = '';

  /** `env`: extra environment variables for the process (e.g. where the reporting sources are configured). */
  constructor(private readonly env: Readonly<Record<string, string>> = {}) {}

  async start(): Promise<RunningBackline> {
    this.output = '';
    // Its own HOME and no agent: the engineer's real ~/.ssh never leaks into a test.
    const home = join(this.dataDir, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    const { SSH_AUTH_SOCK: _agent, ...env } = process.env;
    const child = spawn(process.execPath, [CLI, '--data-dir', this.dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...this.env, HOME: home } });
    this.child = child;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Backline did not start in 20 s:\n${this.output}`)), 20_000);
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (this.output += chunk));
      child.stdout.on('data', (chunk: string) => {
        this.output += chunk;
        const line = this.output.split('\n').find((l) => l.startsWith(READY_PREFIX));
        if (line) {
          clearTimeout(timer);
          resolve(line.slice(READY_PREFIX.length).trim());
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Backline exited with ${code}:\n${this.output}`));
      });
    });
    const parsed = new URL(url);
    return { url, origin: parsed.origin, port: Number(parsed.port), token: launchTokenOf(parsed.hash) ?? '' };
  }

  /** The running process's id (benchmarks read its memory from /proc). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends the process; SIGKILL is a crash: nothing gets a chance to flush. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
