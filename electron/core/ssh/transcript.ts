import stripAnsi from 'strip-ansi';
import { fence } from '../workspace/ticket-markdown.js';

/**
 * A terminal session as text for the ticket: colours and cursor movement removed, carriage returns
 * resolved the way a terminal shows them (the last write to a line wins), as a fenced block.
 */
export function transcriptText(raw: string): string {
  return stripAnsi(raw)
    .split('\n')
    .map((line) => line.replace(/\r+$/, '').split('\r').at(-1) ?? '')
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function transcriptNote(label: string, where: string, openedAt: string, closedAt: string, raw: string, truncatedNote: string | null): string {
  const lines = [`Terminal on **${label}** (${where}), ${openedAt} → ${closedAt}.`, ''];
  if (truncatedNote) lines.push(`_${truncatedNote}_`, '');
  lines.push(fence(transcriptText(raw) || '(nothing was printed)'));
  return `${lines.join('\n')}\n`;
}
