import { Alert, Box, Group, List, Paper, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';

/** One panel of the PHP tab: a titled region, its action on the right. */
export function Section({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label={title}>
      <Group justify="space-between" align="center" mb={6} wrap="wrap" gap="xs">
        <Title order={4}>{title}</Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}

/** A sub-part of a panel, with a small heading. */
export function Part({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={title} mt="xs">
      <Text size="sm" fw={600} mb={2}>
        {title}
      </Text>
      {children}
    </Box>
  );
}

/** A call's failure, as a person reads it. */
export function Failure({ error, what }: { error: Error | null; what: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={`${what} failed`} role="alert" p="xs">
      {describeError(toWireError(error))}
    </Alert>
  );
}

/** Plain statements of what could not be checked (and why): never an empty panel. */
export function Statements({ title = 'Could not check', items, color = 'yellow' }: { title?: string; items: readonly string[]; color?: string }) {
  if (items.length === 0) return null;
  return (
    <Alert color={color} variant="light" title={title} p="xs" mt="xs">
      <List size="sm" spacing={2}>
        {items.map((item, i) => (
          <List.Item key={i}>{item}</List.Item>
        ))}
      </List>
    </Alert>
  );
}

/** Lines a parser did not understand: kept and shown folded, never dropped. */
export function Unparsed({ lines }: { lines: readonly string[] }) {
  if (lines.length === 0) return null;
  return (
    <details>
      <summary>
        <Text span size="xs" c="dimmed">
          {lines.length} line{lines.length === 1 ? '' : 's'} Backline did not understand
        </Text>
      </summary>
      <Text component="pre" size="xs" ff="monospace" style={{ whiteSpace: 'pre-wrap', maxHeight: 200, overflow: 'auto' }}>
        {lines.join('\n')}
      </Text>
    </details>
  );
}
