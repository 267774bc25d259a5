import type { ConnectionTest, RemoteTicket } from '../../../shared/contract/tickets-system.js';
import type { TicketLine } from './rt/rt-parse.js';

/** A file attached to a post; `content` is the bytes as base64 is made from them. */
export interface OutgoingAttachment {
  name: string;
  type: string;
  content: Buffer;
}

/** A post as the ticket system receives it; `postId` is carried in it so a resend can find it. */
export interface OutgoingPost {
  postId: string;
  mode: 'comment' | 'reply';
  subject: string;
  contentType: 'text/html' | 'text/plain';
  content: string;
  attachments: OutgoingAttachment[];
}

export interface PostedRef {
  transactionId: string;
  url: string;
}

/**
 * What Backline needs from a ticket system, nothing more. RT (./rt/rt-connector.ts) is the one
 * built; another system implements these five. Failures throw BacklineError with a
 * TICKET_SYSTEM_* code and `detail.kind` (see shared/contract/tickets-system.ts).
 */
export interface TicketConnector {
  /** Who the token logs in as, or exactly what failed; never throws. */
  test(): Promise<ConnectionTest>;
  getTicket(number: string, fetchedAt: string): Promise<RemoteTicket>;
  /** Owner = me, not resolved/rejected/deleted, most recently updated first. */
  myOpenTickets(limit: number): Promise<TicketLine[]>;
  post(number: string, post: OutgoingPost): Promise<PostedRef>;
  /** The post with this id in the ticket's history, if it reached the ticket system. */
  findPost(number: string, postId: string): Promise<PostedRef | null>;
}
