import { BacklineError } from '../../../shared/errors.js';
import { commandLine } from './shell-quote.js';

/**
 * How a remote command reaches /bin/sh untouched by the login shell (DESIGN.md, principle 4).
 *
 * sshd runs an exec request's text with the user's login shell (`$SHELL -c text`), and login shells
 * disagree about quoting: tcsh expands `!` inside single quotes and ends a line at a quoted newline,
 * fish reads `\\` and `\'` inside single quotes. So the exec text holds only what every shell reads
 * alike, and only /bin/sh parses the command:
 * - inline (the usual case): `/bin/sh -c '<fixed wrapper>' sh ...` with each argument in single
 *   quotes, as `P<arg>` when its bytes are all ones every shell takes literally there, otherwise as
 *   `E<arg>` with each other byte written `\0ooo`, which no shell touches inside single quotes and
 *   the wrapper decodes with `printf %b`. Plain arguments cost no extra process.
 * - on stdin, past {@link INLINE_LIMIT} (sshd and old shells limit one argument's length): the exec
 *   text is `/bin/sh -s` and a script setting the argv in sh quoting is the channel's data.
 * Startup files of the login shell (.tcshrc, config.fish, a chatty .bashrc) may print before /bin/sh
 * starts: marker lines with a per-run nonce on both streams say where the command's own output begins,
 * and their absence means the runner itself never started.
 */

/** The exec text when the script travels on stdin. */
export const STDIN_EXEC_TEXT = '/bin/sh -s';

/** Exec texts up to this many bytes carry the command inline; longer ones go on stdin. */
export const INLINE_LIMIT = 16 * 1024;

/** Inline commands have at most this many escaped arguments; more go on stdin. */
export const INLINE_ESCAPED = 8;

/** Bytes every login shell reads literally inside single quotes (no `!`, `^`, backslash, quote, newline or 8-bit). */
const LITERAL = /^[A-Za-z0-9 _.,:;=+\-/$"(){}<>|&[\]*?@%~#]$/;
const LITERAL_BYTES = new Set(Array.from({ length: 128 }, (_, byte) => byte).filter((byte) => LITERAL.test(String.fromCharCode(byte))));

/** Whether every shell reads `text` the same inside single quotes. */
export const isLiteral = (text: string): boolean => [...Buffer.from(text, 'utf8')].every((byte) => LITERAL_BYTES.has(byte));

/** One argument as a single-quoted word of the exec text: `P` + the argument, or `E` + it escaped for printf's %b. */
export function inlineArg(arg: string): string {
  if (isLiteral(arg)) return `'P${arg}'`;
  let word = '';
  for (const byte of Buffer.from(arg, 'utf8')) word += LITERAL_BYTES.has(byte) ? String.fromCharCode(byte) : `\\0${byte.toString(8).padStart(3, '0')}`;
  return `'E${word}'`;
}

export interface RunnerMarkers {
  /** First stdout line: what came before it is the login shell's, not the command's. */
  stdout: string;
  /** Start of the first stderr line, followed by the command's process group (for cancel and time limits). */
  pgidPrefix: string;
  /** After sudo let us in: without it, sudo itself failed (password, no sudo, not allowed). */
  sudo: string;
}

export const markersFor = (nonce: string): RunnerMarkers => ({ stdout: `BL${nonce}:OUT\n`, pgidPrefix: `BL${nonce}:PGID:`, sudo: `BL${nonce}:SUDO\n` });

/** Run under sudo, this reports that sudo let the command in, then becomes it ($0 is the marker's stem). */
const SUDO_INNER = 'echo "$0:SUDO" >&2; exec "$@"';

/**
 * The wrapper's lines, fixed text apart from the nonce: set `n`, report the process group (sshd starts
 * every session in its own group, so killing it on cancel takes everything the command started), take
 * the sudo script from $1, optionally decode the inline arguments, then become the command with stdin
 * from /dev/null: nothing it runs can read the rest of a script, and nothing waits for input forever.
 */
function wrapperLines(nonce: string, sudo: boolean, decode: boolean): string[] {
  return [
    `n=BL${nonce}`,
    // /proc/$$/stat's fifth field is the process group; ps where there is no /proc (BSD).
    'if [ -r /proc/$$/stat ]; then read -r _ _ _ _ g _ < /proc/$$/stat; else g=$(ps -o pgid= -p $$ 2>/dev/null | tr -d " "); fi',
    'echo "$n:OUT"; echo "$n:PGID:$g" >&2',
    'i=$1; shift',
    // `x` keeps a decoded argument's trailing newlines from command substitution.
    ...(decode ? ['for a in "$@"; do shift; case $a in P*) set -- "$@" "${a#P}";; *) x=$(printf "%bx" "${a#E}"); set -- "$@" "${x%x}";; esac; done'] : []),
    ...(sudo
      ? ['command -v sudo >/dev/null 2>&1 || { echo "sudo: not installed on this server" >&2; exit 127; }', 'exec sudo -n -- /bin/sh -c "$i" "$n" "$@" </dev/null']
      : ['exec "$@" </dev/null']),
  ];
}

export interface RunnerRequest {
  /** What goes in the exec request: the same under sh, bash, zsh, ksh, csh/tcsh and fish. */
  execText: string;
  /** What goes on the channel's stdin before it is closed ('' when the command is inline). */
  stdin: string;
  markers: RunnerMarkers;
}

export interface RunnerOptions {
  /** Makes the markers unguessable to the login shell's startup files; random per run by default. */
  nonce: string;
  inlineLimit?: number;
  inlineEscaped?: number;
}

/** How to run argv with /bin/sh past the login shell, optionally under `sudo -n`. */
export function runnerRequest(argv: readonly string[], sudo: boolean, options: RunnerOptions): RunnerRequest {
  if (argv.length === 0) throw new Error('runnerRequest: argv is empty; there is no command to run');
  if (!/^[A-Za-z0-9]{6,64}$/.test(options.nonce)) throw new Error('runnerRequest: the nonce must be 6 to 64 letters or digits');
  for (const arg of argv) if (arg.includes('\0')) throw new Error(`Cannot pass an argument containing a NUL byte: ${JSON.stringify(arg.slice(0, 80))}`);
  const markers = markersFor(options.nonce);
  const inner = sudo ? SUDO_INNER : '';
  const words = argv.map(inlineArg);
  const execText = `/bin/sh -c '${wrapperLines(options.nonce, sudo, true).join('; ')}' sh '${inner}' ${words.join(' ')}`;
  // Each escaped argument costs /bin/sh a printf in a subshell: past a few, one script on stdin is cheaper.
  const escaped = words.filter((word) => word.startsWith("'E")).length;
  if (execText.length <= (options.inlineLimit ?? INLINE_LIMIT) && escaped <= (options.inlineEscaped ?? INLINE_ESCAPED)) return { execText, stdin: '', markers };
  const script = [`set -- ${commandLine([inner, ...argv])}`, ...wrapperLines(options.nonce, sudo, false)].join('\n');
  return { execText: STDIN_EXEC_TEXT, stdin: `${script}\n`, markers };
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
