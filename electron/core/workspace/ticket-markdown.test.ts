import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/domain/finding.js';
import type { Note } from '../../../shared/domain/note.js';
import type { Ticket } from '../../../shared/domain/ticket.js';
import { fence, ticketMarkdown } from './ticket-markdown.js';

const at = '2026-11-25T10:00:00.000Z';
const ticket: Ticket = { id: 'TKT-48213', title: 'Site down every few hours', customer: 'Acme', status: 'open', createdAt: at, updatedAt: at };
const note = (title: string, body: string): Note => ({ id: 1, ticketId: ticket.id, title, body, revision: 1, createdAt: at, updatedAt: at });
const finding: Finding = {
  id: 1,
  ticketId: ticket.id,
  kind: 'cause',
  severity: 'high',
  title: 'Remote include hits a head that answers 400',
  detail: { host: 'web1', address: '203.0.113.7', port: 80, blocked: false, note: null },
  evidence: [{ label: 'curl -I', content: 'HTTP/1.1 400 Bad Request\n' }],
  createdAt: at,
  status: 'current',
  statusNote: null,
  statusAt: null,
  planId: null,
};

describe('ticketMarkdown', () => {
  it('puts the ticket, its findings and its notes in one pasteable document', () => {
    const md = ticketMarkdown(ticket, [note('Notes', 'PHP ate **all** memory.\n')], [finding], at);
    expect(md).toBe(
      [
        '# TKT-48213: Site down every few hours',
        '',
        `Customer: Acme · Status: open · Exported ${at} from Backline`,
        '',
        '## Findings',
        '',
        '### HIGH · cause: Remote include hits a head that answers 400',
        '',
        '- **host**: web1',
        '- **address**: 203.0.113.7',
        '- **port**: 80',
        '- **blocked**: false',
        '- **note**: —',
        '',
        '*curl -I*',
        '',
        '```',
        'HTTP/1.1 400 Bad Request',
        '```',
        '',
        '## Notes',
        '',
        'PHP ate **all** memory.',
        '',
      ].join('\n'),
    );
  });

  it('leaves out empty notes and an empty findings section', () => {
    const md = ticketMarkdown(ticket, [note('Scratch', '   ')], [], at);
    expect(md).not.toContain('## Findings');
    expect(md).not.toContain('## Scratch');
  });
});

describe('fence', () => {
  it('uses a fence longer than any backtick run inside, so evidence cannot break out', () => {
    expect(fence('a ``` b')).toBe('````\na ``` b\n````');
  });

  it('says what is true now of a finding whose action ended', () => {
    const ended: Finding = { ...finding, kind: 'action', title: 'Outbound to 10.77.0.43:80 no longer blocked from web1: the block was removed at ' + at, status: 'superseded', statusAt: at, statusNote: 'The block was removed.', planId: 'p0123456789' };
    const md = ticketMarkdown(ticket, [], [ended], at);
    expect(md).toContain(`_No longer in effect since ${at}._ The block was removed.`);
    expect(md).not.toMatch(/blocked from web1 until removed/);
  });
});
