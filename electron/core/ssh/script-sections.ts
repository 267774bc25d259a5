/**
 * What a probe script prints, cut into its sections: each starts after a `##bl:<name>` line. A
 * `##bl:status <text>` line (a step's exit status) is kept as `<section>:status` of the section before
 * it. Non-blank lines before the first header (what the server said before the script began) are kept
 * as `before`, for the probe's unparsed lines, never dropped.
 */
export function splitSections(output: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of output.replace(/\r/g, '').split('\n')) {
    const header = /^##bl:(\S+)$/.exec(line);
    if (header?.[1]) {
      current = [];
      sections.set(header[1], current);
    } else if (line.startsWith('##bl:status ')) {
      sections.set(`${[...sections.keys()].at(-1) ?? ''}:status`, [line.slice('##bl:status '.length)]);
    } else if (current) {
      current.push(line);
    } else if (line.trim() !== '') {
      sections.set('before', [...(sections.get('before') ?? []), line]);
    }
  }
  return sections;
}
