import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/domain/finding.js';
import { attachmentName, findingPost, newPostId, notePost, textPost } from './post-content.js';

const finding: Finding = {
  id: 4,
  ticketId: '48213',
  kind: 'cause',
  severity: 'high',
  title: 'PHP exhausts <memory_limit>\n on web1',
  detail: { host: 'web1', rss_mb: 412, gone: null },
  evidence: [{ label: 'php-fpm log', content: 'Fatal\n' }, { label: '///', content: 'x' }],
  createdAt: '2026-12-02T09:00:00.000Z',
  status: 'current',
  statusNote: null,
  statusAt: null,
  planId: null,
};

describe('post content', () => {
  it('makes post ids that RT keeps in the subject, one line, with the marker last', () => {
    const postId = newPostId();
    expect(postId).toMatch(/^bl-[0-9a-f]{16}$/);
    const built = findingPost(finding, { postId, mode: 'comment', format: 'html', attachEvidence: true });
    expect(built.outgoing.subject).toBe(`Finding: PHP exhausts <memory_limit> on web1 [${postId}]`);
    expect(built.refusal).toBeNull();
  });

  it('escapes HTML, lists the facts, and attaches the evidence as files', () => {
    const built = findingPost(finding, { postId: 'bl-1', mode: 'comment', format: 'html', attachEvidence: true });
    expect(built.outgoing.contentType).toBe('text/html');
    expect(built.outgoing.content).toContain('PHP exhausts &lt;memory_limit&gt;');
    expect(built.outgoing.content).toContain('<li>rss_mb: 412</li>');
    expect(built.outgoing.content).not.toContain('gone');
    expect(built.outgoing.attachments.map((a) => [a.name, a.content.toString()])).toEqual([
      ['php-fpm-log.txt', 'Fatal\n'],
      ['evidence-2.txt', 'x'],
    ]);
    const text = findingPost(finding, { postId: 'bl-1', mode: 'reply', format: 'text', attachEvidence: false });
    expect(text.outgoing).toMatchObject({ contentType: 'text/plain', attachments: [], mode: 'reply' });
    expect(text.outgoing.content).toContain('- host: web1');
  });

  it('refuses files over the bound, saying how large they are', () => {
    const big = { ...finding, evidence: Array.from({ length: 21 }, (_, i) => ({ label: `p${i}`, content: 'x'.repeat(256 * 1024) })) };
    expect(findingPost(big, { postId: 'bl-1', mode: 'comment', format: 'html', attachEvidence: true }).refusal).toMatch(/come to 5\.3 MiB; a post takes at most 5(\.0)? MiB/);
    expect(findingPost(big, { postId: 'bl-1', mode: 'comment', format: 'html', attachEvidence: false }).refusal).toBeNull();
  });

  it('names files safely and sends a note as written', () => {
    expect(attachmentName('samples.csv', 0)).toBe('samples.csv');
    expect(attachmentName('../etc/passwd', 3)).toBe('etc-passwd.txt');
    const note = notePost({ id: 1, ticketId: '7', title: 'Timeline', body: '# 09:00\nrestart', revision: 1, createdAt: '', updatedAt: '' }, { postId: 'bl-2', mode: 'comment', format: 'text' });
    expect(note.outgoing.content).toContain('# 09:00\nrestart');
    expect(note.outgoing.subject).toBe('Note: Timeline [bl-2]');
  });

  it('attaches the files given with a text (the memory chart samples)', () => {
    const built = textPost('Memory samples', 'see file', { postId: 'bl-3', mode: 'comment', format: 'html' }, 'Backline', [{ name: 'memory samples.csv', type: 'text/csv', content: 't,rss\n0,12\n' }]);
    expect(built.outgoing.attachments.map((a) => [a.name, a.type, a.content.toString()])).toEqual([['memory-samples.csv', 'text/csv', 't,rss\n0,12\n']]);
  });
});
