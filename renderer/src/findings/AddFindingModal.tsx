import { ActionIcon, Button, Divider, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { findingKinds, findingSeverities } from '../../../shared/domain/finding.js';
import { useInvoke } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { FormFooter } from '../app/FormFooter.js';
import { issuesToFields } from '../app/issueFields.js';
import { emptyFindingForm, toFindingInput, type FindingFormValues } from './findingForm.js';

type Field = 'kind' | 'severity' | 'title' | 'detail' | 'evidence';
const fieldFor: Record<string, Field> = { kind: 'kind', severity: 'severity', title: 'title', detail: 'detail', evidence: 'evidence' };

function FindingForm({ ticketId, onDone }: { ticketId: string; onDone: () => void }) {
  const [values, setValues] = useState<FindingFormValues>(emptyFindingForm);
  const add = useInvoke('findings.add', (input) => input.ticketId);
  const wire = add.error ? toWireError(add.error) : null;
  const issues = issuesToFields(wire?.issues, fieldFor);
  const update = (patch: Partial<FindingFormValues>) => setValues((v) => ({ ...v, ...patch }));

  const setDetail = (index: number, patch: Partial<{ key: string; value: string }>) =>
    update({ detail: values.detail.map((row, i) => (i === index ? { ...row, ...patch } : row)) });
  const setEvidence = (index: number, patch: Partial<{ label: string; content: string }>) =>
    update({ evidence: values.evidence.map((row, i) => (i === index ? { ...row, ...patch } : row)) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(toFindingInput(ticketId, values), { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Group grow>
          <Select
            label="Kind"
            data={[...findingKinds]}
            value={values.kind}
            allowDeselect={false}
            onChange={(kind) => {
              const next = findingKinds.find((k) => k === kind);
              if (next) update({ kind: next });
            }}
            error={issues.fields.kind}
          />
          <Select
            label="Severity"
            data={[...findingSeverities]}
            value={values.severity}
            allowDeselect={false}
            onChange={(severity) => {
              const next = findingSeverities.find((s) => s === severity);
              if (next) update({ severity: next });
            }}
            error={issues.fields.severity}
          />
        </Group>
        <TextInput label="Title" required data-autofocus value={values.title} onChange={(e) => update({ title: e.currentTarget.value })} error={issues.fields.title} />

        <Divider label="Detail" labelPosition="left" />
        {values.detail.map((row, i) => (
          <Group key={i} gap="xs" wrap="nowrap" align="flex-end">
            <TextInput label="Key" placeholder="host" value={row.key} onChange={(e) => setDetail(i, { key: e.currentTarget.value })} w={180} />
            <TextInput label="Value" placeholder="web3.example.net" value={row.value} onChange={(e) => setDetail(i, { value: e.currentTarget.value })} flex={1} />
            <ActionIcon aria-label={`Remove detail ${i + 1}`} color="red" mb={2} onClick={() => update({ detail: values.detail.filter((_, j) => j !== i) })}>
              ✕
            </ActionIcon>
          </Group>
        ))}
        {issues.fields.detail && (
          <Text size="xs" c="red">
            {issues.fields.detail}
          </Text>
        )}
        <Group>
          <Button variant="default" onClick={() => update({ detail: [...values.detail, { key: '', value: '' }] })}>
            Add detail
          </Button>
        </Group>

        <Divider label="Evidence" labelPosition="left" />
        {values.evidence.map((row, i) => (
          <Stack key={i} gap={4}>
            <Group gap="xs" wrap="nowrap" align="flex-end">
              <TextInput label="Label" placeholder="curl -sv from web1" value={row.label} onChange={(e) => setEvidence(i, { label: e.currentTarget.value })} flex={1} />
              <ActionIcon aria-label={`Remove evidence ${i + 1}`} color="red" mb={2} onClick={() => update({ evidence: values.evidence.filter((_, j) => j !== i) })}>
                ✕
              </ActionIcon>
            </Group>
            <Textarea
              label="Content"
              className="bl-note-textarea"
              autosize
              minRows={3}
              maxRows={14}
              value={row.content}
              onChange={(e) => setEvidence(i, { content: e.currentTarget.value })}
            />
          </Stack>
        ))}
        {issues.fields.evidence && (
          <Text size="xs" c="red">
            {issues.fields.evidence}
          </Text>
        )}
        <Group>
          <Button variant="default" onClick={() => update({ evidence: [...values.evidence, { label: '', content: '' }] })}>
            Add evidence
          </Button>
        </Group>
        <FormFooter wire={wire} generalIssues={issues.general} submitLabel="Save finding" pending={add.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}

export function AddFindingModal({ ticketId, opened, onClose }: { ticketId: string; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add finding" size="xl">
      {opened && <FindingForm ticketId={ticketId} onDone={onClose} />}
    </Modal>
  );
}
