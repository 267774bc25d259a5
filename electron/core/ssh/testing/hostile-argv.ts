/**
 * Arguments that login shells other than sh have been seen to mangle or run (issue: remote commands
 * under every login shell): tcsh's `!` history and newlines in quotes, fish's backslash escapes in
 * single quotes, plus everything sh itself treats specially. Tests send them to a server and compare
 * the bytes the program received with the bytes sent.
 */
export const HOSTILE_ARGV: readonly string[] = [
  'two\nlines',
  'a; echo INJECTED',
  'C:\\temp\\',
  '; echo INJECTED; echo ',
  'D:\\',
  '\\\\server\\share',
  "it's",
  "'",
  '"double" and \\"escaped\\"',
  '!event',
  '!!',
  'a!b',
  '$HOME $(echo INJECTED) ${PATH}',
  '`echo INJECTED`',
  '#not a comment',
  'x # also not',
  '*',
  '~root',
  '=ls',
  '{a,b}',
  'semi;colon|pipe&amp>gt<lt',
  '\t tab and spaces  ',
  'héllo wörld ✓ 日本',
  '',
  '\\',
  "\\'",
  'trailing backslash\\',
  '%s%n%%',
  '-n',
  '--',
  '\r\ncarriage',
];

/**
 * argv prefix for a program that prints the following arguments, each ended by a NUL, as one line of
 * hex: exact, even for newlines and empty arguments, using only sh, printf, od and tr.
 */
export const HEX_ARGS_ARGV: readonly string[] = ['sh', '-c', 'printf "%s\\0" "$@" | od -An -v -tx1 | tr -d " \\n"; echo', 'hex-args'];

/** What HEX_ARGS_ARGV prints for `args`. */
export function hexArgs(args: readonly string[]): string {
  return `${Buffer.concat(args.map((arg) => Buffer.from(`${arg}\0`, 'utf8'))).toString('hex')}\n`;
}
