import { Button, FileButton } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { ReportDefinition } from '../../../shared/domain/report.js';
import { queryKeys } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { ConfirmModal } from '../app/ConfirmModal.js';
import { isErrorCode, notifyError, notifySuccess } from '../app/errors.js';
import { reportsRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { downloadFile } from '../app/download.js';
import { draftKey } from './draftStore.js';
import { dropDraft } from './useReportDraft.js';

/** The report as its shareable .sql file, downloaded. */
export function DownloadSqlButton({ reportId }: { reportId: string }) {
  const client = useClient();
  const [pending, setPending] = useState(false);
  const download = async () => {
    setPending(true);
    try {
      const { fileName, content } = await client.invoke('reports.file', { id: reportId });
      downloadFile(fileName, content, 'application/sql;charset=utf-8');
    } catch (error) {
      notifyError(error, 'Download .sql failed');
    } finally {
      setPending(false);
    }
  };
  return (
    <Button variant="default" loading={pending} onClick={() => void download()}>
      Download .sql
    </Button>
  );
}

/** Deletes a saved report's file, after asking. */
export function DeleteReportButton({ report, onDeleted }: { report: ReportDefinition; onDeleted?: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const remove = async () => {
    setAsking(false);
    try {
      await client.invoke('reports.delete', { id: report.id });
      // Unsaved changes to a report that is gone have nowhere to go.
      onDeleted?.();
      dropDraft(draftKey('edit', report.id));
      await queryClient.invalidateQueries({ queryKey: queryKeys.reports() });
      notifySuccess(`Deleted ${report.id}`);
      navigate(reportsRoute());
    } catch (error) {
      notifyError(error, 'Delete failed');
    }
  };
  return (
    <>
      <Button variant="subtle" color="red" onClick={() => setAsking(true)}>
        Delete
      </Button>
      <ConfirmModal
        opened={asking}
        title="Delete report"
        message={`Delete "${report.title}" (${report.file})? Teammates who have a copy keep theirs.`}
        confirmLabel="Delete"
        onCancel={() => setAsking(false)}
        onConfirm={() => void remove()}
      />
    </>
  );
}

/** Adds a .sql file a teammate shared; when a saved report of that name exists, offers to replace it. */
export function ImportReportButton() {
  const client = useClient();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [conflict, setConflict] = useState<{ fileName: string; content: string; message: string } | null>(null);
  const resetRef = useRef<() => void>(null);

  const importFile = async (fileName: string, content: string, replace: boolean) => {
    setPending(true);
    try {
      const report = await client.invoke('reports.import', { fileName, content, replace });
      await queryClient.invalidateQueries({ queryKey: queryKeys.reports() });
      notifySuccess(`Imported ${report.id}`);
      navigate(reportsRoute(report.id));
    } catch (error) {
      // ALREADY_EXISTS is one of your saved reports, which Replace overwrites; a shipped or shared one
      // (REPORT_NOT_EDITABLE) cannot be, and its error says what to do instead.
      if (!replace && isErrorCode(error, 'ALREADY_EXISTS')) {
        setConflict({ fileName, content, message: error instanceof Error ? error.message : 'A report of that name exists.' });
      } else {
        notifyError(error, `Could not import ${fileName}`);
      }
    } finally {
      setPending(false);
    }
  };

  const pick = async (file: File | null) => {
    if (!file) return;
    // Cleared at once, so picking the same file again (after fixing it) is seen as a new pick.
    resetRef.current?.();
    await importFile(file.name, await file.text(), false);
  };

  return (
    <>
      <FileButton resetRef={resetRef} onChange={(file) => void pick(file)} accept=".sql,text/plain,application/sql">
        {(props) => (
          <Button variant="default" loading={pending} {...props}>
            Import .sql
          </Button>
        )}
      </FileButton>
      <ConfirmModal
        opened={conflict !== null}
        title="Replace the report?"
        message={`${conflict?.message ?? ''} Replace it with ${conflict?.fileName ?? 'this file'}?`}
        confirmLabel="Replace"
        onCancel={() => setConflict(null)}
        onConfirm={() => {
          const c = conflict;
          setConflict(null);
          if (c) void importFile(c.fileName, c.content, true);
        }}
      />
    </>
  );
}
