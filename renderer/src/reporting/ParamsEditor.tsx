import { Button, Checkbox, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { reportParamTypes, type ReportParam, type ReportParamType } from '../../../shared/domain/report.js';
import { newParam } from './reportDraft.js';

interface Props {
  params: ReportParam[];
  onChange: (params: ReportParam[]) => void;
  /** Issues per row (by index), and for the parameters as a whole. */
  rowIssues: Record<number, string>;
  issue: string | undefined;
  /** `:names` the SQL uses without a declaration, offered as one click each. */
  undeclared: string[];
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
          w={150}
          placeholder="none"
          value={param.default ?? ''}
          onChange={(e) => onChange({ ...param, default: e.currentTarget.value === '' ? null : e.currentTarget.value })}
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

/** The report's parameters: each used as :name in the SQL, with its type, label, default and whether it must be given. */
export function ParamsEditor({ params, onChange, rowIssues, issue, undeclared }: Props) {
  const update = (index: number, next: ReportParam) => onChange(params.map((p, i) => (i === index ? next : p)));
  const declare = (name: string) => onChange([...params, { ...newParam(params), name, label: name }]);
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
        {undeclared.map((name) => (
          <Button key={name} variant="subtle" size="compact-xs" onClick={() => declare(name)} disabled={params.length >= 20}>
            Declare :{name}
          </Button>
        ))}
      </Group>
    </Stack>
  );
}
