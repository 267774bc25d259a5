import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useReportingStatus, useSyncControl } from '../api/queries.js';
import { formatRoute, reportsRoute } from '../app/route.js';
import { useHashRoute } from '../app/useHashRoute.js';
import { useNow } from '../app/useNow.js';
import { bannerMode, compactLine, readSnoozed, writeSnoozed } from './bannerMode.js';
import { freshnessAlerts, type FreshnessAlert } from './freshness.js';

const colors: Record<FreshnessAlert['kind'], string> = { stale: 'red', failed: 'red', old: 'yellow' };
const sessionStore = (): Storage | undefined => (typeof window === 'undefined' ? undefined : window.sessionStorage);

function SyncNowButton({ running }: { running: boolean }) {
  const { start } = useSyncControl();
  return (
    <Button size="compact-xs" variant="white" color="dark" loading={start.isPending || running} onClick={() => start.mutate({ full: false })}>
      Sync
    </Button>
  );
}

function SnoozeButton({ onSnooze }: { onSnooze: () => void }) {
  return (
    <Button size="compact-xs" variant="subtle" color="dark" onClick={onSnooze} title="Hide it on every page but Reports until this window closes, or something new goes wrong">
      Snooze for this session
    </Button>
  );
}

const cacheLink = (
  <Anchor href={formatRoute(reportsRoute())} c="inherit" underline="always" size="sm">
    Reporting cache
  </Anchor>
);

/**
 * Story 4, on every page: a reporting source that stopped receiving data is loud; a failed sync says
 * why; an old cache offers a sync. Silent when all is well or reporting is not set up. The engineer can
 * snooze it for the session, and inside a ticket it is one line; on the Reports page it is always loud.
 */
export function FreshnessBanner() {
  const status = useReportingStatus();
  const route = useHashRoute();
  const [snoozed, setSnoozed] = useState(() => readSnoozed(sessionStore()));
  // Ages are re-read every half minute; the status itself refreshes every minute and on sync events.
  const now = useNow(true, 30_000);
  const alerts = freshnessAlerts(status.data, now);
  const mode = bannerMode(route, alerts, snoozed);
  if (mode === 'hidden') return null;
  const running = status.data?.sync.state !== 'idle';
  const snooze = () => {
    const next = new Set([...snoozed, ...alerts.map((a) => a.key)]);
    writeSnoozed(sessionStore(), next);
    setSnoozed(next);
  };
  if (mode === 'compact') {
    const worst = alerts.some((a) => a.kind !== 'old') ? 'red' : 'yellow';
    return (
      <Alert color={worst} variant="light" py={4} px="xs" mb="xs" role="region" aria-label="Reporting freshness" data-mode="compact">
        <Group gap="sm" wrap="nowrap" justify="space-between">
          <Text size="sm" c="inherit" truncate="end">
            {compactLine(alerts)}. {cacheLink}
          </Text>
          <SnoozeButton onSnooze={snooze} />
        </Group>
      </Alert>
    );
  }
  return (
    <Stack gap={6} mb="sm" role="region" aria-label="Reporting freshness" data-mode={mode}>
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
              <Group gap="xs" wrap="nowrap">
                {alert.kind !== 'stale' && <SyncNowButton running={running} />}
              </Group>
            </Group>
          }
          styles={{ label: { width: '100%' } }}
        >
          <Text size="sm" c="inherit">
            {alert.lines.join(' ')} {cacheLink}
          </Text>
        </Alert>
      ))}
      {mode === 'full' && (
        <Group justify="flex-end">
          <SnoozeButton onSnooze={snooze} />
        </Group>
      )}
    </Stack>
  );
}
