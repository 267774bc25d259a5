import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useReportingStatus, useSyncControl } from '../api/queries.js';
import { formatRoute, reportsRoute } from '../app/route.js';
import { useNow } from '../app/useNow.js';
import { freshnessAlerts, type FreshnessAlert } from './freshness.js';

const colors: Record<FreshnessAlert['kind'], string> = { stale: 'red', failed: 'red', old: 'yellow' };

function SyncNowButton({ running }: { running: boolean }) {
  const { start } = useSyncControl();
  return (
    <Button size="compact-xs" variant="white" color="dark" loading={start.isPending || running} onClick={() => start.mutate({ full: false })}>
      Sync
    </Button>
  );
}

/**
 * Story 4, on every page: a reporting source that stopped receiving data is loud; a failed sync says
 * why; an old cache offers a sync. Silent when all is well or reporting is not set up.
 */
export function FreshnessBanner() {
  const status = useReportingStatus();
  // Ages are re-read every half minute; the status itself refreshes every minute and on sync events.
  const now = useNow(true, 30_000);
  const alerts = freshnessAlerts(status.data, now);
  if (alerts.length === 0) return null;
  const running = status.data?.sync.state !== 'idle';
  return (
    <Stack gap={6} mb="sm" role="region" aria-label="Reporting freshness">
      {alerts.map((alert) => (
        <Alert
          key={alert.key}
          color={colors[alert.kind]}
          variant={alert.kind === 'stale' ? 'filled' : 'light'}
          p="xs"
          role="alert"
          title={
            <Group gap="sm" wrap="nowrap" justify="space-between" w="100%">
              <span>{alert.title}</span>
              {alert.kind !== 'stale' && <SyncNowButton running={running} />}
            </Group>
          }
          styles={{ label: { width: '100%' } }}
        >
          <Text size="sm" c="inherit">
            {alert.lines.join(' ')}{' '}
            <Anchor href={formatRoute(reportsRoute())} c="inherit" underline="always" size="sm">
              Reporting cache
            </Anchor>
          </Text>
        </Alert>
      ))}
    </Stack>
  );
}
