import { Anchor, Paper, Stack, Text, Title } from '@mantine/core';
import { formatRoute, homeRoute } from '../app/route.js';

export function MissingWorkspace({ ticketId }: { ticketId: string }) {
  return (
    <Paper withBorder p="lg" maw={640}>
      <Stack gap="xs">
        <Title order={2}>There is no workspace for {ticketId}</Title>
        <Text size="sm">
          Backline has no ticket with this id. It may have been mistyped, or its workspace was never created here: create it
          with New ticket on the ticket list.
        </Text>
        <Anchor href={formatRoute(homeRoute)} size="sm">
          Back to the ticket list
        </Anchor>
      </Stack>
    </Paper>
  );
}
