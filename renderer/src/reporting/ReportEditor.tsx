import { Alert, Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import type { ReportDefinition, ReportDraft } from '../../../shared/domain/report.js';
import { queryKeys, useReportingStatus } from '../api/queries.js';
import { ConfirmModal } from '../app/ConfirmModal.js';
import { notifySuccess, toWireError } from '../app/errors.js';
import { reportsRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { useFormAction } from '../app/useFormAction.js';
import { ChartSettings } from './ChartSettings.js';
import { ParamFields } from './ParamFields.js';
import { argIssues, initialValues, paramErrors, toArgs, type ParamValues } from './paramForm.js';
import { ParamsEditor } from './ParamsEditor.js';
import { DeleteReportButton } from './ReportFileActions.js';
import { draftIssues, undeclaredParams } from './reportDraft.js';
import { ResultPanel } from './ResultPanel.js';
import { RunBar } from './RunBar.js';
import { SqlEditor } from './SqlEditor.js';
import { useReportRun } from './useReportRun.js';

interface Props {
  /** new: from scratch; edit: a saved report, under its id; copy: any report, under a new id. */
  mode: 'new' | 'edit' | 'copy';
  initial: ReportDraft;
  /** The report edited or copied (null for a new one): where Cancel goes back to, and what Delete deletes. */
  base: ReportDefinition | null;
  existing: readonly ReportDefinition[];
}

function useCacheSchema(): Record<string, string[]> | undefined {
  const status = useReportingStatus();
  return useMemo(() => {
    const tables = status.data?.sources.flatMap((s) => s.tables) ?? [];
    return tables.length > 0 ? Object.fromEntries(tables.map((t) => [t, []])) : undefined;
  }, [status.data]);
}

/** Writing a report: its SQL (run as a draft before saving), fields, parameters and chart; Save checks it. */
export function ReportEditor({ mode, initial, base, existing }: Props) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ReportDraft>(initial);
  const [values, setValues] = useState<ParamValues>(() => initialValues(initial.params));
  const [replacing, setReplacing] = useState(false);
  const [localIdError, setLocalIdError] = useState<string | null>(null);
  const [checked, setChecked] = useState(false);
  const save = useFormAction('reports.save');
  const { run, start, cancel } = useReportRun();
  const schema = useCacheSchema();

  const update = (patch: Partial<ReportDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const saveWire = save.error ? toWireError(save.error) : null;
  const runWire = run.status === 'failed' ? run.error : null;
  // A draft run's report problems (an undeclared :name...) belong on the fields as much as a save's.
  const issues = draftIssues(saveWire?.issues ?? runWire?.issues, draft.params);
  const runArgIssues = argIssues(draft.params, runWire?.issues);
  const undeclared = undeclaredParams(draft.sql, draft.params);
  const lastColumns = run.status === 'done' ? run.result.columns : [];
  const paramValues = { ...initialValues(draft.params), ...values };

  const runDraft = () => {
    setChecked(true);
    if (Object.keys(paramErrors(draft.params, paramValues)).length > 0) return;
    void start({ sql: draft.sql, params: draft.params }, toArgs(draft.params, paramValues));
  };

  const doSave = () => {
    void save.run(draft).then(async (saved) => {
      if (!saved) return;
      await queryClient.invalidateQueries({ queryKey: queryKeys.reports() });
      notifySuccess(`Saved ${saved.id} (${saved.file})`);
      navigate(reportsRoute(saved.id));
    });
  };

  const trySave = () => {
    setLocalIdError(null);
    const same = mode === 'edit' ? undefined : existing.find((r) => r.id === draft.id.trim());
    if (same?.origin === 'shipped') {
      setLocalIdError(`"${same.id}" is a report that comes with Backline: pick another id.`);
      return;
    }
    if (same) {
      setReplacing(true);
      return;
    }
    doSave();
  };

  const heading = mode === 'new' ? 'New report' : mode === 'edit' ? `Edit ${initial.id}` : `Copy of ${base?.title ?? initial.title}`;

  return (
    <Stack gap="sm">
      <Paper withBorder p="sm" radius="sm">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={2}>{heading}</Title>
            <Group gap={6}>
              {base && mode === 'edit' && <DeleteReportButton report={base} />}
              <Button variant="default" onClick={() => navigate(reportsRoute(base?.id ?? null))}>
                Cancel
              </Button>
              <Button onClick={trySave} loading={save.isPending}>
                Save
              </Button>
            </Group>
          </Group>
          <Group gap="xs" align="flex-start" wrap="wrap">
            <TextInput
              label="Id (file name)"
              description={mode === 'edit' ? 'Fixed: save a copy to rename.' : 'lowercase-words-with-hyphens'}
              classNames={{ input: 'bl-mono-input' }}
              w={240}
              required
              disabled={mode === 'edit'}
              value={draft.id}
              onChange={(e) => update({ id: e.currentTarget.value })}
              error={localIdError ?? issues.fields.id}
            />
            <TextInput label="Title" required flex={1} miw={260} value={draft.title} onChange={(e) => update({ title: e.currentTarget.value })} error={issues.fields.title} />
          </Group>
          <Textarea label="Description" autosize minRows={1} maxRows={5} value={draft.description} onChange={(e) => update({ description: e.currentTarget.value })} error={issues.fields.description} />
          <Stack gap={2}>
            <Text size="sm" fw={500}>
              SQL{' '}
              <Text span size="xs" c="dimmed">
                one SELECT (or WITH) over the reporting cache, SQLite dialect; parameters as :name; Ctrl/Cmd+Enter runs the draft
              </Text>
            </Text>
            <SqlEditor label="SQL" value={draft.sql} onChange={(sql) => update({ sql })} schema={schema} invalid={issues.fields.sql !== undefined} onRun={runDraft} />
            {issues.fields.sql && (
              <Text size="xs" c="red">
                {issues.fields.sql}
              </Text>
            )}
          </Stack>
          <ParamsEditor params={draft.params} onChange={(params) => update({ params })} rowIssues={issues.paramRows} issue={issues.fields.params} undeclared={undeclared} />
          <ChartSettings chart={draft.chart} onChange={(chart) => update({ chart })} columns={lastColumns} issue={issues.fields.chart} />
          {saveWire && (
            <Alert color="red" title={saveWire.message} role="alert" p="xs">
              {[...issues.general, saveWire.hint].filter(Boolean).join(' — ') || saveWire.code}
            </Alert>
          )}
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              runDraft();
            }}
            noValidate
            aria-label="Run draft"
          >
            <Stack gap="xs">
              <ParamFields
                params={draft.params}
                values={paramValues}
                errors={{ ...runArgIssues.fields, ...(checked ? paramErrors(draft.params, paramValues) : {}) }}
                onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
              />
              <RunBar run={run} runLabel="Run draft" onCancel={cancel} generalIssues={runArgIssues.general} />
            </Stack>
          </form>
        </Stack>
      </Paper>
      {run.status === 'done' && <ResultPanel reportId={draft.id.trim() || 'draft'} result={run.result} chart={draft.chart} finishedAt={run.finishedAt} />}
      <ConfirmModal
        opened={replacing}
        title="Replace the saved report?"
        message={
          existing.find((r) => r.id === draft.id.trim())?.origin === 'shared'
            ? `The team's shared folder has a report "${draft.id}". Save yours under the same id? Yours is listed instead of it from then on.`
            : `A saved report "${draft.id}" exists. Replace its file with this one?`
        }
        confirmLabel="Replace"
        onCancel={() => setReplacing(false)}
        onConfirm={() => {
          setReplacing(false);
          doSave();
        }}
      />
    </Stack>
  );
}
