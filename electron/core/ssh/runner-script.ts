import { BacklineError } from '../../../shared/errors.js';
import { commandLine } from './shell-quote.js';

/**
 * How a remote command reaches /bin/sh untouched by the login shell (DESIGN.md, principle 4).
 *
 * sshd runs an exec request's text with the user's login shell (`$SHELL -c text`), and login shells
 * disagree about quoting: tcsh expands `!` inside single quotes and ends a line at a quoted newline,
 * fish reads `\\` and `\'` inside single quotes. So the exec text holds only what every shell reads
 * alike, and only /bin/sh parses the real script (argv included, quoted for sh):
 * - inline: the script's bytes in one single-quoted word where every byte that any shell could read
 *   differently (`'`, `\`, `!`, newlines, non-ASCII...) is written `\0ooo`, which no shell touches inside
 *   single quotes, and /bin/sh turns back into bytes with `printf %b`. No extra round trip.
 * - on stdin, past {@link INLINE_LIMIT} (sshd and old shells limit one argument's length): the exec text
 *   is `/bin/sh -s` and the script is the channel's data.
 * Startup files of the login shell (.tcshrc, config.fish, a chatty .bashrc) may print before /bin/sh
 * starts: markers on both streams say where the command's own output begins, and their absence means
 * the runner itself never started.
 */

/** The exec text when the script travels on stdin. */
export const STDIN_EXEC_TEXT = '/bin/sh -s';

/** Exec texts up to this many bytes carry the script inline; longer scripts go on stdin. */
export const INLINE_LIMIT = 16 * 1024;

