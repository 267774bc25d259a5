import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ReportDefinition } from '../../../shared/domain/report.js';
import { reportsRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { OriginBadge } from './OriginBadge.js';
import { DeleteReportButton, DownloadSqlButton } from './ReportFileActions.js';
import { ParamFields } from './ParamFields.js';
import { argIssues, initialValues, paramErrors, toArgs, type ParamValues } from './paramForm.js';
import { ResultPanel } from './ResultPanel.js';
import { draftKey } from './draftStore.js';
import { RunBar } from './RunBar.js';
import { SqlView } from './SqlEditor.js';
import { useDraftKeys } from './useReportDraft.js';
import { useReportRun } from './useReportRun.js';

/** Unsaved changes to this report (or a copy of it) wait in the editor: say so, one click from them. */
function DraftNotice({ report }: { report: ReportDefinition }) {
  const keys = useDraftKeys();
  const mode = report.origin === 'saved' && keys.includes(draftKey('edit', report.id)) ? 'edit' : keys.includes(draftKey('copy', report.id)) ? 'copy' : null;
  if (mode === null) return null;
  return (
    <Alert color="orange" variant="light" p="xs" role="status" aria-label="Unsaved draft">
      <Group justify="space-between" gap="xs">
        <Text size="sm">{mode === 'edit' ? 'You have unsaved changes to this report.' : 'You have an unsaved copy of this report.'}</Text>
        <Button size="compact-sm" variant="light" color="orange" onClick={() => navigate(reportsRoute(report.id, mode))}>
          {mode === 'edit' ? 'Continue editing' : 'Continue the copy'}
        </Button>
      </Group>
    </Alert>
  );
}

/** Scrolls to where a finished run's outcome shows, when it is below the window. */
function revealBelowFold(element: HTMLElement | null): void {
  if (element && element.getBoundingClientRect().top > window.innerHeight - 120) element.scrollIntoView({ block: 'start', behavior: 'instant' });
}

/** One report: what it is, its parameters, Run and Cancel, and the result. */
export function ReportView({ report }: { report: ReportDefinition }) {
  const [values, setValues] = useState<ParamValues>(() => initialValues(report.params));
  const [checked, setChecked] = useState(false);
  const [showSql, setShowSql] = useState(false);
  const { run, start, cancel } = useReportRun();
  const outcome = useRef<HTMLDivElement>(null);
  // The rows come into view when the run ends, not somewhere below the fold (a failure shows under Run, where the click was).
  useEffect(() => {
    if (run.status === 'done') revealBelowFold(outcome.current);
  }, [run.status]);

  const localErrors = checked ? paramErrors(report.params, values) : {};
  const coreIssues = argIssues(report.params, run.status === 'failed' ? run.error.issues : undefined);
  const errors = { ...coreIssues.fields, ...localErrors };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (Object.keys(paramErrors(report.params, values)).length > 0) return;
    void start({ id: report.id }, toArgs(report.params, values));
  };

  return (
    <Stack gap="sm">
      <DraftNotice report={report} />
      <Paper withBorder p="sm" radius="sm">
        <Stack gap="xs">
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <Stack gap={2} miw={0}>
              <Group gap="xs" wrap="nowrap">
                <Title order={2}>{report.title}</Title>
                <OriginBadge origin={report.origin} />
              </Group>
              <Text size="xs" c="dimmed" ff="monospace" title={report.file}>
                {report.id}
              </Text>
            </Stack>
            <Group gap={6} wrap="nowrap">
              <Button variant="subtle" onClick={() => setShowSql((s) => !s)}>
                {showSql ? 'Hide SQL' : 'Show SQL'}
              </Button>
              {report.origin === 'saved' && (
                <Button variant="default" onClick={() => navigate(reportsRoute(report.id, 'edit'))}>
                  Edit
                </Button>
              )}
              <Button variant="default" onClick={() => navigate(reportsRoute(report.id, 'copy'))}>
                Save a copy
              </Button>
              <DownloadSqlButton reportId={report.id} />
              {report.origin === 'saved' && <DeleteReportButton report={report} />}
            </Group>
          </Group>
          {report.description && (
            <Text size="sm" className="bl-pre-line">
              {report.description}
            </Text>
          )}
          {showSql && <SqlView sql={report.sql} />}
          <form onSubmit={submit} noValidate aria-label="Report parameters">
            <Stack gap="xs">
              <ParamFields
                params={report.params}
                values={values}
                errors={errors}
                onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
              />
              <RunBar run={run} runLabel="Run" onCancel={cancel} generalIssues={coreIssues.general} />
            </Stack>
          </form>
        </Stack>
      </Paper>
      <div ref={outcome} className="bl-run-outcome">
        {run.status === 'done' && <ResultPanel reportId={report.id} result={run.result} chart={report.chart} finishedAt={run.finishedAt} />}
      </div>
    </Stack>
  );
}
