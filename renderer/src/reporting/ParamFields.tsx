import { Group, TextInput } from '@mantine/core';
import type { ReportParam } from '../../../shared/domain/report.js';
import { paramInputs, type ParamValues } from './paramForm.js';

interface Props {
  params: readonly ReportParam[];
  values: ParamValues;
  errors: Record<string, string>;
  onChange: (name: string, value: string) => void;
}

/** One input per report parameter, by type: required ones marked, defaults filled in. */
export function ParamFields({ params, values, errors, onChange }: Props) {
  if (params.length === 0) return null;
  return (
    <Group gap="xs" align="flex-start" wrap="wrap">
      {params.map((p) => {
        const input = paramInputs[p.type];
        return (
          <TextInput
            key={p.name}
            label={p.label}
            description={`:${p.name} · ${p.type}${p.type === 'datetime' ? ' (UTC)' : ''}`}
            type={input.htmlType}
            inputMode={input.inputMode}
            placeholder={input.placeholder}
            required={p.required}
            withAsterisk={p.required}
            w={p.type === 'text' ? 260 : p.type === 'datetime' ? 210 : 160}
            autoComplete="off"
            spellCheck={false}
            value={values[p.name] ?? ''}
            error={errors[p.name]}
            onChange={(e) => onChange(p.name, e.currentTarget.value)}
          />
        );
      })}
    </Group>
  );
}
