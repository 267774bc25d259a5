import { Autocomplete, Group, SegmentedControl, Stack, Switch, TagsInput, Text } from '@mantine/core';
import type { ReportChart } from '../../../shared/domain/report.js';
import { defaultChart } from './reportDraft.js';

interface Props {
  chart: ReportChart | null;
  onChange: (chart: ReportChart | null) => void;
  /** Columns of the last draft run, offered as choices. */
  columns: readonly string[];
  issue: string | undefined;
}

/** Whether and how the result is drawn: line or bar, x, y columns, and an optional series column. */
export function ChartSettings({ chart, onChange, columns, issue }: Props) {
  const data = [...columns];
  return (
    <Stack gap={6} component="fieldset" className="bl-fieldset">
      <Text component="legend" size="sm" fw={600}>
        Chart
      </Text>
      <Switch label="Draw a chart of the result" size="xs" checked={chart !== null} onChange={(e) => onChange(e.currentTarget.checked ? defaultChart() : null)} />
      {chart && (
        <Group gap="xs" align="flex-end" wrap="wrap">
          <SegmentedControl
            aria-label="Chart kind"
            data={[
              { value: 'line', label: 'Line' },
              { value: 'bar', label: 'Bar' },
            ]}
            value={chart.kind}
            onChange={(kind) => onChange({ ...chart, kind: kind === 'bar' ? 'bar' : 'line' })}
          />
          <Autocomplete label="X column" size="xs" w={160} data={data} value={chart.x} onChange={(x) => onChange({ ...chart, x })} />
          <TagsInput label="Y columns" size="xs" miw={220} maxTags={6} data={data} value={chart.y} onChange={(y) => onChange({ ...chart, y })} placeholder="column, Enter" />
          <Autocomplete
            label="Series column"
            size="xs"
            w={160}
            placeholder="none"
            data={data}
            value={chart.series ?? ''}
            onChange={(series) => onChange({ ...chart, series: series.trim() === '' ? null : series })}
          />
        </Group>
      )}
      {issue && (
        <Text size="xs" c="red">
          {issue}
        </Text>
      )}
    </Stack>
  );
}
