import { Alert, Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { EditorView } from '@uiw/react-codemirror';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import type { ReportDefinition, ReportDraft } from '../../../shared/domain/report.js';
import { queryKeys } from '../api/queries.js';
import { ConfirmModal } from '../app/ConfirmModal.js';
import { notifySuccess, toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { reportsRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { useFormAction } from '../app/useFormAction.js';
import { ChartSettings } from './ChartSettings.js';
import { draftKey } from './draftStore.js';
import { ParamFields } from './ParamFields.js';
import { argIssues, initialValues, paramErrors, toArgs } from './paramForm.js';
import { ParamsEditor } from './ParamsEditor.js';
import { DeleteReportButton } from './ReportFileActions.js';
import { draftIssues, newParam, undeclaredParams } from './reportDraft.js';
import { ResultPanel } from './ResultPanel.js';
import { RunBar, RunFailure } from './RunBar.js';
import { SchemaBrowser } from './SchemaBrowser.js';
import { completionSchema, insertionFor } from './schemaView.js';
import { SplitPane } from './SplitPane.js';
import { SqlEditor } from './SqlEditor.js';
import { useCacheSchema } from './useCacheSchema.js';
import { useReportDraft } from './useReportDraft.js';
import { useReportRun, type ReportRun } from './useReportRun.js';

interface Props {
  /** new: from scratch; edit: a saved report, under its id; copy: any report, under a new id. */
  mode: 'new' | 'edit' | 'copy';
  initial: ReportDraft;
  /** The report edited or copied (null for a new one): where Close goes back to, and what Delete deletes. */
  base: ReportDefinition | null;
  existing: readonly ReportDefinition[];
}

/** Puts a name into the SQL at the cursor (replacing a selection), spaced from the words beside it, and gives the editor the focus back. */
function insertAtCursor(view: EditorView | null, name: string): void {
  if (!view) return;
  const { from, to } = view.state.selection.main;
  const doc = view.state.doc;
  const insert = insertionFor(name, doc.sliceString(Math.max(0, from - 1), from), doc.sliceString(to, to + 1));
  view.dispatch({ changes: { from, to, insert }, selection: { anchor: from + insert.length }, scrollIntoView: true });
  view.focus();
}

/** The whole of the SQL and its result on screen: scrolled to when a run starts unless it is all in view already. */
function bringIntoView(element: HTMLElement | null): void {
  if (!element) return;
  const rect = element.getBoundingClientRect();
  const header = document.querySelector('header')?.getBoundingClientRect().bottom ?? 0;
  if (rect.top >= header - 1 && rect.bottom <= window.innerHeight + 1) return;
  element.scrollIntoView({ block: 'start', behavior: 'instant' });
}

/** What the bottom of the split shows: the failure, the rows, or what to do to get them. */
function ResultSide({ run, reportId, draft, generalIssues }: { run: ReportRun; reportId: string; draft: ReportDraft; generalIssues: string[] }) {
  if (run.status === 'failed') return <RunFailure run={run} generalIssues={generalIssues} />;
  if (run.status === 'done') return <ResultPanel reportId={reportId} result={run.result} chart={draft.chart} finishedAt={run.finishedAt} fill />;
  return (
    <Text size="sm" c="dimmed" p="xs">
      {run.status === 'running' || run.status === 'cancelling' ? 'Running…' : run.status === 'cancelled' ? 'The run was cancelled.' : 'Run the draft (Ctrl/Cmd+Enter in the SQL) and its rows show here.'}
    </Text>
  );
}

/**
 * Writing a report: its fields, parameters and chart; then the SQL beside the cache's tables and,
 * under a divider, the result of running it, both on one screen. Save checks it. Unsaved changes are
 * kept per report until saved or discarded (useReportDraft).
 */
export function ReportEditor({ mode, initial, base, existing }: Props) {
  const queryClient = useQueryClient();
  const key = draftKey(mode, base?.id ?? null);
  const { draft, setDraft, values, setValues, restored, changed, keepError, discard, saved } = useReportDraft(key, initial, initialValues(initial.params), mode !== 'new');
  const [replacing, setReplacing] = useState(false);
  const [discarding, setDiscarding] = useState(false);
  const [localIdError, setLocalIdError] = useState<string | null>(null);
  const [checked, setChecked] = useState(false);
  const save = useFormAction('reports.save');
  const { run, start, cancel } = useReportRun();
  const schema = useCacheSchema();
  const completion = useMemo(() => (schema.data?.exists ? completionSchema(schema.data.tables) : undefined), [schema.data]);
  const editorView = useRef<EditorView | null>(null);
  const workbench = useRef<HTMLElement>(null);

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
    bringIntoView(workbench.current);
    if (Object.keys(paramErrors(draft.params, paramValues)).length > 0) return;
    void start({ sql: draft.sql, params: draft.params }, toArgs(draft.params, paramValues));
  };

  const doSave = () => {
    void save.run(draft).then(async (result) => {
      if (!result) return;
      saved();
      await queryClient.invalidateQueries({ queryKey: queryKeys.reports() });
      notifySuccess(`Saved ${result.id} (${result.file})`);
      navigate(reportsRoute(result.id));
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

  const declare = (name: string) => update({ params: [...draft.params, { ...newParam(draft.params), name, label: name }] });
  const heading = mode === 'new' ? 'New report' : mode === 'edit' ? `Edit ${initial.id}` : `Copy of ${base?.title ?? initial.title}`;

  return (
    <Stack gap="sm">
      <Paper withBorder p="sm" radius="sm">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={2}>{heading}</Title>
            <Group gap={6}>
              {changed && (
                <Button variant="subtle" color="red" onClick={() => setDiscarding(true)}>
                  Discard changes
                </Button>
              )}
              {base && mode === 'edit' && <DeleteReportButton report={base} onDeleted={saved} />}
              <Button variant="default" onClick={() => navigate(reportsRoute(base?.id ?? null))} title="Leave the editor; unsaved changes are kept for when you come back">
                Close
              </Button>
              <Button onClick={trySave} loading={save.isPending}>
                Save
              </Button>
            </Group>
          </Group>
          {restored && changed && (
            <Alert color={restored.baseChanged ? 'orange' : 'blue'} variant="light" p="xs" role="status" aria-label="Unsaved draft">
              Your unsaved changes from {formatDateTime(restored.savedAt)} are back.
              {restored.baseChanged && ` The report has changed since you started them${mode === 'edit' ? ': saving replaces it with this draft' : ''}.`}{' '}
              {mode === 'new' ? 'Discard changes starts over.' : mode === 'edit' ? 'Discard changes goes back to the saved report.' : 'Discard changes goes back to the report you copied.'}
            </Alert>
          )}
          {keepError && (
            <Text size="xs" c="orange" role="status">
              {keepError} Save the report to keep your changes.
            </Text>
          )}
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
          <ParamsEditor params={draft.params} onChange={(params) => update({ params })} rowIssues={issues.paramRows} issue={issues.fields.params} />
          <ChartSettings chart={draft.chart} onChange={(chart) => update({ chart })} columns={lastColumns} issue={issues.fields.chart} />
          {saveWire && (
            <Alert color="red" title={saveWire.message} role="alert" p="xs">
              {[...issues.general, saveWire.hint].filter(Boolean).join(' — ') || saveWire.code}
            </Alert>
          )}
        </Stack>
      </Paper>
      <section ref={workbench} className="bl-workbench" aria-label="SQL and result">
        <SplitPane
          label="Resize the SQL and the result"
          top={
            <div className="bl-workbench-top">
              <Text size="sm" fw={500}>
                SQL{' '}
                <Text span size="xs" c="dimmed">
                  one SELECT (or WITH) over the reporting cache, SQLite dialect; parameters as :name; Ctrl/Cmd+Enter runs the draft
                </Text>
              </Text>
              <div className="bl-workbench-editor">
                <SqlEditor
                  label="SQL"
                  value={draft.sql}
                  onChange={(sql) => update({ sql })}
                  schema={completion}
                  invalid={issues.fields.sql !== undefined}
                  onRun={runDraft}
                  fill
                  onReady={(view) => {
                    editorView.current = view;
                  }}
                />
                <SchemaBrowser onInsert={(name) => insertAtCursor(editorView.current, name)} />
              </div>
              {issues.fields.sql && (
                <Text size="xs" c="red">
                  {issues.fields.sql}
                </Text>
              )}
              <form
                onSubmit={(e: FormEvent) => {
                  e.preventDefault();
                  runDraft();
                }}
                noValidate
                aria-label="Run draft"
              >
                <Stack gap={6}>
                  <ParamFields
                    params={draft.params}
                    values={paramValues}
                    errors={{ ...runArgIssues.fields, ...(checked ? paramErrors(draft.params, paramValues) : {}) }}
                    onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
                  />
                  <RunBar run={run} runLabel="Run draft" onCancel={cancel} generalIssues={runArgIssues.general} failureHere={false}>
                    {undeclared.map((name) => (
                      <Button key={name} variant="light" size="compact-sm" onClick={() => declare(name)} disabled={draft.params.length >= 20} title={`Add :${name} to the parameters`}>
                        Declare :{name}
                      </Button>
                    ))}
                  </RunBar>
                </Stack>
              </form>
            </div>
          }
          bottom={<ResultSide run={run} reportId={draft.id.trim() || 'draft'} draft={draft} generalIssues={runArgIssues.general} />}
        />
      </section>
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
      <ConfirmModal
        opened={discarding}
        title="Discard your changes?"
        message={mode === 'new' ? 'The new report you were writing is dropped, and the editor starts empty.' : `Your unsaved changes are dropped, and the editor goes back to ${mode === 'edit' ? 'the saved report' : 'the report you copied'}.`}
        confirmLabel="Discard"
        onCancel={() => setDiscarding(false)}
        onConfirm={() => {
          setDiscarding(false);
          discard();
        }}
      />
    </Stack>
  );
}
