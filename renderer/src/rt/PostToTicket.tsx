import { Alert, Button, Checkbox, Group, Menu, Modal, SegmentedControl, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { OutboxPost } from '../../../shared/contract/tickets-system.js';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { itemState, type PostedItem } from './itemState.js';
import { PostStateBadge } from './PostStateBadge.js';
import { useOutbox, useRtCall } from './rtApi.js';

type Mode = 'comment' | 'reply';
type Format = 'html' | 'text';

interface DialogProps {
  ticketId: string;
  item: PostedItem;
  title: string;
  hasEvidence: boolean;
  mode: Mode;
  onClose: () => void;
}

function PostDialog({ ticketId, item, title, hasEvidence, mode: initialMode, onClose }: DialogProps) {
  const [mode, setMode] = useState<Mode>(initialMode);
  const [format, setFormat] = useState<Format>('html');
  const [attachEvidence, setAttachEvidence] = useState(true);
  const [customerSees, setCustomerSees] = useState(false);
  const post = useRtCall('ticketSystem.post', { formShowsErrors: true });
  const reply = mode === 'reply';
  const submit = () =>
    post.mutate({ ticketId, item, mode, format, attachEvidence: hasEvidence && attachEvidence, confirmReply: reply && customerSees }, { onSuccess: onClose });
  return (
    <Stack gap="sm">
      <Text size="sm">
        “{title}” to ticket {ticketId} in RT.
      </Text>
      <SegmentedControl
        aria-label="Post as"
        value={mode}
        onChange={(value) => setMode(value)}
        data={[
          { value: 'comment', label: 'Internal comment' },
          { value: 'reply', label: 'Reply to requestor' },
        ]}
      />
      <SegmentedControl
        aria-label="Format"
        value={format}
        onChange={(value) => setFormat(value)}
        data={[
          { value: 'html', label: 'HTML' },
          { value: 'text', label: 'Plain text' },
        ]}
      />
      {hasEvidence && <Checkbox label="Attach the evidence as files" checked={attachEvidence} onChange={(e) => setAttachEvidence(e.currentTarget.checked)} />}
      {reply && (
        <Alert color="orange" title="The customer sees a reply">
          <Checkbox
            label="Send this to the requestor: I checked it holds nothing internal"
            checked={customerSees}
            onChange={(e) => setCustomerSees(e.currentTarget.checked)}
          />
        </Alert>
      )}
      {post.error && <Alert color="red">{describeError(toWireError(post.error))}</Alert>}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color={reply ? 'orange' : undefined} disabled={reply && !customerSees} loading={post.isPending} onClick={submit}>
          {reply ? 'Send reply' : 'Post comment'}
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * "Post to ticket" on a finding or a note, with the item's state in RT beside it. The post goes to the
 * outbox: it shows as queued until RT has it, then as posted with a link.
 */
export function PostToTicket({ ticketId, item, title, hasEvidence = false }: { ticketId: string; item: PostedItem; title: string; hasEvidence?: boolean }) {
  const outbox = useOutbox(ticketId);
  const [dialog, setDialog] = useState<Mode | null>(null);
  const posts: OutboxPost[] = outbox.data ?? [];
  const state = itemState(posts, item);
  return (
    <Group gap={6} wrap="nowrap">
      {outbox.data && <PostStateBadge state={state} />}
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button variant="subtle" size="compact-sm">
            Post to ticket
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setDialog('comment')}>Internal comment…</Menu.Item>
          <Menu.Item onClick={() => setDialog('reply')}>Reply to requestor…</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={dialog !== null} onClose={() => setDialog(null)} title="Post to ticket" size="md">
        {dialog && <PostDialog ticketId={ticketId} item={item} title={title} hasEvidence={hasEvidence} mode={dialog} onClose={() => setDialog(null)} />}
      </Modal>
    </Group>
  );
}
