import type { HostResult } from '../../../shared/domain/command.js';
import { BacklineError } from '../../../shared/errors.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { formatSize } from '../../../shared/domain/size.js';
import type { ExecOptions, ExecResult } from './remote-exec.js';
import { hopsOf, targetOf, whereOf, type SshDeps } from './ssh-deps.js';

/**
 * The one way anything in Backline runs on a customer server: commands from the Servers tab, probes,
 * plans, and every capability after them (DESIGN.md, principles 4 and 5). An argv goes in; it is
 * carried to /bin/sh untouched by the login shell (remote-exec.ts), and every run, whatever its
 * outcome, leaves an `ssh.exec` entry on the ticket's audit log with its argv, purpose, exit status,
 * duration and bounded output. A capability cannot forget to record, because it cannot run otherwise.
 */

export interface RemoteRequest {
  server: StoredServer;
  argv: readonly string[];
  /** Under `sudo -n`; 'unless-root' for the firewall's kind of work, which needs root either way. */
  sudo: boolean | 'unless-root';
  /** What the run is for, as the audit says it: "Command", "Reading the firewall", ... */
  purpose: string;
  timeoutMs: number;
  /** Groups the runs of one action (a fan-out, a plan) in the audit; also names spill files. */
  runId?: string;
  signal?: AbortSignal;
  onData?: ExecOptions['onData'];
  /** Bytes kept of each stream; a large head and a spill file for the Servers tab's commands. */
  output?: ExecOptions['output'];
  /**
   * Keep this server's result in the ticket's run history under `runId` (a run started with
   * `ws.runs.start`), in the same transaction as its audit entry: the Servers tab's commands.
   */
  history?: boolean;
  /** Carry argv as a script on stdin to `/bin/sh -s` (probes: `['/bin/sh', '-c', script, ...]`), never in the exec request. */
  viaStdin?: boolean;
}

/** The outcome of one run. `error` is set when the command did not run to its end (it never throws for that). */
export type RemoteResult = ExecResult & { sudo: boolean; where: string };

const DEFAULT_OUTPUT = { headBytes: 4 * 1024 * 1024, tailBytes: 64 * 1024 };

/** An argv element longer than this is shortened in the audit entry (a restore file, a script). */
const AUDIT_ARG_BYTES = 4096;

export class RemoteRunner {
  constructor(
    private readonly ws: Workspace,
    private readonly ssh: SshDeps,
  ) {}

  /** Whether Backline logs in to this server as root (then sudo is not needed). */
  isRoot(server: StoredServer): boolean {
    return targetOf(this.ssh, server).user === 'root';
  }

  /** Runs argv and records it; connection failures come back as the result's error, not thrown. */
  async run(request: RemoteRequest): Promise<RemoteResult> {
    const { server } = request;
    const sudo = request.sudo === 'unless-root' ? !this.isRoot(server) : request.sudo;
    let where: string;
    try {
      where = whereOf(this.ssh, server);
    } catch {
      where = server.host;
    }
    const started = performance.now();
    let result: ExecResult;
    try {
      result = await this.ssh.sessions.exec(server.id, hopsOf(this.ssh, server), request.argv, {
        sudo,
        timeoutMs: request.timeoutMs,
        output: request.output ?? DEFAULT_OUTPUT,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onData ? { onData: request.onData } : {}),
        ...(request.viaStdin ? { viaStdin: true } : {}),
      });
    } catch (error) {
      if (!(error instanceof BacklineError)) throw error;
      const empty = { text: '', totalBytes: 0, truncated: false, fullOutputFile: null };
      result = { exitCode: null, signal: null, durationMs: performance.now() - started, stdout: empty, stderr: empty, error };
    }
    const outcome = { ...result, sudo, where };
    // Returned only once its audit entry (and history row) is durable, in a commit shared with the
    // results that came in the same turn: a fan-out makes a few commits, not one per server.
    await this.record(request, outcome);
    return outcome;
  }

  /** Runs argv and insists on exit 0: anything else is thrown as an error that names the step and quotes the server. */
  async runOk(request: RemoteRequest): Promise<RemoteResult> {
    const result = await this.run(request);
    if (result.error) throw result.error;
    if (result.exitCode !== 0) {
      const said = result.stderr.text.trim().slice(0, 500) || result.stdout.text.trim().slice(0, 500) || 'no output';
      throw new BacklineError('REMOTE_COMMAND_FAILED', `${request.purpose} failed on ${request.server.label} (exit ${result.exitCode ?? result.signal ?? '?'}): ${said}`, {
        hint: 'Nothing more was changed; what the server said is above, and the whole run is in the audit log.',
        detail: { purpose: request.purpose, exitCode: result.exitCode, signal: result.signal },
      });
    }
    return result;
  }

  /** A run's result for one server, as the contract carries it. */
  static hostResult(server: StoredServer, result: RemoteResult): HostResult {
    return {
      serverId: server.id,
      label: server.label,
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      stdout: result.stdout,
      stderr: result.stderr,
      error: result.error ? errorOf(result.error) : null,
    };
  }

  private record(request: RemoteRequest, result: RemoteResult): Promise<unknown> {
    const { server, argv } = request;
    const clip = (text: string) => (text.length > this.ssh.output.auditBytes ? `${text.slice(0, this.ssh.output.auditBytes)}\n[… clipped in the audit log …]` : text);
    const outcome = result.error ? result.error.code : `exit ${result.exitCode ?? result.signal ?? '?'}`;
    const shown = argv.map((arg) => (arg.length > AUDIT_ARG_BYTES ? `${arg.slice(0, AUDIT_ARG_BYTES)}[… ${arg.length - AUDIT_ARG_BYTES} more characters …]` : arg));
    return this.ws.changeGrouped((tx) => {
      // The history never stands in the way of the audit entry: a run it does not hold is simply not kept there.
      if (request.history && request.runId) this.ws.runs.saveHost(request.runId, result.where, RemoteRunner.hostResult(server, result), tx.now);
      tx.record({
        ticketId: server.ticketId,
        action: 'ssh.exec',
        summary: `${server.label} (${result.where})${result.sudo ? ' sudo' : ''}: ${request.purpose === 'Command' ? '' : `${request.purpose}: `}${argv.join(' ').slice(0, 200)} → ${outcome} in ${(result.durationMs / 1000).toFixed(1)} s`,
        detail: {
          ...(request.runId ? { runId: request.runId } : {}),
          purpose: request.purpose,
          serverId: server.id,
          server: server.label,
          where: result.where,
          argv: shown,
          sudo: result.sudo,
          exitCode: result.exitCode,
          signal: result.signal,
          durationMs: Math.round(result.durationMs),
          error: result.error ? errorOf(result.error) : null,
          stdout: clip(result.stdout.text),
          stderr: clip(result.stderr.text),
          outputBytes: { stdout: result.stdout.totalBytes, stderr: result.stderr.totalBytes, total: formatSize(result.stdout.totalBytes + result.stderr.totalBytes) },
          fullOutputFiles: [result.stdout.fullOutputFile, result.stderr.fullOutputFile].filter(Boolean),
        },
      });
    });
  }
}

/** An error as the window and the audit carry it. */
export function errorOf(error: BacklineError): { code: string; message: string; hint?: string } {
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}
