import { Alert, Badge, Group, List, NavLink, Stack, Text } from '@mantine/core';
import type { MethodOutput } from '../../../shared/contract/index.js';
import type { ReportDefinition } from '../../../shared/domain/report.js';
import { formatRoute, newReportRoute, reportsRoute } from '../app/route.js';
import { parseDraftKey } from './draftStore.js';
import { OriginBadge } from './OriginBadge.js';
import { useDraftKeys } from './useReportDraft.js';

type ReportsList = MethodOutput<'reports.list'>;

const originOrder: Record<ReportDefinition['origin'], number> = { shipped: 0, shared: 1, saved: 2 };

/** The reports with unsaved drafts (of an edit, or of a copy), and whether a new one is being written. */
function useDrafts(): { reports: Set<string>; newOne: boolean } {
  const keys = useDraftKeys();
  const reports = new Set<string>();
  let newOne = false;
  for (const key of keys) {
    const parsed = parseDraftKey(key);
    if (parsed?.mode === 'new') newOne = true;
    else if (parsed?.reportId) reports.add(parsed.reportId);
  }
  return { reports, newOne };
}

/**
 * Every report (shipped, then the team's shared ones, then one's own), and the report files that
 * could not be read (with why). A report with unsaved changes says so, and so does a new report
 * being written.
 */
export function ReportList({ list, activeId }: { list: ReportsList; activeId: string | null }) {
  const sorted = [...list.reports].sort((a, b) => originOrder[a.origin] - originOrder[b.origin] || a.title.localeCompare(b.title));
  const drafts = useDrafts();
  return (
    <Stack gap={4} component="nav" aria-label="Reports">
      {drafts.newOne && (
        <NavLink
          href={formatRoute(newReportRoute)}
          label={
            <Group gap={6} wrap="nowrap" justify="space-between">
              <Text size="sm" fs="italic">
                New report
              </Text>
              <Badge size="xs" color="orange" variant="light">
                unsaved
              </Badge>
            </Group>
          }
          description="a draft you started"
        />
      )}
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
              <Group gap={4} wrap="nowrap">
                {drafts.reports.has(report.id) && (
                  <Badge size="xs" color="orange" variant="light" title="You have unsaved changes to this report (or a copy of it)">
                    unsaved
                  </Badge>
                )}
                <OriginBadge origin={report.origin} size="xs" />
              </Group>
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
