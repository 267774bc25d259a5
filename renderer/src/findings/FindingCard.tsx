import { Badge, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { Finding } from '../../../shared/domain/finding.js';
import { ConfirmModal } from '../app/ConfirmModal.js';
import { formatDateTime } from '../app/formatTime.js';
import { PostToTicket } from '../rt/PostToTicket.js';
import { formatDetailValue, severityColor } from './findingForm.js';

export function FindingCard({ finding, onWithdraw, withdrawing }: { finding: Finding; onWithdraw: () => void; withdrawing: boolean }) {
  const details = Object.entries(finding.detail);
  const [confirming, setConfirming] = useState(false);
  return (
    <Paper withBorder p="xs" component="article" aria-label={finding.title}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap={6} wrap="nowrap" miw={0}>
            <Badge color={severityColor[finding.severity]} variant="filled" w={72}>
              {finding.severity}
            </Badge>
            <Badge color="gray" variant="outline">
              {finding.kind}
            </Badge>
            {finding.status === 'superseded' && (
              <Badge color="gray" variant="light">
                no longer in effect
              </Badge>
            )}
            <Text fw={600} size="sm" truncate="end">
              {finding.title}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="xs" c="dimmed" ff="monospace">
              {formatDateTime(finding.createdAt)}
            </Text>
            <PostToTicket ticketId={finding.ticketId} item={{ kind: 'finding', id: finding.id }} title={finding.title} hasEvidence={finding.evidence.length > 0} />
            <Button
              variant="subtle"
              color="red"
              loading={withdrawing}
              onClick={() => setConfirming(true)}
            >
              Withdraw
            </Button>
            <ConfirmModal
              opened={confirming}
              title="Withdraw this finding?"
              message={`“${finding.title}” leaves the ticket's findings and exports. The audit log keeps what it said.`}
              confirmLabel="Withdraw"
              onCancel={() => setConfirming(false)}
              onConfirm={() => {
                setConfirming(false);
                onWithdraw();
              }}
            />
          </Group>
        </Group>
        {finding.status === 'superseded' && finding.statusNote && (
          <Text size="xs" c="dimmed">
            {finding.statusNote}
          </Text>
        )}
        {details.length > 0 && (
          <Table withRowBorders={false} verticalSpacing={1} fz="xs" w="auto" aria-label="Detail">
            <Table.Tbody>
              {details.map(([key, value]) => (
                <Table.Tr key={key}>
                  <Table.Th w={160} fw={500} c="dimmed">
                    {key}
                  </Table.Th>
                  <Table.Td ff="monospace">{formatDetailValue(value)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {finding.evidence.map((evidence, i) => (
          <Stack key={i} gap={2}>
            <Text size="xs" fw={600}>
              {evidence.label}
            </Text>
            <pre className="bl-pre">{evidence.content}</pre>
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}
