import { Chip, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { findingKinds, findingSeverities } from '../../../shared/domain/finding.js';
import { useFindings, useInvoke, useNotes } from '../api/queries.js';
import { notifySuccess, toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { FormFooter } from '../app/FormFooter.js';
import { issuesToFields } from '../app/issueFields.js';
import type { RunView } from './runView.js';

export type EvidenceTarget = 'finding' | 'note';

type Field = 'title' | 'target' | 'serverIds';
const fieldFor: Record<string, Field> = { target: 'target', serverIds: 'serverIds' };

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function ServersPick({ run, picked, onChange }: { run: RunView; picked: string[]; onChange: (ids: string[]) => void }) {
  const answered = run.hosts.filter((h) => h.state === 'result');
  if (answered.length <= 1) return null;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        Output of
      </Text>
      <Group gap={6}>
        <Chip.Group multiple value={picked} onChange={onChange}>
          {answered.map((h) => (
            <Chip key={h.serverId} value={String(h.serverId)} size="xs">
              {h.label}
            </Chip>
          ))}
        </Chip.Group>
      </Group>
    </Stack>
  );
}

function FindingForm({ ticketId, run, onDone }: { ticketId: string; run: RunView; onDone: () => void }) {
  const findings = useFindings(ticketId);
  const add = useInvoke('runs.toFinding', (_input, finding) => finding.ticketId);
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [kind, setKind] = useState<(typeof findingKinds)[number]>('observation');
  const [severity, setSeverity] = useState<(typeof findingSeverities)[number]>('info');
  const [title, setTitle] = useState('');
  const [findingId, setFindingId] = useState<string | null>(null);
  const [picked, setPicked] = useState(run.hosts.filter((h) => h.state === 'result').map((h) => String(h.serverId)));
  const wire = add.error ? toWireError(add.error) : null;
  const issues = issuesToFields(wire?.issues, fieldFor);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const target =
      mode === 'new'
        ? ({ kind: 'new', findingKind: kind, severity, title } as const)
        : ({ kind: 'existing', findingId: Number(findingId) } as const);
    add.mutate(
      { runId: run.runId, serverIds: picked.map(Number), target },
      {
        onSuccess: (finding) => {
          notifySuccess(`Added the output to finding “${finding.title}”`);
          onDone();
        },
      },
    );
  };

  const titleIssue = wire?.issues?.find((i) => i.path === 'target.title')?.message;
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ServersPick run={run} picked={picked} onChange={setPicked} />
        <SegmentedControl
          aria-label="Which finding"
          value={mode}
          onChange={(value) => setMode(value === 'existing' ? 'existing' : 'new')}
          data={[
            { value: 'new', label: 'New finding' },
            { value: 'existing', label: 'Existing finding', disabled: (findings.data?.length ?? 0) === 0 },
          ]}
        />
        {mode === 'new' ? (
          <>
            <Group grow>
              <Select label="Kind" data={[...findingKinds]} value={kind} allowDeselect={false} onChange={(v) => setKind(findingKinds.find((k) => k === v) ?? 'observation')} />
              <Select label="Severity" data={[...findingSeverities]} value={severity} allowDeselect={false} onChange={(v) => setSeverity(findingSeverities.find((s) => s === v) ?? 'info')} />
            </Group>
            <TextInput label="Title" required data-autofocus placeholder="What the output shows" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={titleIssue} />
          </>
        ) : (
          <Select
            label="Finding"
            placeholder="Pick a finding"
            searchable
            data={(findings.data ?? []).map((f) => ({ value: String(f.id), label: `${f.severity} · ${clip(f.title, 90)}` }))}
            value={findingId}
            onChange={setFindingId}
            error={issues.fields.target}
          />
        )}
        <FormFooter wire={wire} generalIssues={issues.general} submitLabel="Add to finding" pending={add.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}

function NoteForm({ ticketId, run, onDone }: { ticketId: string; run: RunView; onDone: () => void }) {
  const notes = useNotes(ticketId);
  const add = useInvoke('runs.toNote', (_input, note) => note.ticketId);
  const hasNotes = (notes.data?.length ?? 0) > 0;
  const [mode, setMode] = useState<'new' | 'existing' | null>(null);
  const chosen = mode ?? (hasNotes ? 'existing' : 'new');
  const [title, setTitle] = useState(clip(`Output: ${run.command.replace(/\s+/g, ' ')}`, 200));
  const [noteId, setNoteId] = useState<string | null>(null);
  const [picked, setPicked] = useState(run.hosts.filter((h) => h.state === 'result').map((h) => String(h.serverId)));
  const wire = add.error ? toWireError(add.error) : null;
  const issues = issuesToFields(wire?.issues, fieldFor);
  const selected = noteId ?? (notes.data?.at(-1) ? String(notes.data.at(-1)!.id) : null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const target = chosen === 'new' ? ({ kind: 'new', title } as const) : ({ kind: 'existing', noteId: Number(selected) } as const);
    add.mutate(
      { runId: run.runId, serverIds: picked.map(Number), target },
      {
        onSuccess: (note) => {
          notifySuccess(`Added the output to note “${note.title}”`);
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <ServersPick run={run} picked={picked} onChange={setPicked} />
        <SegmentedControl
          aria-label="Which note"
          value={chosen}
          onChange={(value) => setMode(value === 'existing' ? 'existing' : 'new')}
          data={[
            { value: 'existing', label: 'Existing note', disabled: !hasNotes },
            { value: 'new', label: 'New note' },
          ]}
        />
        {chosen === 'new' ? (
          <TextInput label="Note title" required value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={wire?.issues?.find((i) => i.path === 'target.title')?.message} />
        ) : (
          <Select
            label="Append to note"
            searchable
            allowDeselect={false}
            data={(notes.data ?? []).map((n) => ({ value: String(n.id), label: `${clip(n.title, 80)} (r${n.revision}, ${formatDateTime(n.updatedAt)})` }))}
            value={selected}
            onChange={setNoteId}
            error={issues.fields.target}
          />
        )}
        <Text size="xs" c="dimmed">
          Each server&apos;s output goes in as a fenced block under a line saying where it ran and how it ended.
        </Text>
        <FormFooter wire={wire} generalIssues={issues.general} submitLabel="Add to note" pending={add.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}

/** Takes a run's output as evidence: into a finding (one entry per server) or a note (a fenced block per server). */
export function RunEvidenceModal({ ticketId, run, target, onClose }: { ticketId: string; run: RunView | null; target: EvidenceTarget | null; onClose: () => void }) {
  return (
    <Modal opened={run !== null && target !== null} onClose={onClose} title={target === 'note' ? 'Add the output to a note' : 'Add the output to a finding'} size="lg">
      {run && target && (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            <Text span ff="monospace" c="var(--mantine-color-text)">
              {run.sudo ? 'sudo ' : ''}
              {clip(run.command, 200)}
            </Text>{' '}
            run at {formatDateTime(run.startedAt)}
          </Text>
          {target === 'note' ? <NoteForm ticketId={ticketId} run={run} onDone={onClose} /> : <FindingForm ticketId={ticketId} run={run} onDone={onClose} />}
        </Stack>
      )}
    </Modal>
  );
}
