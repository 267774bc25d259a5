import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../../../shared/errors.js';
import { useFindings, useInvoke } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { useIntent } from '../workspace/intents.js';
import { useWorkbench } from '../workspace/workbench.js';
import { AddFindingModal } from './AddFindingModal.js';
import { FindingCard } from './FindingCard.js';

export function FindingsTab({ ticketId }: { ticketId: string }) {
  const findings = useFindings(ticketId);
  const [adding, setAdding] = useState(false);
  const remove = useInvoke('findings.remove', () => ticketId);
  useIntent(useWorkbench().intents, ticketId, 'add-finding', () => setAdding(true));

  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {findings.data ? `${findings.data.length} finding${findings.data.length === 1 ? '' : 's'}, most severe first` : ' '}
        </Text>
        <Button onClick={() => setAdding(true)}>Add finding</Button>
      </Group>
      {findings.isPending ? (
        <Loader size="sm" />
      ) : findings.error ? (
        <Alert color="red">{describeError(toWireError(findings.error))}</Alert>
      ) : findings.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No findings yet. Record what you observed, the cause, actions taken, risks and open questions; each one carries its
          evidence and goes into the Markdown export.
        </Text>
      ) : (
        findings.data.map((finding) => (
          <FindingCard
            key={finding.id}
            finding={finding}
            withdrawing={remove.isPending && remove.variables.id === finding.id}
            onWithdraw={() => remove.mutate({ id: finding.id })}
          />
        ))
      )}
      <AddFindingModal ticketId={ticketId} opened={adding} onClose={() => setAdding(false)} />
    </Stack>
  );
}
