/**
 * ↑ and ↓ in the command line, as in a shell: ↑ walks back through earlier commands (newest first),
 * ↓ walks forward, and past the newest returns to what was being typed. Pure: the bar keeps the state.
 */
export interface HistoryCursor {
  /** -1 while on the line being typed; otherwise an index into the entries. */
  index: number;
  /** What was being typed when the walk began. */
  draft: string;
}

export const atDraft: HistoryCursor = { index: -1, draft: '' };

export function historyStep(
  entries: readonly string[],
  cursor: HistoryCursor,
  shown: string,
  direction: 'up' | 'down',
): { cursor: HistoryCursor; text: string } | null {
  const draft = cursor.index === -1 ? shown : cursor.draft;
  if (direction === 'up') {
    // Entries equal to what is shown are skipped: ↑ right after running a command goes to the one before it.
    for (let i = cursor.index + 1; i < entries.length; i++) {
      if (entries[i] !== shown) return { cursor: { index: i, draft }, text: entries[i]! };
    }
    return null;
  }
  if (cursor.index === -1) return null;
  for (let i = cursor.index - 1; i >= 0; i--) {
    if (entries[i] !== shown) return { cursor: { index: i, draft }, text: entries[i]! };
  }
  return { cursor: { index: -1, draft: '' }, text: draft };
}

/** This window's commands first (newest first), then the stored history, each once. */
export function mergeHistory(recent: readonly string[], stored: readonly string[]): string[] {
  return [...new Set([...recent, ...stored])];
}
