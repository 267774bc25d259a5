import { Alert, Text } from '@mantine/core';
import type { WorkspaceTab } from '../app/route.js';

type PlannedTab = Extract<WorkspaceTab, 'php' | 'netdump'>;

/** What each planned tab is for, stated plainly; no sample data pretending to be real. */
const plans: Record<PlannedTab, string> = {
  php: 'PHP memory diagnostics for a customer server: memory_limit, the PHP workers and their resident memory (RSS), and the OOM-killer events that took the machine down.',
  netdump:
    'Crash-dump receiver setup: configure a receiver and the customer machines that send to it, and verify the dump path works (a test message that must arrive) before the next kernel panic.',
};

export function PlaceholderTab({ tab }: { tab: PlannedTab }) {
  return (
    <Alert variant="light" color="gray" title="Not built yet" maw={720}>
      <Text size="sm">{plans[tab]}</Text>
      <Text size="sm" c="dimmed" mt={4}>
        This tab is not built yet; nothing here runs against any server.
      </Text>
    </Alert>
  );
}

export function isPlannedTab(tab: WorkspaceTab): tab is PlannedTab {
  return tab in plans;
}
