import { Alert, Button, Drawer, Group, Loader, Paper, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useClipboard } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { describeError } from '../../../shared/errors.js';
import { periodBounds, periodLabel, snippetsMarkdown, snippetsText, type SnippetCategory, type SnippetPeriod, type SnippetsReport } from '../../../shared/domain/snippets.js';
import { useTickets } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { notifySuccess, toWireError } from '../app/errors.js';
import { useRtCall } from '../rt/rtApi.js';
import { snippetsPanel } from './snippetsPanel.js';

const heads: Record<SnippetCategory, string> = { found: 'Found', changed: 'Changed', run: 'Ran', noted: 'Noted' };
const today = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
};

function ReportView({ report }: { report: SnippetsReport }) {
  if (report.tickets.length === 0) return <Text size="sm">Nothing found, changed, run or noted in this period.</Text>;
  return (
    <Stack gap="xs">
      {report.tickets.map((ticket) => (
        <Paper key={ticket.ticketId ?? '-'} withBorder p="xs" aria-label={`Snippets for ${ticket.ticketId ?? 'no ticket'}`}>
          <Text fw={600} size="sm">
            {ticket.ticketId === null ? ticket.title : `${ticket.ticketId}: ${ticket.title}`}
          </Text>
          {ticket.sections.map((section) => (
            <Stack key={section.category} gap={0} mt={4}>
              <Text size="xs" fw={700} c="dimmed">
                {heads[section.category]} ({section.count})
              </Text>
              {section.lines.map((line, i) => (
                <Text key={i} size="xs" pl="sm">
                  {line}
                </Text>
              ))}
              {section.more > 0 && (
                <Text size="xs" pl="sm" c="dimmed">
                  … and {section.more} more
                </Text>
              )}
            </Stack>
          ))}
        </Paper>
      ))}
    </Stack>
  );
}

function PostReport({ report }: { report: SnippetsReport }) {
  const tickets = useTickets();
  const [ticketId, setTicketId] = useState<string | null>(null);
  const post = useRtCall('ticketSystem.post');
  return (
    <Group gap="xs" align="flex-end">
      <Select
        label="Post to ticket"
        placeholder="Workspace"
        searchable
        data={(tickets.data ?? []).map((t) => ({ value: t.id, label: `${t.id}: ${t.title}` }))}
        value={ticketId}
        onChange={setTicketId}
        w={280}
      />
      <Button
        variant="light"
        disabled={!ticketId}
        loading={post.isPending}
        onClick={() =>
          ticketId &&
          post.mutate(
            { ticketId, item: { kind: 'text', title: `Snippets, ${periodLabel(report)}`, body: snippetsText(report) }, mode: 'comment', format: 'text', attachEvidence: false },
            { onSuccess: () => notifySuccess(`Snippets queued as an internal comment on ${ticketId}; see the outbox for its state.`) },
          )
        }
      >
        Post as comment
      </Button>
      {post.error && <Text size="xs" c="red">{describeError(toWireError(post.error))}</Text>}
    </Group>
  );
}

function SnippetsBody() {
  const client = useClient();
  const clipboard = useClipboard({ timeout: 1500 });
  const [kind, setKind] = useState<SnippetPeriod['kind']>('this-week');
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  // Fixed while the drawer is open, so the query key does not move with the clock.
  const [now] = useState(() => new Date());
  const bounds = useMemo(() => periodBounds(kind === 'custom' ? { kind, from, to } : { kind }, now), [kind, from, to, now]);
  const report = useQuery({
    queryKey: ['snippets.report', bounds?.from, bounds?.to],
    queryFn: () => client.invoke('snippets.report', bounds ?? { from: '', to: '' }),
    enabled: bounds !== null,
  });
  const copy = (text: string, what: string) => {
    clipboard.copy(text);
    notifySuccess(`Copied as ${what}.`);
  };
  return (
    <Stack gap="sm">
      <SegmentedControl
        aria-label="Period"
        value={kind}
        onChange={(value) => setKind(value)}
        data={[
          { value: 'this-week', label: 'This week' },
          { value: 'last-two-weeks', label: 'Last two weeks' },
          { value: 'custom', label: 'Custom' },
        ]}
      />
      {kind === 'custom' && (
        <Group gap="xs">
          <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput type="date" label="To (included)" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={bounds ? undefined : 'Choose a last day on or after the first.'} />
        </Group>
      )}
      {report.error && <Alert color="red">{describeError(toWireError(report.error))}</Alert>}
      {report.isFetching && !report.data && <Loader size="sm" />}
      {report.data && (
        <>
          <Group justify="space-between">
            <Title order={4}>
              {periodLabel(report.data)}: {report.data.totals.tickets} tickets, {report.data.totals.found} found, {report.data.totals.changed} changed, {report.data.totals.run} run, {report.data.totals.noted} noted
            </Title>
            <Group gap="xs">
              <Button size="compact-sm" variant="default" onClick={() => report.data && copy(snippetsMarkdown(report.data), 'Markdown')}>
                Copy Markdown
              </Button>
              <Button size="compact-sm" variant="default" onClick={() => report.data && copy(snippetsText(report.data), 'plain text')}>
                Copy text
              </Button>
            </Group>
          </Group>
          <ReportView report={report.data} />
          <PostReport report={report.data} />
        </>
      )}
    </Stack>
  );
}

/** Snippets (story 8): what I found, changed, ran and noted in a period, per ticket, to copy or post. */
export function SnippetsDrawer() {
  const opened = snippetsPanel.useValue();
  return (
    <Drawer opened={opened} onClose={snippetsPanel.close} title="Snippets: my work" position="right" size="xl">
      {opened && <SnippetsBody />}
    </Drawer>
  );
}
