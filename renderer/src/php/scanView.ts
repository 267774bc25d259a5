import { docrootProblem } from '../../../shared/contract/php-input.js';

/** The docroots typed, one a line (blank lines ignored), and the first problem of each bad one. */
export function typedDocroots(text: string): { paths: string[]; problems: string[] } {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const problems = lines.flatMap((line) => {
    const problem = docrootProblem(line);
    return problem === null ? [] : [problem];
  });
  return { paths: [...new Set(lines)], problems };
}
