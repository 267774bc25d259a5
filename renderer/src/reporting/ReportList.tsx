import { Alert, Group, List, NavLink, Stack, Text } from '@mantine/core';
import type { MethodOutput } from '../../../shared/contract/index.js';
import type { ReportDefinition } from '../../../shared/domain/report.js';
import { formatRoute, reportsRoute } from '../app/route.js';
import { OriginBadge } from './OriginBadge.js';

type ReportsList = MethodOutput<'reports.list'>;

const originOrder: Record<ReportDefinition['origin'], number> = { shipped: 0, shared: 1, saved: 2 };

/** Every report (shipped, then the team's shared ones, then one's own), and the report files that could not be read (with why). */
export function ReportList({ list, activeId }: { list: ReportsList; activeId: string | null }) {
  const sorted = [...list.reports].sort((a, b) => originOrder[a.origin] - originOrder[b.origin] || a.title.localeCompare(b.title));
  return (
    <Stack gap={4} component="nav" aria-label="Reports">
      {sorted.length === 0 && (
        <Text size="sm" c="dimmed">
          No reports yet.
        </Text>
      )}
      {sorted.map((report) => (
        <NavLink
          key={report.id}
          href={formatRoute(reportsRoute(report.id))}
          active={report.id === activeId}
          aria-current={report.id === activeId ? 'page' : undefined}
          label={
            <Group gap={6} wrap="nowrap" justify="space-between">
              <Text size="sm" truncate="end" title={report.title}>
                {report.title}
              </Text>
              <OriginBadge origin={report.origin} size="xs" />
            </Group>
          }
          description={report.id}
        />
      ))}
      {list.problems.length > 0 && (
        <Alert color="orange" variant="light" p="xs" title={`${list.problems.length} report file${list.problems.length === 1 ? '' : 's'} could not be read`}>
          <List size="xs" spacing={4}>
            {list.problems.map((p) => (
              <List.Item key={p.file}>
                <Text span size="xs" ff="monospace">
                  {p.file}
                </Text>
                : {p.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}
