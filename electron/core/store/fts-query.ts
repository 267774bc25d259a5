/**
 * Turns what a person typed into an FTS5 query: every word must appear, the last one may be a prefix
 * (search as you type). Each word is quoted, so FTS5 operators in the text (AND, NEAR, quotes, column
 * filters) are searched for literally instead of being interpreted. Returns null when nothing is left.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? '*' : ''}`).join(' ');
}
