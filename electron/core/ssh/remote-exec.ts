import type { Client, ClientChannel } from 'ssh2';
import { BacklineError } from '../../../shared/errors.js';
import { BoundedOutput, type BoundedText } from './bounded-output.js';
import { commandLine, sudoCommand } from './shell-quote.js';

/**
 * Fixed wrapper (no user input in it): reports the process group the command runs in, then becomes
 * the command. sshd starts every session in its own process group, so killing that group on cancel or
 * timeout takes the command and everything it started with it, instead of orphaning them.
 */
const WRAPPER = `read -r _ _ _ _ g _ < /proc/$$/stat; printf '\\036BLPGID:%s\\n' "$g" >&2; exec "$@"`;
// The record separator (0x1e) starts the line so no real stderr output can be mistaken for it.
const PGID_PREFIX = '\u001eBLPGID:';
const PGID_LINE = new RegExp(`^${PGID_PREFIX}(\\d+)\\n`);

export interface ExecOptions {
  sudo: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onData?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
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

/** The text sent to the server for argv: the wrapper, optionally under sudo, all through the one quoting function. */
export function remoteCommandText(argv: readonly string[], sudo: boolean): string {
  const wrapped = ['sh', '-c', WRAPPER, 'backline', ...argv];
  return commandLine(sudo ? sudoCommand(wrapped, { nonInteractive: true }) : wrapped);
}

const SUDO_PASSWORD = /^sudo: (a password is required|a terminal is required|no tty present)/m;

/**
 * Opens an exec channel. `attach` runs inside ssh2's callback, before anything else: a fast command's
 * output, exit status and close can arrive in the same packet batch as the channel's confirmation, and
 * listeners added after an `await` would miss them.
 */
function openExec(client: Client, text: string, attach: (channel: ClientChannel) => void = () => undefined): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(text, (error, channel) => {
      if (error) return reject(error);
      attach(channel);
      resolve(channel);
    });
  });
}

/** Kills the remote process group from a second channel on the same connection. */
async function killGroup(client: Client, pgid: number, sudo: boolean): Promise<void> {
  // No `--`: dash's kill (sh on Debian) rejects it, and "-<pgid>" after the signal already means a group.
  const argv = ['sh', '-c', 'kill -TERM -"$1" 2>/dev/null; sleep 1; kill -KILL -"$1" 2>/dev/null; true', 'backline-kill', String(pgid)];
  await new Promise<void>((resolve, reject) => {
    openExec(client, commandLine(sudo ? sudoCommand(argv, { nonInteractive: true }) : argv), (channel) => {
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
  let channel: ClientChannel | undefined;
  let pgid: number | null = null;
  let stderrHead: Buffer | null = Buffer.alloc(0);
  let stopReason: BacklineError | null = null;
  let sudoText = '';

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

  const onStderr = (chunk: Buffer): void => {
    if (stderrHead !== null) {
      // The wrapper's first stderr line carries the process group; strip it from what the engineer sees.
      stderrHead = Buffer.concat([stderrHead, chunk]);
      const text = stderrHead.toString('latin1');
      const match = PGID_LINE.exec(text);
      const incomplete = PGID_PREFIX.startsWith(text) || (text.startsWith(PGID_PREFIX) && !text.includes('\n'));
      if (!match && incomplete && text.length < 40) return;
      chunk = match ? stderrHead.subarray(match[0].length) : stderrHead;
      if (match) pgid = Number(match[1]);
      stderrHead = null;
      if (match && stopReason) void killGroup(client, pgid!, options.sudo).catch(() => undefined);
      if (chunk.length === 0) return;
    }
    if (sudoText.length < 512) sudoText += chunk.toString('utf8');
    stderr.write(chunk);
    options.onData?.('stderr', chunk);
  };

  let code: number | null = null;
  let exitSignal: string | null = null;
  let exited = false;
  const failure: { error?: Error } = {};
  const closed = new Promise<void>((resolve) => {
    void openExec(client, remoteCommandText(argv, options.sudo), (opened) => {
      channel = opened;
      opened.on('data', (chunk: Buffer) => {
        stdout.write(chunk);
        options.onData?.('stdout', chunk);
      });
      opened.stderr.on('data', onStderr);
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
  const exit = { code, signal: exitSignal, lost: !exited };
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  await Promise.all([stdout.finish(), stderr.finish()]);

  let error: BacklineError | null = stopReason;
  if (!error && options.sudo && exit.code === 1 && SUDO_PASSWORD.test(sudoText) && pgid === null) {
    error = new BacklineError('SUDO_NEEDS_PASSWORD', 'sudo on this server asks for a password, and Backline runs sudo non-interactively.', {
      hint: 'Log in as a user with passwordless sudo for this command, or as root; or run it in the terminal.',
    });
  }
  if (!error && exit.lost) {
    error = new BacklineError('SSH_CONNECTION_LOST', 'The connection was lost while the command ran; its outcome is unknown.', {
      hint: 'Reconnect and check whether the command finished before running it again.',
    });
  }
  return {
    exitCode: exit.code,
    signal: exit.signal,
    durationMs: performance.now() - started,
    stdout: stdout.result(),
    stderr: stderr.result(),
    error,
  };
}
