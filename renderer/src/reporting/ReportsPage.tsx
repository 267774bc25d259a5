import './reporting.css';
import { Alert, Button, Grid, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { describeError } from '../../../shared/errors.js';
import { useReports } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatRoute, newReportRoute, reportsRoute, type ReportMode } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { ImportReportButton } from './ReportFileActions.js';
import { ReportEditor } from './ReportEditor.js';
import { ReportList } from './ReportList.js';
import { ReportView } from './ReportView.js';
import { draftFrom, emptyDraft } from './reportDraft.js';
import { SyncPanel } from './SyncPanel.js';

function MissingReport({ reportId }: { reportId: string }) {
  return (
    <Alert color="gray" variant="light" title={`No report "${reportId}"`}>
      <Text size="sm">
        It may have been deleted or renamed. Pick one from the list, or{' '}
        <a href={formatRoute(reportsRoute())}>go back to the reports</a>.
      </Text>
    </Alert>
  );
}

function Content({ reportId, mode, list }: { reportId: string | null; mode: ReportMode; list: NonNullable<ReturnType<typeof useReports>['data']> }) {
  if (mode === 'new') return <ReportEditor key="new" mode="new" initial={emptyDraft()} base={null} existing={list.reports} />;
  if (reportId === null) {
    return (
      <Text size="sm" c="dimmed">
        Pick a report to run it, or write a new one. Reports run over the local reporting cache: sync it first.
      </Text>
    );
  }
  const report = list.reports.find((r) => r.id === reportId);
  if (!report) return <MissingReport reportId={reportId} />;
  if (mode === 'view') return <ReportView key={report.id} report={report} />;
  // Shipped reports are read-only: "edit" of one is a copy.
  const editMode = mode === 'edit' && report.origin === 'saved' ? 'edit' : 'copy';
  return <ReportEditor key={`${editMode}-${report.id}`} mode={editMode} initial={draftFrom(report, editMode)} base={report} existing={list.reports} />;
}

/** Self-service reports (stories 3, 5, 6, 7): the cache and its sync, the reports, one report run or edited. */
export function ReportsPage({ reportId, mode }: { reportId: string | null; mode: ReportMode }) {
  const reports = useReports();
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2}>Reports</Title>
        <Group gap={6}>
          <ImportReportButton />
          <Button onClick={() => navigate(newReportRoute)}>New report</Button>
        </Group>
      </Group>
      <SyncPanel />
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, md: 3 }}>
          {reports.isPending && <Loader size="sm" />}
          {reports.error && <Alert color="red">{describeError(toWireError(reports.error))}</Alert>}
          {reports.data && <ReportList list={reports.data} activeId={reportId} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }} miw={0}>
          {reports.data && <Content reportId={reportId} mode={mode} list={reports.data} />}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
