import { Badge, Button, Checkbox, Group, Loader, Menu, Modal, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useClient } from '../app/ClientContext.js';
import { chosenIds, initialSelection, selectionSummary, toggled, type ExportItem } from './exportSelection.js';
import { useExportMarkdown } from './useExportMarkdown.js';

function ItemList<T extends ExportItem>({ label, items, selection, onChange, render }: { label: string; items: T[]; selection: Set<number>; onChange: (next: Set<number>) => void; render: (item: T) => ReactNode }) {
  if (items.length === 0) return null;
  return (
    <Stack gap={4} role="group" aria-label={label}>
      <Title order={4}>{label}</Title>
      {items.map((item) => (
        <Checkbox key={item.id} checked={selection.has(item.id)} onChange={(e) => onChange(toggled(selection, item.id, e.currentTarget.checked))} label={render(item)} />
      ))}
    </Stack>
  );
}

/** Pick which notes and findings go out; terminal transcripts start unticked. */
function ChooseExport({ ticketId, onDone }: { ticketId: string; onDone: () => void }) {
  const client = useClient();
  const options = useQuery({ queryKey: ['export.options', ticketId], queryFn: () => client.invoke('export.options', { ticketId }), staleTime: 0 });
  const { copy, save } = useExportMarkdown(ticketId);
  const [notes, setNotes] = useState<Set<number> | null>(null);
  const [findings, setFindings] = useState<Set<number> | null>(null);
  if (!options.data) return options.isPending ? <Loader size="sm" /> : <Text size="sm">Could not read what there is to export.</Text>;
  const noteSel = notes ?? initialSelection(options.data.notes);
  const findingSel = findings ?? initialSelection(options.data.findings);
  const choice = () => ({ noteIds: chosenIds(options.data.notes, noteSel), findingIds: chosenIds(options.data.findings, findingSel) });
  const count = choice();
  return (
    <Stack gap="sm">
      {options.data.notes.length + options.data.findings.length === 0 && <Text size="sm">This ticket has no notes or findings yet.</Text>}
      <ItemList
        label="Findings"
        items={options.data.findings}
        selection={findingSel}
        onChange={setFindings}
        render={(f) => (
          <Group gap={6} wrap="nowrap">
            <Text size="sm">{f.title}</Text>
            {f.status === 'superseded' && <Badge color="gray" variant="light">no longer in effect</Badge>}
          </Group>
        )}
      />
      <ItemList
        label="Notes"
        items={options.data.notes}
        selection={noteSel}
        onChange={setNotes}
        render={(n) => (
          <Group gap={6} wrap="nowrap">
            <Text size="sm">{n.title}</Text>
            {n.transcript && <Badge color="gray" variant="light">terminal transcript</Badge>}
            {n.empty && <Badge color="gray" variant="outline">empty</Badge>}
          </Group>
        )}
      />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {selectionSummary(count.noteIds.length, count.findingIds.length)}
        </Text>
        <Group gap="xs">
          <Button variant="default" onClick={() => void save(choice()).then((ok) => ok && onDone())}>
            Save as file
          </Button>
          <Button onClick={() => void copy(choice()).then((ok) => ok && onDone())}>Copy</Button>
        </Group>
      </Group>
    </Stack>
  );
}

export function ExportMenu({ ticketId }: { ticketId: string }) {
  const { copy, save } = useExportMarkdown(ticketId);
  const [choosing, setChoosing] = useState(false);
  return (
    <>
      <Menu position="bottom-end" width={240}>
        <Menu.Target>
          <Button variant="default" rightSection={<span aria-hidden="true">▾</span>}>
            Export
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Findings and notes, without terminal transcripts</Menu.Label>
          <Menu.Item onClick={() => void copy()}>Copy as Markdown</Menu.Item>
          <Menu.Item onClick={() => void save()}>Save as Markdown file</Menu.Item>
          <Menu.Divider />
          <Menu.Item onClick={() => setChoosing(true)}>Choose what to export…</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={choosing} onClose={() => setChoosing(false)} title={`Export ${ticketId} as Markdown`} size="lg">
        {choosing && <ChooseExport ticketId={ticketId} onDone={() => setChoosing(false)} />}
      </Modal>
    </>
  );
}
