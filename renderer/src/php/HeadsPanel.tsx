import { Badge, Button, Checkbox, Group, Table, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { parseFeedUrl } from '../../../shared/contract/php-input.js';
import { roundSize } from '../../../shared/domain/php-findings.js';
import type { HeadProbeResult } from '../../../shared/domain/php-scan.js';
import type { Server } from '../../../shared/domain/server.js';
import { toWireError } from '../app/errors.js';
import { workspaceRoute } from '../app/route.js';
import { useFormAction } from '../app/useFormAction.js';
import { navigate } from '../app/useHashRoute.js';
import { blockHandoff } from '../firewall/blockHandoff.js';
import { blockPrefillOf, headRows } from './headRows.js';
import { phpKeys, usePhpResult } from './queries.js';
import { Failure, Section, Statements, Unparsed } from './Section.js';

function HeadsTable({ probe, onBlock }: { probe: HeadProbeResult; onBlock: (address: string) => void }) {
  const rows = headRows(probe);
  return (
    <Table.ScrollContainer minWidth={820} type="native">
      <Table verticalSpacing={2} fz="sm" aria-label={`Heads of ${probe.host}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>address</Table.Th>
            <Table.Th>status</Table.Th>
            <Table.Th>received</Table.Th>
            <Table.Th>Content-Length</Table.Th>
            <Table.Th>TTFB</Table.Th>
            <Table.Th>total</Table.Th>
            <Table.Th>PHP peak</Table.Th>
            <Table.Th>marked</Table.Th>
            <Table.Th>
              <span className="bl-visually-hidden">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.address} aria-label={row.address} bg={row.marked ? 'var(--mantine-color-red-light)' : undefined}>
              <Table.Td ff="monospace" fw={row.marked ? 700 : undefined}>
                {row.address}
              </Table.Td>
              <Table.Td>{row.status}</Table.Td>
              <Table.Td>
                {row.size}
                {row.capCut && (
                  <Badge ml={4} size="xs" color="orange" title="The byte cap cut the body: the head sent more">
                    cap cut
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{row.contentLength}</Table.Td>
              <Table.Td>{row.ttfb}</Table.Td>
              <Table.Td>{row.total}</Table.Td>
              <Table.Td>{row.phpPeak}</Table.Td>
              <Table.Td>
                {row.marked ? (
                  <Text size="xs" c="red" fw={600}>
                    {row.reasons}
                  </Text>
                ) : (
                  <Text size="xs" c="dimmed">
                    like the others
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">
                <Button size="compact-xs" variant={row.marked ? 'filled' : 'subtle'} color="red" onClick={() => onBlock(row.address)}>
                  Block this head
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The head probe of one server: the URL typed (or picked from the include scan), the call, and where its results are kept. */
export function useHeadsProbe(server: Server) {
  const action = useFormAction('php.heads');
  const queryClient = useQueryClient();
  const [results, setResults] = usePhpResult('heads', server.id);
  const [url, setUrl] = useState('');
  const [viaPhp, setViaPhp] = useState(true);
  const [showProblem, setShowProblem] = useState(false);
  const { run: call } = action;

  const run = useCallback(
    (text: string) => {
      setUrl(text);
      if (!parseFeedUrl(text).ok) {
        setShowProblem(true);
        return;
      }
      setShowProblem(false);
      void call({ serverId: server.id, url: text.trim(), viaPhp }).then((out) => {
        if (!out) return;
        setResults([...(results ?? []).filter((r) => r.url !== out.url), out]);
        void queryClient.invalidateQueries({ queryKey: phpKeys.lastHeads(server.id, out.host) });
      });
    },
    [call, server.id, viaPhp, results, setResults, queryClient],
  );
  const edit = (text: string) => {
    setUrl(text);
    setShowProblem(false);
  };
  return { action, results, url, edit, viaPhp, setViaPhp, showProblem, run };
}

/** Each head behind a host, fetched from the customer's server pinned to its address; the odd ones marked. */
export function HeadsPanel({ ticketId, server, heads: state }: { ticketId: string; server: Server; heads: ReturnType<typeof useHeadsProbe> }) {
  const { action: probe, results, url, viaPhp, showProblem } = state;
  const parsed = parseFeedUrl(url);
  const wire = probe.error ? toWireError(probe.error) : null;
  const urlProblem = (showProblem && !parsed.ok ? parsed.problem : null) ?? wire?.issues?.find((i) => i.path === 'url')?.message ?? null;

  const block = (result: HeadProbeResult, address: string) => {
    const head = result.heads.find((h) => h.address === address);
    if (!head) return;
    blockHandoff.request(blockPrefillOf(ticketId, server.id, result, head));
    navigate(workspaceRoute(ticketId, 'firewall'));
  };

  const shown = [...(results ?? [])].reverse();
  return (
    <Section title="Heads">
      <form
        noValidate
        aria-label="Probe the heads of a URL"
        onSubmit={(e) => {
          e.preventDefault();
          state.run(url);
        }}
      >
        <Group gap="xs" align="flex-end" wrap="wrap">
          <TextInput
            label="URL the site fetches"
            placeholder="http://feeds.example.net/feed.xml"
            classNames={{ input: 'bl-mono-input' }}
            flex={1}
            miw={320}
            spellCheck={false}
            autoComplete="off"
            value={url}
            onChange={(e) => state.edit(e.currentTarget.value)}
            error={urlProblem}
          />
          <Checkbox label="Also through PHP" size="xs" mb={8} checked={viaPhp} onChange={(e) => state.setViaPhp(e.currentTarget.checked)} />
          <Button type="submit" loading={probe.isPending} disabled={url.trim() === ''}>
            Probe heads
          </Button>
        </Group>
      </form>
      {!urlProblem && <Failure error={probe.error} what="The head probe" />}
      {shown.length === 0 && !probe.isPending && (
        <Text size="sm" c="dimmed" mt={4}>
          Resolves the host on {server.label}, then fetches the URL once per address, pinned to it (the right Host and SNI), capped in time and bytes.
        </Text>
      )}
      {shown.map((result) => (
        <div key={result.url}>
          <Text size="sm" mt="xs" fw={600}>
            {result.url}{' '}
            <Text span size="xs" c="dimmed" fw={400}>
              ({result.addresses.length} addresses on {server.label}; caps {result.limits.timeS} s, {roundSize(result.limits.maxBytes)}; via {result.fetcher ?? 'nothing'})
            </Text>
          </Text>
          <Text size="sm" role="status">
            {result.summary}
          </Text>
          {result.heads.length > 0 && <HeadsTable probe={result} onBlock={(address) => block(result, address)} />}
          <Statements items={result.statements} />
          <Unparsed lines={result.unparsed} />
        </div>
      ))}
    </Section>
  );
}
