import { randomBytes } from 'node:crypto';
import { MAX_POST_ATTACHMENT_BYTES } from '../../../shared/contract/tickets-system.js';
import type { Finding } from '../../../shared/domain/finding.js';
import type { Note } from '../../../shared/domain/note.js';
import { formatSize } from '../../../shared/domain/size.js';
import type { OutgoingAttachment, OutgoingPost } from './connector.js';
import { postMarker } from './rt/rt-parse.js';

/** Backline's own id for a post: 64 random bits, written into the post's subject so RT keeps it. */
export function newPostId(): string {
  return `bl-${randomBytes(8).toString('hex')}`;
}

export interface PostOptions {
  postId: string;
  mode: 'comment' | 'reply';
  format: 'html' | 'text';
}

export interface BuiltPost {
  outgoing: OutgoingPost;
  itemTitle: string;
  /** Why it cannot be sent as it is (too large), for people; null when it can. */
  refusal: string | null;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A subject line RT keeps whole: one line, bounded, with the post's marker at the end. */
function subjectLine(title: string, postId: string): string {
  const oneLine = title.replace(/\s+/g, ' ').trim().slice(0, 180);
  return `${oneLine} ${postMarker(postId)}`;
}

/** A file name RT and mail clients accept: the label's letters, digits, dots and dashes. */
export function attachmentName(label: string, index: number): string {
  const base = label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80) || `evidence-${index + 1}`;
  return /\.[A-Za-z0-9]{1,5}$/.test(base) ? base : `${base}.txt`;
}

function footer(options: PostOptions): { html: string; text: string } {
  return {
    html: `<p style="color:#777;font-size:smaller">Posted from Backline (${escapeHtml(options.postId)})</p>`,
    text: `\n--\nPosted from Backline (${options.postId})\n`,
  };
}

function bounded(outgoing: OutgoingPost, itemTitle: string): BuiltPost {
  const bytes = outgoing.attachments.reduce((sum, file) => sum + file.content.length, 0);
  const refusal =
    bytes > MAX_POST_ATTACHMENT_BYTES
      ? `The files attached come to ${formatSize(bytes)}; a post takes at most ${formatSize(MAX_POST_ATTACHMENT_BYTES)}. Post it without evidence, or attach less.`
      : null;
  return { outgoing, itemTitle, refusal };
}

export function findingPost(finding: Finding, options: PostOptions & { attachEvidence: boolean }): BuiltPost {
  const facts = Object.entries(finding.detail).filter(([, value]) => value !== null);
  const attachments: OutgoingAttachment[] = options.attachEvidence
    ? finding.evidence.map((evidence, index) => ({ name: attachmentName(evidence.label, index), type: 'text/plain', content: Buffer.from(evidence.content, 'utf8') }))
    : [];
  const headline = `${finding.kind}, ${finding.severity}`;
  const end = footer(options);
  const content =
    options.format === 'html'
      ? [
          `<p><b>Finding (${escapeHtml(headline)}):</b> ${escapeHtml(finding.title)}</p>`,
          facts.length ? `<ul>${facts.map(([key, value]) => `<li>${escapeHtml(key)}: ${escapeHtml(String(value))}</li>`).join('')}</ul>` : '',
          attachments.length ? `<p>Evidence attached: ${attachments.map((file) => escapeHtml(file.name)).join(', ')}</p>` : '',
          end.html,
        ].join('')
      : [
          `Finding (${headline}): ${finding.title}`,
          ...facts.map(([key, value]) => `- ${key}: ${String(value)}`),
          attachments.length ? `Evidence attached: ${attachments.map((file) => file.name).join(', ')}` : '',
          end.text,
        ]
          .filter((line) => line !== '')
          .join('\n');
  return bounded(
    { postId: options.postId, mode: options.mode, subject: subjectLine(`Finding: ${finding.title}`, options.postId), contentType: options.format === 'html' ? 'text/html' : 'text/plain', content, attachments },
    finding.title,
  );
}

/** A note, or a text Backline made (the snippets report): Markdown sent as it is, or kept as preformatted HTML. */
export function textPost(title: string, markdown: string, options: PostOptions, label = 'Note', files: readonly { name: string; type: string; content: string }[] = []): BuiltPost {
  const end = footer(options);
  const attachments = files.map((file, index) => ({ name: attachmentName(file.name, index), type: file.type || 'text/plain', content: Buffer.from(file.content, 'utf8') }));
  const content =
    options.format === 'html'
      ? `<p><b>${escapeHtml(label)}:</b> ${escapeHtml(title)}</p><div style="white-space:pre-wrap">${escapeHtml(markdown)}</div>${end.html}`
      : `${label}: ${title}\n\n${markdown}\n${end.text}`;
  return bounded(
    { postId: options.postId, mode: options.mode, subject: subjectLine(`${label}: ${title}`, options.postId), contentType: options.format === 'html' ? 'text/html' : 'text/plain', content, attachments },
    title,
  );
}

export function notePost(note: Note, options: PostOptions): BuiltPost {
  return textPost(note.title, note.body, options, 'Note');
}
