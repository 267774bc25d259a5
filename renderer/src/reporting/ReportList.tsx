import { Alert, Badge, Group, List, NavLink, Stack, Text } from '@mantine/core';
import type { MethodOutput } from '../../../shared/contract/index.js';
import { formatRoute, reportsRoute } from '../app/route.js';

type ReportsList = MethodOutput<'reports.list'>;

/** Every report, shipped ones first, and the report files that could not be read (with why). */
export function ReportList({ list, activeId }: { list: ReportsList; activeId: string | null }) {
  const sorted = [...list.reports].sort((a, b) => (a.origin === b.origin ? a.title.localeCompare(b.title) : a.origin === 'shipped' ? -1 : 1));
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
              <Badge variant="light" color={report.origin === 'shipped' ? 'blue' : 'teal'} size="xs" style={{ flex: 'none' }}>
                {report.origin}
              </Badge>
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
