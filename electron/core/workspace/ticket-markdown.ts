import type { Finding } from '../../../shared/domain/finding.js';
import type { Note } from '../../../shared/domain/note.js';
import type { Ticket } from '../../../shared/domain/ticket.js';

/** A fence longer than any backtick run in the content, so pasted command output can't close it early. */
export function fence(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}\n${content.replace(/\n$/, '')}\n${ticks}`;
}

const formatValue = (value: Finding['detail'][string]): string => (value === null ? '—' : String(value));

function findingMarkdown(finding: Finding): string {
  const lines = [`### ${finding.severity.toUpperCase()} · ${finding.kind}: ${finding.title}`, ''];
  // A finding whose action ended says so first: the reader pastes what is true now.
  if (finding.status === 'superseded') lines.push(`_No longer in effect since ${finding.statusAt ?? 'an unknown time'}._ ${finding.statusNote ?? ''}`.trimEnd(), '');
  const details = Object.entries(finding.detail);
  if (details.length > 0) {
    for (const [key, value] of details) lines.push(`- **${key}**: ${formatValue(value)}`);
    lines.push('');
  }
  for (const evidence of finding.evidence) {
    lines.push(`*${evidence.label}*`, '', fence(evidence.content), '');
  }
  return lines.join('\n');
}

/** The ticket's notes and findings as Markdown, ready to paste into the ticket system. Pure. */
export function ticketMarkdown(ticket: Ticket, notes: Note[], findings: Finding[], exportedAt: string): string {
  const header = [
    `# ${ticket.id}: ${ticket.title}`,
    '',
    [ticket.customer && `Customer: ${ticket.customer}`, `Status: ${ticket.status}`, `Exported ${exportedAt} from Backline`]
      .filter(Boolean)
      .join(' · '),
    '',
  ];
  const findingSection =
    findings.length > 0 ? ['## Findings', '', ...findings.map(findingMarkdown)] : [];
  const noteSection = notes
    .filter((note) => note.body.trim() !== '')
    .flatMap((note) => [`## ${note.title}`, '', note.body.trim(), '']);
  return [...header, ...findingSection, ...noteSection].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

export function exportFileName(ticket: Ticket): string {
  return `${ticket.id}.md`;
}
