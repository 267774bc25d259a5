import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { ReportChart } from '../../../shared/domain/report.js';
import { formatDateTime } from '../app/formatTime.js';
import { csvFileName, toCsv } from './csv.js';
import { downloadFile } from '../app/download.js';
import { ResultChart } from './ResultChart.js';
import { resultNotes } from './resultNotes.js';
import { ResultTable } from './ResultTable.js';
import { formatCount } from './syncView.js';
import type { RunResult } from './useReportRun.js';

interface Props {
  /** Names the CSV file. */
  reportId: string;
  result: RunResult;
  chart: ReportChart | null;
  finishedAt: Date;
  /** Fill the pane it is in (the bottom of the editor's split): the rows take what is left under the chart. */
  fill?: boolean;
}

/** What a run returned: how many rows and how fast, what was not kept whole (rows, size, long values), the chart, the rows, and CSV. */
export function ResultPanel({ reportId, result, chart, finishedAt, fill = false }: Props) {
  const exportCsv = () => downloadFile(csvFileName(reportId, new Date()), toCsv(result.columns, result.rows), 'text/csv;charset=utf-8');
  return (
    <Stack gap="xs" component="section" aria-label="Result" className={fill ? 'bl-result-fill' : undefined}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" className="bl-tabular" role="status">
          <Text span fw={600}>
            {formatCount(result.rows.length)} row{result.rows.length === 1 ? '' : 's'}
          </Text>{' '}
          in {formatCount(result.ms)} ms · {formatDateTime(finishedAt.toISOString())}
        </Text>
        <Button variant="default" onClick={exportCsv} disabled={result.columns.length === 0}>
          Export CSV
        </Button>
      </Group>
      {resultNotes(result).map((note) => (
        <Alert key={note.title} color="yellow" variant="light" p="xs" title={note.title}>
          {note.text}
        </Alert>
      ))}
      {chart && <ResultChart chart={chart} columns={result.columns} rows={result.rows} height={fill ? 200 : 280} />}
      <ResultTable columns={result.columns} rows={result.rows} fill={fill} />
    </Stack>
  );
}
