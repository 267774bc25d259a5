import { Button, Group, Table, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { roundSize } from '../../../shared/domain/php-findings.js';
import type { Server } from '../../../shared/domain/server.js';
import { toWireError } from '../app/errors.js';
import { useFormAction } from '../app/useFormAction.js';
import { usePhpResult } from './queries.js';
import { Failure, Section, Statements, Unparsed } from './Section.js';
import { typedDocroots } from './scanView.js';

/** The PHP code that reads a literal remote URL: where, what, which host; and where the bounded scan stopped. */
export function IncludePanel({ server, onProbe }: { server: Server; onProbe: (url: string) => void }) {
  const scan = useFormAction('php.scan');
  const [result, setResult] = usePhpResult('scan', server.id);
  const [text, setText] = useState('');
  const typed = typedDocroots(text);
  const localProblem = typed.problems[0] ?? null;
  const wire = scan.error ? toWireError(scan.error) : null;
  const fieldProblem = localProblem ?? wire?.issues?.find((i) => i.path.startsWith('docroots'))?.message ?? null;

  const run = () => {
    if (localProblem) return;
    void scan.run({ serverId: server.id, docroots: typed.paths }).then((out) => out && setResult(out));
  };

  return (
    <Section
      title="Remote includes"
      action={
        <Button size="xs" onClick={run} loading={scan.isPending} disabled={localProblem !== null}>
          Find remote includes
        </Button>
      }
    >
      <Textarea
        label="Docroots"
        description="One absolute path a line. Left empty, the docroots of the server's nginx or Apache configuration are scanned."
        placeholder="/var/www/html"
        autosize
        minRows={1}
        maxRows={6}
        classNames={{ input: 'bl-mono-input' }}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        error={fieldProblem}
        spellCheck={false}
      />
      {!fieldProblem && <Failure error={scan.error} what="The include scan" />}
      {result && (
        <>
          <Text size="sm" mt="xs" role="status">
            {result.stopped.message} ({result.stopped.filesSeen.toLocaleString('en')} files, {roundSize(result.stopped.bytesSeen)}
            {result.sudo ? ', with sudo' : ''}, {(result.durationMs / 1000).toFixed(1)} s)
          </Text>
          {result.docroots.length > 0 && (
            <Text size="xs" c="dimmed">
              {result.docroots.map((d) => `${d.path}: ${d.state === 'scanned' ? `${d.files} PHP files` : d.state}`).join(' · ')}
            </Text>
          )}
          {result.hits.length === 0 ? (
            <Text size="sm" mt={4}>
              No PHP line reading a literal remote URL was found in what was scanned.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={720} type="native">
              <Table verticalSpacing={2} fz="sm" aria-label="Remote includes found">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>file:line</Table.Th>
                    <Table.Th>code</Table.Th>
                    <Table.Th>URL</Table.Th>
                    <Table.Th>host</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {result.hits.map((hit) => (
                    <Table.Tr key={`${hit.file}:${hit.line}:${hit.url}`} aria-label={`${hit.file}:${hit.line}`}>
                      <Table.Td ff="monospace" fz="xs">
                        {hit.file}:{hit.line}
                      </Table.Td>
                      <Table.Td ff="monospace" fz="xs">
                        {hit.code}
                        {hit.codeTruncated ? '…' : ''}
                      </Table.Td>
                      <Table.Td ff="monospace" fz="xs">
                        {hit.url}
                      </Table.Td>
                      <Table.Td ff="monospace">{hit.host ?? <Text span size="xs" c="dimmed">{hit.hostProblem ?? 'built at run time'}</Text>}</Table.Td>
                      <Table.Td>
                        {hit.host && (hit.scheme === 'http' || hit.scheme === 'https') && (
                          <Button size="compact-xs" variant="light" onClick={() => onProbe(hit.url)}>
                            Probe heads
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {result.hitsLeftOut > 0 && (
            <Text size="xs" c="orange">
              {result.hitsLeftOut} more matching lines were found and not kept.
            </Text>
          )}
          <Statements items={[...result.statements, ...result.unreadable.map((u) => `Could not read ${u}`)]} />
          <Unparsed lines={result.unparsed} />
        </>
      )}
      {!result && !scan.isPending && !scan.error && (
        <Group mt={4}>
          <Text size="sm" c="dimmed">
            Searches PHP files for include/require, file_get_contents, fopen, curl and the like with a literal http(s) URL; bounded in files, bytes and time, niced.
          </Text>
        </Group>
      )}
    </Section>
  );
}
