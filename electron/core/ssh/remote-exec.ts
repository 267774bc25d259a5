import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { BacklineError } from '../../../shared/errors.js';
import { BoundedOutput, type BoundedText } from './bounded-output.js';
import { MarkerGate, runnerFailure, runnerRequest, type RunnerRequest } from './runner-script.js';

export interface ExecOptions {
  sudo: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onData?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Send the command as a script on stdin to `/bin/sh -s`, whatever its size: a probe's script is never in the exec request. */
  viaStdin?: boolean;
  output: { headBytes: number; tailBytes: number; spillFile?: (stream: 'stdout' | 'stderr') => string };
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  stdout: BoundedText;
  stderr: BoundedText;
  error: BacklineError | null;
}

/** The server refused to open a channel: sshd's MaxSessions, as ssh2 reports it. */
export class ChannelRefused extends Error {}

/**
 * Opens an exec channel running `script` with /bin/sh, past the login shell (runner-script.ts). `attach` runs inside ssh2's
 * callback, before anything else: a fast command's output, exit status and close can arrive in the
 * same packet batch as the channel's confirmation, and listeners added after an `await` would miss them.
 */
function openRunner(client: Client, request: RunnerRequest, attach: (channel: ClientChannel) => void = () => undefined): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(request.execText, (error, channel) => {
      if (error) return reject(/open failed/i.test(error.message) ? new ChannelRefused(error.message) : error);
      attach(channel);
      channel.end(request.stdin);
      resolve(channel);
    });
  });
}

/** Per run, so a login shell's startup output cannot forge the runner's markers. */
const newNonce = () => randomBytes(6).toString('hex');

/** Kills the remote process group from a second channel on the same connection. */
async function killGroup(client: Client, pgid: number, sudo: boolean): Promise<void> {
  // No `--`: dash's kill (sh on Debian) rejects it, and "-<pgid>" after the signal already means a group.
  const argv = ['sh', '-c', 'kill -TERM -"$1" 2>/dev/null; sleep 1; kill -KILL -"$1" 2>/dev/null; true', 'backline-kill', String(pgid)];
  await new Promise<void>((resolve, reject) => {
    openRunner(client, runnerRequest(argv, sudo, { nonce: newNonce() }), (channel) => {
      channel.on('close', () => resolve());
      channel.resume();
      channel.stderr.resume();
    }).catch(reject);
  });
}

/** Runs argv on a connected client, streaming output, with a time limit and cancel that kill the remote process. */
export async function execOnClient(client: Client, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  const { headBytes, tailBytes, spillFile } = options.output;
  const bounded = (stream: 'stdout' | 'stderr') => new BoundedOutput({ headBytes, tailBytes, ...(spillFile ? { spillFile: spillFile(stream) } : {}) });
  const stdout = bounded('stdout');
  const stderr = bounded('stderr');
  if (options.signal?.aborted) {
    return { exitCode: null, signal: null, durationMs: 0, stdout: stdout.result(), stderr: stderr.result(), error: new BacklineError('CANCELLED') };
  }
  const request = runnerRequest(argv, options.sudo, { nonce: newNonce(), ...(options.viaStdin ? { inlineLimit: 0 } : {}) });
  const { markers } = request;
  let channel: ClientChannel | undefined;
  let pgid: number | null = null;
  let stopReason: BacklineError | null = null;

  const stop = (reason: BacklineError) => {
    if (stopReason) return;
    stopReason = reason;
    if (pgid !== null) void killGroup(client, pgid, options.sudo).catch(() => undefined);
    // Also ask sshd to signal it (some sshd versions refuse this for root sessions; the group kill covers that).
    channel?.signal('KILL');
    // Give the kill a moment to land before the channel goes, so the group is gone when we report.
    setTimeout(() => channel?.close(), 1500).unref();
  };
  const timer = setTimeout(
    () => stop(new BacklineError('COMMAND_TIMEOUT', `The command ran longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped.`, { hint: 'Raise the time limit if it needs longer.' })),
    options.timeoutMs,
  );
  const onAbort = () => stop(new BacklineError('CANCELLED', 'The command was cancelled and its processes killed.'));
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // What the command prints starts after the runner's markers; before them is the login shell's (or sudo's).
  const commandStdout = new MarkerGate(markers.stdout, (chunk) => {
    stdout.write(chunk);
    options.onData?.('stdout', chunk);
  });
  const commandStderr = (chunk: Buffer) => {
    stderr.write(chunk);
    options.onData?.('stderr', chunk);
  };
  const afterSudo = options.sudo ? new MarkerGate(markers.sudo, commandStderr) : null;
  const runnerStderr = new MarkerGate(
    markers.pgidPrefix,
    (chunk) => (afterSudo ? afterSudo.write(chunk) : commandStderr(chunk)),
    (value) => {
      if (!/^\d+$/.test(value)) return;
      pgid = Number(value);
      if (stopReason) void killGroup(client, pgid, options.sudo).catch(() => undefined);
    },
  );

  let code: number | null = null;
  let exitSignal: string | null = null;
  let exited = false;
  const failure: { error?: Error } = {};
  const closed = new Promise<void>((resolve) => {
    void openRunner(client, request, (opened) => {
      channel = opened;
      opened.on('data', (chunk: Buffer) => commandStdout.write(chunk));
      opened.stderr.on('data', (chunk: Buffer) => runnerStderr.write(chunk));
      opened.on('exit', (exitCode: number | null, signal?: string) => {
        exited = true;
        code = exitCode;
        exitSignal = signal ?? null;
      });
      opened.on('close', () => resolve());
    }).catch((error: unknown) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      failure.error = error instanceof Error ? error : new Error('the server refused to open a channel');
      resolve();
    });
  });
  await closed;
  if (failure.error) throw failure.error;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  await Promise.all([stdout.finish(), stderr.finish()]);

  let error: BacklineError | null = stopReason;
  if (!error && !exited) {
    error = new BacklineError('SSH_CONNECTION_LOST', 'The connection was lost while the command ran; its outcome is unknown.', {
      hint: 'Reconnect and check whether the command finished before running it again.',
    });
  }
  error ??= runnerFailure({
    sudo: options.sudo,
    started: commandStdout.seen && runnerStderr.seen,
    sudoEntered: afterSudo?.seen ?? false,
    stderrNoise: runnerStderr.noise || commandStdout.noise,
    stderrText: afterSudo?.noise ?? '',
    exitCode: code,
  });
  const ran = error === null || error.code === 'COMMAND_TIMEOUT' || error.code === 'CANCELLED' || error.code === 'SSH_CONNECTION_LOST';
  return {
    // A command that never ran has no exit status of its own to report.
    exitCode: ran ? code : null,
    signal: ran ? exitSignal : null,
    durationMs: performance.now() - started,
    stdout: stdout.result(),
    stderr: stderr.result(),
    error,
  };
}
