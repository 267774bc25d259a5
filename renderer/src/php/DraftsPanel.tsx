import { Alert, Button, Checkbox, Group, Paper, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { findingSeverities } from '../../../shared/domain/finding.js';
import { customerTipsNote, draftFindings, type DraftSeverity, type FindingDraft, type NoteDraft } from '../../../shared/domain/php-findings.js';
import type { Server } from '../../../shared/domain/server.js';
import { describeError } from '../../../shared/errors.js';
import { invalidateTicket } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { toWireError } from '../app/errors.js';
import { usePhpResult } from './queries.js';
import { Section } from './Section.js';

interface Editable extends FindingDraft {
  picked: boolean;
  saved: boolean;
}

const isSeverity = (v: string | null): v is DraftSeverity => (findingSeverities as readonly (string | null)[]).includes(v);

/** Findings drafted from what was measured, for the engineer to edit and save; and the customer-tips note. */
export function DraftsPanel({ ticketId, server }: { ticketId: string; server: Server }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [memory] = usePhpResult('memory', server.id);
  const [scan] = usePhpResult('scan', server.id);
  const [heads] = usePhpResult('heads', server.id);
  const [drafts, setDrafts] = useState<Editable[] | null>(null);
  const [tips, setTips] = useState<NoteDraft | null>(null);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [said, setSaid] = useState<string | null>(null);

  const measured = { serverLabel: server.label, memory: memory ?? null, scan: scan ?? null, heads: heads ?? [] };
  const nothingMeasured = !memory && !scan && (heads ?? []).length === 0;

  const draft = () => {
    setSaid(null);
    setProblem(null);
    setDrafts(draftFindings(measured).map((d) => ({ ...d, picked: true, saved: false })));
  };
  const update = (key: string, patch: Partial<Editable>) => setDrafts((all) => all?.map((d) => (d.key === key ? { ...d, ...patch } : d)) ?? null);

  const save = async () => {
    if (!drafts) return;
    setSaving(true);
    setProblem(null);
    let count = 0;
    for (const d of drafts.filter((x) => x.picked && !x.saved)) {
      try {
        await client.invoke('findings.add', { ticketId, kind: d.kind, severity: d.severity, title: d.title, detail: d.detail, evidence: d.evidence });
        update(d.key, { saved: true });
        count++;
      } catch (error) {
        setProblem(`"${d.title.slice(0, 60)}…" was not saved: ${describeError(toWireError(error))}`);
        break;
      }
    }
    setSaving(false);
    invalidateTicket(queryClient, ticketId);
    if (count > 0) setSaid(`Saved ${count} finding${count === 1 ? '' : 's'} to ${ticketId}: see the Findings tab.`);
  };

  const saveTips = async () => {
    if (!tips) return;
    setSaving(true);
    setProblem(null);
    try {
      await client.invoke('notes.create', { ticketId, title: tips.title, body: tips.body });
      setTips(null);
      setSaid(`Saved the customer-tips note to ${ticketId}: see the Notes tab.`);
      invalidateTicket(queryClient, ticketId);
    } catch (error) {
      setProblem(`The note was not saved: ${describeError(toWireError(error))}`);
    } finally {
      setSaving(false);
    }
  };

  const toSave = drafts?.filter((d) => d.picked && !d.saved).length ?? 0;

  return (
    <Section
      title="Findings"
      action={
        <Group gap="xs">
          <Button size="xs" variant="light" onClick={draft} disabled={nothingMeasured}>
            Draft findings
          </Button>
          <Button size="xs" variant="light" onClick={() => setTips(customerTipsNote(measured))}>
            Customer tips note
          </Button>
        </Group>
      }
    >
      {nothingMeasured && !drafts && (
        <Text size="sm" c="dimmed">
          Read the memory picture, find the includes or probe the heads first: findings are drafted only from what was measured.
        </Text>
      )}
      {drafts && drafts.length === 0 && (
        <Text size="sm" role="status">
          Nothing measured so far stands out: no head marked, no worst case over the machine&apos;s memory, no OOM kill, no include found.
        </Text>
      )}
      {drafts && drafts.length > 0 && (
        <Stack gap={4} aria-label="Drafted findings">
          {drafts.map((d) => (
            <Paper key={d.key} withBorder px="xs" py={4} radius="sm" opacity={d.saved ? 0.6 : 1}>
              <Group gap="xs" wrap="nowrap" align="flex-start">
                <Checkbox mt={6} aria-label={`Save: ${d.title}`} checked={d.picked} disabled={d.saved} onChange={(e) => update(d.key, { picked: e.currentTarget.checked })} />
                <Select
                  aria-label="Severity"
                  size="xs"
                  w={100}
                  data={[...findingSeverities]}
                  value={d.severity}
                  allowDeselect={false}
                  disabled={d.saved}
                  onChange={(v) => isSeverity(v) && update(d.key, { severity: v })}
                />
                <TextInput size="xs" flex={1} aria-label="Finding title" value={d.title} maxLength={300} disabled={d.saved} onChange={(e) => update(d.key, { title: e.currentTarget.value })} />
                {d.saved && (
                  <Text size="xs" c="teal" mt={6}>
                    saved
                  </Text>
                )}
              </Group>
            </Paper>
          ))}
          <Group justify="flex-end">
            <Button size="xs" onClick={() => void save()} loading={saving} disabled={toSave === 0}>
              Save {toSave} finding{toSave === 1 ? '' : 's'}
            </Button>
          </Group>
        </Stack>
      )}
      {tips && (
        <Stack gap={4} mt="xs" aria-label="Customer tips note">
          <TextInput size="xs" label="Note title" value={tips.title} onChange={(e) => setTips({ ...tips, title: e.currentTarget.value })} />
          <Textarea size="xs" label="Note" autosize minRows={8} maxRows={24} classNames={{ input: 'bl-mono-input' }} value={tips.body} onChange={(e) => setTips({ ...tips, body: e.currentTarget.value })} />
          <Group justify="flex-end" gap="xs">
            <Button size="xs" variant="subtle" onClick={() => setTips(null)}>
              Discard
            </Button>
            <Button size="xs" onClick={() => void saveTips()} loading={saving}>
              Save as note
            </Button>
          </Group>
        </Stack>
      )}
      {problem && (
        <Alert color="red" p="xs" mt="xs" role="alert">
          {problem}
        </Alert>
      )}
      {said && (
        <Text size="sm" c="teal" mt="xs" role="status">
          {said}
        </Text>
      )}
    </Section>
  );
}
