import { Button, Checkbox, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { reportParamTypes, type ReportParam, type ReportParamType } from '../../../shared/domain/report.js';
import { newParam } from './reportDraft.js';

interface Props {
  params: ReportParam[];
  onChange: (params: ReportParam[]) => void;
  /** Issues per row (by index), and for the parameters as a whole. */
  rowIssues: Record<number, string>;
  issue: string | undefined;
}

const isType = (value: string | null): value is ReportParamType => (reportParamTypes as readonly (string | null)[]).includes(value);

function ParamRow({ param, index, issue, onChange, onRemove }: { param: ReportParam; index: number; issue: string | undefined; onChange: (p: ReportParam) => void; onRemove: () => void }) {
  const n = index + 1;
  return (
    <Stack gap={2}>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput label={n === 1 ? 'Name' : undefined} aria-label={`Parameter ${n} name`} classNames={{ input: 'bl-mono-input' }} w={140} value={param.name} onChange={(e) => onChange({ ...param, name: e.currentTarget.value })} />
        <Select
          label={n === 1 ? 'Type' : undefined}
          aria-label={`Parameter ${n} type`}
          w={110}
          data={[...reportParamTypes]}
          value={param.type}
          allowDeselect={false}
          onChange={(type) => {
            if (isType(type)) onChange({ ...param, type });
          }}
        />
        <TextInput label={n === 1 ? 'Label' : undefined} aria-label={`Parameter ${n} label`} flex={1} miw={140} value={param.label} onChange={(e) => onChange({ ...param, label: e.currentTarget.value })} />
        <TextInput
          label={n === 1 ? 'Default' : undefined}
          aria-label={`Parameter ${n} default`}
          w={130}
          placeholder="none"
          value={param.default ?? ''}
          onChange={(e) => onChange({ ...param, default: e.currentTarget.value === '' ? null : e.currentTarget.value })}
        />
        <TextInput
          label={n === 1 ? 'Must exist in' : undefined}
          aria-label={`Parameter ${n} must exist in`}
          title="table.column of the cache where a value given must be (any case): an unknown one is said, instead of an empty result"
          classNames={{ input: 'bl-mono-input' }}
          w={170}
          placeholder="table.column"
          value={param.lookup ?? ''}
          onChange={(e) => {
            const { lookup: _old, ...rest } = param;
            const lookup = e.currentTarget.value.trim();
            onChange(lookup === '' ? rest : { ...rest, lookup });
          }}
        />
        <Checkbox label="required" aria-label={`Parameter ${n} required`} size="xs" mb={6} checked={param.required} onChange={(e) => onChange({ ...param, required: e.currentTarget.checked })} />
        <Button variant="subtle" color="red" size="compact-xs" mb={4} onClick={onRemove} aria-label={`Remove parameter ${param.name}`}>
          Remove
        </Button>
      </Group>
      {issue && (
        <Text size="xs" c="red">
          {issue}
        </Text>
      )}
    </Stack>
  );
}

/**
 * The report's parameters: each used as :name in the SQL, with its type, label, default, where a
 * value must exist (a lookup), and whether it must be given. (A :name the SQL uses without a
 * declaration is offered beside Run draft.)
 */
export function ParamsEditor({ params, onChange, rowIssues, issue }: Props) {
  const update = (index: number, next: ReportParam) => onChange(params.map((p, i) => (i === index ? next : p)));
  return (
    <Stack gap={6} component="fieldset" className="bl-fieldset">
      <Text component="legend" size="sm" fw={600}>
        Parameters
      </Text>
      {params.length === 0 && (
        <Text size="xs" c="dimmed">
          None. Use :name in the SQL and declare it here; values are always bound, never pasted into the SQL.
        </Text>
      )}
      {params.map((p, i) => (
        <ParamRow key={i} param={p} index={i} issue={rowIssues[i]} onChange={(next) => update(i, next)} onRemove={() => onChange(params.filter((_, j) => j !== i))} />
      ))}
      {issue && Object.keys(rowIssues).length === 0 && (
        <Text size="xs" c="red">
          {issue}
        </Text>
      )}
      <Group gap="xs">
        <Button variant="light" size="compact-xs" onClick={() => onChange([...params, newParam(params)])} disabled={params.length >= 20}>
          Add parameter
        </Button>
      </Group>
    </Stack>
  );
}
