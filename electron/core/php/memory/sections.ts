/**
 * The probe's output as sections: a `##bl:NAME ARG...` line opens one; `##bl:cannot TEXT` inside it is
 * a statement of what could not be read. Blank lines are the script's spacing, never data.
 */

export interface ProbeSection {
  name: string;
  args: string[];
  lines: string[];
  cannot: string[];
}

const HEADER = /^##bl:(\S+)(?: (.*))?$/;

export function splitProbeSections(output: string): { sections: ProbeSection[]; before: string[] } {
  const sections: ProbeSection[] = [];
  const before: string[] = [];
  let current: ProbeSection | null = null;
  for (const line of output.replace(/\r\n/g, '\n').split('\n')) {
    const header = HEADER.exec(line);
    if (header?.[1] === 'cannot') {
      const text = header[2]?.trim() ?? '';
      if (current) current.cannot.push(text);
      else before.push(line);
    } else if (header?.[1]) {
      // Arguments are printed joined by single spaces: an empty one (an unknown binary) stays in its place.
      current = { name: header[1], args: header[2] === undefined ? [] : header[2].split(' '), lines: [], cannot: [] };
      sections.push(current);
    } else if (line.trim() !== '') {
      if (current) current.lines.push(line);
      else before.push(line);
    }
  }
  return { sections, before };
}
