import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { queryKeys } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { downloadFile } from '../app/download.js';
import { notifyError, notifySuccess } from '../app/errors.js';

/** The notes and findings to export; absent: the main side's defaults (everything but terminal transcripts). */
export interface ExportChoice {
  noteIds: number[];
  findingIds: number[];
}

/** Both exports go through the main side, which renders the Markdown and records the export in the audit log. */
export function useExportMarkdown(ticketId: string) {
  const client = useClient();
  const queryClient = useQueryClient();

  const copy = useCallback(
    async (choice?: ExportChoice): Promise<boolean> => {
      try {
        const { markdown } = await client.invoke('export.markdown', { ticketId, destination: 'clipboard', ...choice });
        await navigator.clipboard.writeText(markdown);
        notifySuccess(`Copied ${ticketId} as Markdown`);
        return true;
      } catch (error) {
        notifyError(error, 'Copy as Markdown failed');
        return false;
      } finally {
        void queryClient.invalidateQueries({ queryKey: queryKeys.audit(ticketId) });
      }
    },
    [client, queryClient, ticketId],
  );

  const save = useCallback(
    async (choice?: ExportChoice): Promise<boolean> => {
      try {
        const { markdown, fileName } = await client.invoke('export.markdown', { ticketId, destination: 'file', ...choice });
        downloadFile(fileName, markdown, 'text/markdown;charset=utf-8');
        notifySuccess(`Saved ${fileName}`);
        return true;
      } catch (error) {
        notifyError(error, 'Save as Markdown file failed');
        return false;
      } finally {
        void queryClient.invalidateQueries({ queryKey: queryKeys.audit(ticketId) });
      }
    },
    [client, queryClient, ticketId],
  );

  return { copy, save };
}
