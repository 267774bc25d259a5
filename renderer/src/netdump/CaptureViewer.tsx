import { Alert, Button, Group, Loader, Paper, Select, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatSize } from '../../../shared/domain/size.js';
import { describeError } from '../../../shared/errors.js';
import { useClient } from '../app/ClientContext.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime, formatTime } from '../app/formatTime.js';
import { messageLine, type SenderRow } from './netdumpView.js';
import { netdumpKeys } from './queries.js';

const PAGE = 200;

/**
 * One sender's capture, parsed, page by page (the file may hold days of messages). Read again when the
 * file grows, so a capture being written shows its new messages.
 */
export function CaptureViewer({ row, label, onClose }: { row: SenderRow; label: string | null; onClose: () => void }) {
  const client = useClient();
  const [captureId, setCaptureId] = useState(row.captures[0]?.id ?? 0);
  const capture = row.captures.find((c) => c.id === captureId) ?? row.captures[0];
  const pages = useInfiniteQuery({
    queryKey: [...netdumpKeys.messages(captureId), capture?.bytes ?? 0],
    queryFn: ({ pageParam }) => client.invoke('netdump.captures.messages', { captureId, cursor: pageParam, limit: PAGE }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: captureId > 0,
    placeholderData: (previous) => previous,
  });
  const messages = pages.data?.pages.flatMap((p) => p.messages) ?? [];
  const title = `Capture of ${label ? `${label} (${row.sender})` : row.sender}`;

  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label={title}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" fw={600}>
              {title}
            </Text>
            {pages.isFetching && <Loader size="xs" />}
          </Group>
          <Group gap="xs" wrap="nowrap">
            {row.captures.length > 1 && (
              <Select
                aria-label="Capture file"
                size="xs"
                w={220}
                data={row.captures.map((c) => ({ value: String(c.id), label: `${c.file.split('/').pop() ?? c.file} (${c.messages})` }))}
                value={String(captureId)}
                onChange={(v) => v && setCaptureId(Number(v))}
                allowDeselect={false}
              />
            )}
            <Button variant="subtle" size="compact-xs" onClick={onClose}>
              Close
            </Button>
          </Group>
        </Group>
        {capture && (
          <Text size="xs" c="dimmed">
            <Text span ff="monospace" size="xs">
              {capture.file}
            </Text>{' '}
            in the data folder: {capture.datagrams} datagrams, {formatSize(capture.bytes)}, {capture.messages} messages, {capture.lost} lost, {capture.reboots} reboots, from{' '}
            {formatDateTime(capture.firstSeen)} to {formatDateTime(capture.lastSeen)}
            {capture.kernelRelease ? `; kernel ${capture.kernelRelease}` : ''}.
          </Text>
        )}
        {pages.error && <Alert color="red">{describeError(toWireError(pages.error))}</Alert>}
        {messages.length === 0 && !pages.isPending ? (
          <Text size="sm" c="dimmed">
            No messages in this capture.
          </Text>
        ) : (
          // Roles said outright: a list styled as a grid keeps them in every browser.
          <ol className="bl-nd-messages" aria-label="Messages" role="list">
            {messages.map((m, i) => {
              const line = messageLine(m);
              return (
                <li key={i} role="listitem" data-urgent={line.urgent || undefined}>
                  <time dateTime={m.receivedAt} title={formatDateTime(m.receivedAt)}>
                    {formatTime(m.receivedAt)}
                  </time>
                  <span className="bl-nd-seq">{line.seq}</span>
                  <span className="bl-nd-level">{line.level}</span>
                  <span className="bl-nd-text">{line.text}</span>
                </li>
              );
            })}
          </ol>
        )}
        {pages.hasNextPage && (
          <Button variant="default" size="xs" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage} w="fit-content">
            Next {PAGE} messages
          </Button>
        )}
      </Stack>
    </Paper>
  );
}
