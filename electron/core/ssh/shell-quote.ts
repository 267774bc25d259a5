/**
 * The one way Backline turns an argv array into shell text (DESIGN.md, principle 4). Remote commands
 * run through the login shell of the server (sshd hands the string to `$SHELL -c`), so every argument
 * is quoted POSIX-sh style: inside single quotes nothing is special, and a single quote is written as
 * '\'' (close, escaped quote, reopen). Callers never concatenate user input into command text.
 */

/** Characters that no POSIX shell treats specially in any position, so such words can stay bare. */
const SAFE_WORD = /^[A-Za-z0-9_\-+=.,:/@%]+$/;

/** Quotes one argument so that a POSIX shell passes it through as exactly one word, unchanged. */
export function quoteArg(arg: string): string {
  assertNoNul(arg);
  if (arg === '') return "''";
  // A leading '=' stays quoted: zsh (a common login shell) expands `=word` to a command's path.
  if (SAFE_WORD.test(arg) && !arg.startsWith('=')) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Joins an argv array into one shell command line; the first element is the program. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('commandLine: argv is empty; there is no command to run');
  return argv.map(quoteArg).join(' ');
}

export interface SudoOptions {
  /** Run as this user (`sudo -u user`); root when omitted. */
  user?: string;
  /** Add `-n` so sudo fails instead of waiting for a password nobody can type. */
  nonInteractive: boolean;
}

/**
 * Wraps argv in sudo. `--` ends sudo's own options, so a command starting with '-' is not taken as one.
 * Returns argv (not text) so the result goes through commandLine like every other command.
 */
export function sudoCommand(argv: readonly string[], options: SudoOptions): string[] {
  if (argv.length === 0) throw new Error('sudoCommand: argv is empty; there is no command to run');
  const user = options.user;
  if (user !== undefined && (user === '' || user.startsWith('-'))) {
    throw new Error(`sudoCommand: invalid user ${JSON.stringify(user)}`);
  }
  return ['sudo', ...(options.nonInteractive ? ['-n'] : []), ...(user !== undefined ? ['-u', user] : []), '--', ...argv];
}

function assertNoNul(arg: string): void {
  // A shell argument is a C string: a NUL would silently cut it short, so refuse instead.
  if (arg.includes('\0')) {
    throw new Error(`Cannot pass an argument containing a NUL byte through a shell: ${JSON.stringify(arg.slice(0, 80))}`);
  }
}
