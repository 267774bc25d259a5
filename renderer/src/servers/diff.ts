/**
 * A line diff of two outputs (a longest common subsequence, after the shared start and end are set
 * aside), for comparing two runs. Bounded: past `maxCells` of work it gives up and says so, and the
 * runs are then shown side by side only.
 */
export type DiffLine = { kind: 'same' | 'removed' | 'added'; text: string };

export interface DiffResult {
  lines: DiffLine[];
  added: number;
  removed: number;
}

export const MAX_DIFF_CELLS = 4_000_000;

export function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

export function lineDiff(before: string, after: string, maxCells = MAX_DIFF_CELLS): DiffResult | null {
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if ((n + 1) * (m + 1) > maxCells) return null;

  // lengths[i][j]: the longest common subsequence of midA[i..] and midB[j..].
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] = midA[i] === midB[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = a.slice(0, start).map((text) => ({ kind: 'same', text }));
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      lines.push({ kind: 'same', text: midA[i]! });
      i++;
      j++;
    } else if (i < n && (j === m || lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!)) {
      lines.push({ kind: 'removed', text: midA[i]! });
      removed++;
      i++;
    } else {
      lines.push({ kind: 'added', text: midB[j]! });
      added++;
      j++;
    }
  }
  for (const text of a.slice(endA)) lines.push({ kind: 'same', text });
  return { lines, added, removed };
}

/** A diff with long unchanged stretches folded to a few lines of context around each change. */
export type FoldedLine = DiffLine | { kind: 'folded'; count: number };

export function foldUnchanged(lines: readonly DiffLine[], context = 3): FoldedLine[] {
  const keep = lines.map((line) => line.kind !== 'same');
  const near = keep.map((_, index) => {
    for (let d = -context; d <= context; d++) if (keep[index + d]) return true;
    return false;
  });
  const out: FoldedLine[] = [];
  let folded = 0;
  lines.forEach((line, index) => {
    if (near[index]) {
      if (folded > 0) out.push({ kind: 'folded', count: folded });
      folded = 0;
      out.push(line);
    } else folded++;
  });
  if (folded > 0) out.push({ kind: 'folded', count: folded });
  return out;
}
