import { fork } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunnerReply, RunnerRequest } from './runner-process.js';

/**
 * One report process as the ReportRunner sees it, whatever started it: a Node child process (the
 * browser shell, tests, scripts) or Electron's utilityProcess (the desktop app, where the RunAsNode
 * fuse is off, so `fork` of the Electron binary cannot run Node).
 */
export interface ReportProcess {
  send(request: RunnerRequest): void;
  onMessage(listener: (reply: RunnerReply) => void): void;
  /** Once, when the process has ended: its exit code, or the signal that ended it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** What the process writes on stderr, to explain one that could not start or crashed. */
  onStderr(listener: (chunk: string) => void): void;
  /** Ends it at once: a report step cannot be interrupted, so a report is stopped with its process. */
  kill(): void;
  /** Whether this process keeps the parent alive (an idle one must not hold up a test or script). */
  setRef(ref: boolean): void;
}

/** The module a report process runs, and its arguments (the cache file). */
export interface ReportProcessEntry {
  file: string;
  args: string[];
  /** Node flags: `--import tsx` when running from TypeScript sources. */
  execArgv: string[];
}

export type ReportProcessLauncher = (entry: ReportProcessEntry) => ReportProcess;

/** The built app runs runner-process.js; from TypeScript sources (tests, tsx scripts) the .ts through tsx. */
export function reportProcessEntry(cacheFile: string): ReportProcessEntry {
  const built = new URL('./runner-process.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { file: fileURLToPath(built), args: [cacheFile], execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { file: fileURLToPath(new URL('./runner-process.ts', import.meta.url)), args: [cacheFile], execArgv: ['--import', tsx] };
}

/** A Node child process on the IPC channel, with structured-clone messages like a utilityProcess's. */
export const childReportProcess: ReportProcessLauncher = (entry) => {
  const proc = fork(entry.file, entry.args, { execArgv: entry.execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  proc.on('error', () => undefined); // the exit that follows says it
  proc.stderr?.setEncoding('utf8');
  return {
    send: (request) => void proc.send(request),
    onMessage: (listener) => void proc.on('message', (reply: RunnerReply) => listener(reply)),
    onExit: (listener) => void proc.once('exit', (code, signal) => listener(code, signal)),
    onStderr: (listener) => void proc.stderr?.on('data', (chunk: string) => listener(chunk)),
    kill: () => void proc.kill('SIGKILL'),
    setRef: (ref) => {
      const channel = proc.channel as { ref(): void; unref(): void } | undefined;
      if (ref) {
        proc.ref();
        channel?.ref();
      } else {
        proc.unref();
        channel?.unref();
      }
    },
  };
};

/** The part of Electron's UtilityProcess used here (typed here so the core never imports electron). */
export interface UtilityProcessLike extends Pick<EventEmitter, 'on' | 'once'> {
  postMessage(message: unknown): void;
  kill(): boolean;
  readonly stderr: NodeJS.ReadableStream | null;
}

export interface UtilityProcessModule {
  fork(modulePath: string, args?: string[], options?: { execArgv?: string[]; stdio?: ['ignore', 'ignore' | 'pipe' | 'inherit', 'ignore' | 'pipe' | 'inherit']; serviceName?: string }): UtilityProcessLike;
}

/**
 * Electron's utilityProcess: a Chromium utility process running Node without RunAsNode. Its messages
 * are structured clones; the child answers on `process.parentPort` (see runner-process.ts). kill()
 * sends SIGTERM, which ends Node at once as nothing in the report process handles it.
 */
export function utilityReportProcess(utilityProcess: UtilityProcessModule): ReportProcessLauncher {
  return (entry) => {
    const proc = utilityProcess.fork(entry.file, entry.args, { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'Backline reports' });
    proc.on('error', () => undefined); // a fatal error is followed by its exit
    proc.stderr?.setEncoding('utf8');
    return {
      send: (request) => proc.postMessage(request),
      onMessage: (listener) => void proc.on('message', (reply: RunnerReply) => listener(reply)),
      onExit: (listener) => void proc.once('exit', (code: number) => listener(code, null)),
      onStderr: (listener) => void proc.stderr?.on('data', (chunk: string) => listener(chunk)),
      kill: () => void proc.kill(),
      // A utility process lives and dies with the app: nothing to hold up.
      setRef: () => undefined,
    };
  };
}
