import { Alert, Drawer, Group, Loader, Paper, Stack, Text } from '@mantine/core';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { describePost } from './itemState.js';
import { outboxPanel } from './panels.js';
import { PostStateBadge } from './PostStateBadge.js';
import { useOutbox } from './rtApi.js';

const itemWords = (item: { kind: string; id?: number; title?: string }) => (item.kind === 'text' ? (item.title ?? 'text') : `${item.kind} ${item.id ?? ''}`);

function OutboxList() {
  const outbox = useOutbox(null);
  if (outbox.isPending) return <Loader size="sm" />;
  if (outbox.error) return <Alert color="red">{describeError(toWireError(outbox.error))}</Alert>;
  if (outbox.data.length === 0) return <Text size="sm">Nothing waiting: every post is in RT or was cancelled.</Text>;
  return (
    <Stack gap="xs">
      {outbox.data.map((post) => (
        <Paper key={post.id} withBorder p="xs" aria-label={`Post ${post.id}`}>
          <Stack gap={4}>
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm" fw={600}>
                {post.ticketId}: {itemWords(post.item)}
              </Text>
              <Text size="xs" c="dimmed" ff="monospace">
                {formatDateTime(post.createdAt)}
              </Text>
            </Group>
            <Text size="xs">{describePost(post)}</Text>
            {post.attachments.length > 0 && (
              <Text size="xs" c="dimmed">
                Attached: {post.attachments.map((a) => a.name).join(', ')}
              </Text>
            )}
            <PostStateBadge state={{ state: post.state, post, postedBefore: null }} />
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}

/** Every post not yet in RT, across tickets: queued, sending or failed, each with retry and cancel. */
export function OutboxDrawer() {
  const opened = outboxPanel.useValue();
  return (
    <Drawer opened={opened} onClose={outboxPanel.close} title="Outbox: posts not yet in RT" position="right" size="lg">
      {opened && <OutboxList />}
    </Drawer>
  );
}
