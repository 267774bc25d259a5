import { Anchor, Badge, Button, Group, Tooltip } from '@mantine/core';
import type { OutboxPost } from '../../../shared/contract/tickets-system.js';
import { canCancel, canRetry, describePost, stateWords, type ItemState } from './itemState.js';
import { useRtCall } from './rtApi.js';

/** Retry and cancel for a post not yet in RT. */
export function PostActions({ post }: { post: OutboxPost }) {
  const retry = useRtCall('ticketSystem.outbox.retry');
  const cancel = useRtCall('ticketSystem.outbox.cancel');
  return (
    <Group gap={4} wrap="nowrap">
      {canRetry(post) && (
        <Button size="compact-xs" variant="light" loading={retry.isPending} onClick={() => retry.mutate({ id: post.id })}>
          Retry
        </Button>
      )}
      {canCancel(post) && (
        <Button size="compact-xs" variant="subtle" color="red" loading={cancel.isPending} onClick={() => cancel.mutate({ id: post.id })}>
          Cancel
        </Button>
      )}
    </Group>
  );
}

/** An item's state in RT: not posted, queued, sending, posted (a link to the transaction), failed (why, retry, cancel). */
export function PostStateBadge({ state }: { state: ItemState }) {
  const words = stateWords[state.state];
  if (state.state === 'not-posted') {
    return (
      <Badge color={words.color} variant="outline" data-post-state={state.state}>
        {words.label}
      </Badge>
    );
  }
  const { post, postedBefore } = state;
  return (
    <Group gap={4} wrap="nowrap">
      <Tooltip label={describePost(post)} multiline w={320} withArrow>
        <Badge color={words.color} variant={state.state === 'posted' ? 'filled' : 'light'} data-post-state={state.state}>
          {words.label}
        </Badge>
      </Tooltip>
      {post.state === 'posted' && post.url && (
        <Anchor href={post.url} target="_blank" rel="noreferrer" size="xs" aria-label={`Open in RT (#${post.remoteNumber})`}>
          RT #{post.remoteNumber}
          {post.transactionId ? ` · ${post.transactionId}` : ''}
        </Anchor>
      )}
      {postedBefore?.url && (
        <Anchor href={postedBefore.url} target="_blank" rel="noreferrer" size="xs" c="dimmed">
          posted before
        </Anchor>
      )}
      <PostActions post={post} />
    </Group>
  );
}