/** Bytes every login shell reads literally inside single quotes (no `!`, `^`, backslash, quote, newline or 8-bit). */
const LITERAL = /^[A-Za-z0-9 _.,:;=+\-/$"(){}<>|&[\]*?@%~#]$/;
const LITERAL_BYTES = new Set(Array.from({ length: 128 }, (_, byte) => byte).filter((byte) => LITERAL.test(String.fromCharCode(byte))));

/** The script's bytes as one word for inside single quotes, escaped for printf's %b (`\0ooo`). */
export function inlineWord(script: string): string {
  let word = '';
  for (const byte of Buffer.from(script, 'utf8')) {
    word += LITERAL_BYTES.has(byte) ? String.fromCharCode(byte) : `\\0${byte.toString(8).padStart(3, '0')}`;
  }
  return word;
}

export interface RunnerRequest {
  /** What goes in the exec request: the same under sh, bash, zsh, ksh, csh/tcsh and fish. */
  execText: string;
  /** What goes on the channel's stdin before it is closed ('' when the script is inline). */
  stdin: string;
}

/** How to send `script` to /bin/sh past the login shell. */
export function runnerRequest(script: string, inlineLimit = INLINE_LIMIT): RunnerRequest {
  const execText = `/bin/sh -c 'eval "$(printf %b "$1")"' sh '${inlineWord(script)}'`;
  return execText.length <= inlineLimit ? { execText, stdin: '' } : { execText: STDIN_EXEC_TEXT, stdin: script };
}

/** Marker lines start with the record separator (0x1e), which no ordinary output begins a line with. */
const RS = '\u001e';
export const MARKERS = {
  /** First stdout line: what came before it is the login shell's, not the command's. */
  stdout: `${RS}BLOUT\n`,
  /** First stderr line, with the process group the command runs in (for cancel and time limits). */
  pgidPrefix: `${RS}BLPGID:`,
  /** After sudo let us in: without it, sudo itself failed (password, no sudo, not allowed). */
  sudo: `${RS}BLSUDO\n`,
} as const;

/**
 * The script /bin/sh reads on stdin. The argv is set with `set --` in sh quoting, then the process
 * group is reported (sshd starts every session in its own group, so killing it on cancel takes
 * everything the command started), and the command replaces the shell with stdin from /dev/null:
 * nothing the command runs can read the rest of the script, and nothing waits for input forever.
 */
export function runnerScript(argv: readonly string[], sudo: boolean): string {
  const set = `set -- ${commandLine(argv)}`;
  const report = [
    // /proc/$$/stat's fifth field is the process group; ps where there is no /proc (BSD).
    `if [ -r /proc/$$/stat ]; then read -r _ _ _ _ g _ < /proc/$$/stat; else g=$(ps -o pgid= -p $$ 2>/dev/null | tr -d ' '); fi`,
    `printf '\\036BLOUT\\n'; printf '\\036BLPGID:%s\\n' "$g" >&2`,
  ].join('\n');
  const run = sudo
    ? [
        `command -v sudo >/dev/null 2>&1 || { echo 'sudo: not installed on this server' >&2; exit 127; }`,
        `exec sudo -n -- /bin/sh -c 'printf "\\036BLSUDO\\n" >&2; exec "$@"' backline "$@" </dev/null`,
      ].join('\n')
    : 'exec "$@" </dev/null';
  return `${set}\n${report}\n${run}\n`;
}

/** A fixed script with its own argv, run without markers (the kill of a process group). */
export function plainScript(argv: readonly string[], sudo: boolean): string {
  const set = `set -- ${commandLine(argv)}`;
  return `${set}\n${sudo ? 'exec sudo -n -- "$@" </dev/null' : 'exec "$@" </dev/null'}\n`;
}

/**
 * Strips what precedes a marker line on one stream. Fed chunk by chunk; `pass` receives the bytes
 * after the marker. Bytes before it (login-shell noise) are kept, bounded, for the error message
 * when the marker never comes.
 */
export class MarkerGate {
  private pending: Buffer | null = Buffer.alloc(0);
  private noiseText = '';
  /** What followed the marker's tag up to its newline (the process group for the stderr marker). */
  value: string | null = null;

  constructor(
    private readonly marker: string,
    private readonly pass: (chunk: Buffer) => void,
    /** For a marker with a value (`tag` + value + newline) rather than a fixed line: called once it is read. */
    private readonly onValue?: (value: string) => void,
  ) {}

  get seen(): boolean {
    return this.pending === null;
  }

  /** Login-shell output before the marker (or all of it, when the marker never came). */
  get noise(): string {
    return this.pending === null ? this.noiseText : this.noiseText + this.pending.toString('utf8');
  }

  write(chunk: Buffer): void {
    if (this.pending === null) {
      this.pass(chunk);
      return;
    }
    this.pending = Buffer.concat([this.pending, chunk]);
    const text = this.pending.toString('latin1');
    const at = text.indexOf(this.marker);
    if (at === -1) {
      // Keep a bounded window: the tail may hold the start of the marker.
      const keep = this.marker.length + 32;
      if (this.pending.length > 64 * 1024) {
        this.noiseText = clipNoise(this.noiseText + this.pending.subarray(0, this.pending.length - keep).toString('utf8'));
        this.pending = this.pending.subarray(this.pending.length - keep);
      }
      return;
    }
    let end = at + this.marker.length;
    if (this.onValue) {
      const newline = text.indexOf('\n', end);
      if (newline === -1) return;
      this.value = text.slice(end, newline);
      end = newline + 1;
    }
    this.noiseText = clipNoise(this.noiseText + this.pending.subarray(0, at).toString('utf8'));
    const rest = this.pending.subarray(end);
    this.pending = null;
    if (this.value !== null) this.onValue?.(this.value);
    if (rest.length > 0) this.pass(rest);
  }
}

const clipNoise = (text: string) => (text.length > 4096 ? text.slice(-4096) : text);

const SUDO_PASSWORD = /^sudo: (a password is required|a terminal is required|no tty present)/m;

export interface RunnerEvidence {
  sudo: boolean;
  /** The stdout marker came: /bin/sh started and read the script. */
  started: boolean;
  /** The sudo marker came (only asked for with sudo). */
  sudoEntered: boolean;
  /** stderr before the markers (or all of it when one is missing): the login shell's or sudo's complaint. */
  stderrNoise: string;
  /** stderr after the markers, for sudo's own message when it refused. */
  stderrText: string;
  exitCode: number | null;
}

/**
 * Whether the command itself ran, from the markers: a failure of the login shell, /bin/sh or sudo is
 * its own error, never the command's exit status, so nothing that did not run reports exit 0.
 */
export function runnerFailure(evidence: RunnerEvidence): BacklineError | null {
  const said = (text: string) => text.trim().split('\n').slice(-3).join(' ').slice(0, 400);
  if (!evidence.started) {
    const complaint = said(evidence.stderrNoise) || `the login shell exited with ${evidence.exitCode ?? 'no status'}`;
    return new BacklineError('REMOTE_RUNNER_FAILED', `The command did not run: the server's login shell could not start /bin/sh (${complaint}).`, {
      hint: "Check that this account's login shell lets commands run (not nologin), that /bin/sh exists, and that its startup files do not exit; nothing was run.",
    });
  }
  if (evidence.sudo && !evidence.sudoEntered) {
    const complaint = said(evidence.stderrText) || `sudo exited with ${evidence.exitCode ?? 'no status'}`;
    if (SUDO_PASSWORD.test(evidence.stderrText)) {
      return new BacklineError('SUDO_NEEDS_PASSWORD', 'sudo on this server asks for a password, and Backline runs sudo non-interactively.', {
        hint: 'Log in as a user with passwordless sudo for this command, or as root; or run it in the terminal.',
      });
    }
    return new BacklineError('SUDO_FAILED', `The command did not run: sudo refused it (${complaint}).`, {
      hint: 'Check that sudo is installed and that this user may run the command with it (sudo -l); nothing was run.',
    });
  }
  return null;
}
