import { Alert, Badge, Button, Group, Table, Text } from '@mantine/core';
import type { MemoryPicture } from '../../../shared/domain/php-memory.js';
import { roundSize } from '../../../shared/domain/php-findings.js';
import type { Server } from '../../../shared/domain/server.js';
import { useFormAction } from '../app/useFormAction.js';
import { usePhpResult } from './queries.js';
import { cliTrap, memoryLine, settingsTable, worstCases } from './memoryView.js';
import { Failure, Part, Section, Statements, Unparsed } from './Section.js';

const dash = '—';
const size = (bytes: number | null) => (bytes === null ? dash : roundSize(bytes));

function Installs({ picture }: { picture: MemoryPicture }) {
  return (
    <Part title="Installs and SAPIs">
      <Text size="sm">
        {picture.clis.length === 0 ? 'No php binary on PATH.' : `CLI: ${picture.clis.map((c) => `${c.binary} ${c.version ?? '(version unknown)'}${c.loadedIni ? ` (${c.loadedIni})` : ''}`).join(', ')}.`}{' '}
        {picture.fpmMasters.length === 0 ? 'No php-fpm master running.' : `FPM: ${picture.fpmMasters.map((m) => `${m.binary ?? 'php-fpm'} ${m.version ?? ''} (pid ${m.pid}${m.configPath ? `, ${m.configPath}` : ''})`).join(', ')}.`}{' '}
        {picture.apache.found ? (picture.apache.modPhp ? `Apache with mod_php (${picture.apache.modPhp}).` : 'Apache without mod_php.') : ''}
      </Text>
      {picture.pools.length > 0 && (
        <Table.ScrollContainer minWidth={640} type="native">
          <Table verticalSpacing={2} fz="sm" aria-label="FPM pools">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Pool</Table.Th>
                <Table.Th>listen</Table.Th>
                <Table.Th>pm</Table.Th>
                <Table.Th>max_children</Table.Th>
                <Table.Th>status path</Table.Th>
                <Table.Th>terminate timeout</Table.Th>
                <Table.Th>pool overrides</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {picture.pools.map((p) => (
                <Table.Tr key={`${p.name}:${p.masterPid ?? ''}`}>
                  <Table.Td ff="monospace">{p.name}</Table.Td>
                  <Table.Td ff="monospace">{p.listen ?? dash}</Table.Td>
                  <Table.Td>{p.pm ?? dash}</Table.Td>
                  <Table.Td>{p.maxChildren ?? dash}</Table.Td>
                  <Table.Td ff="monospace">{p.statusPath ?? dash}</Table.Td>
                  <Table.Td>{p.requestTerminateTimeout ?? dash}</Table.Td>
                  <Table.Td ff="monospace" fz="xs">
                    {p.iniValues.length === 0 ? dash : p.iniValues.map((v) => `${v.admin ? 'php_admin_value' : 'php_value'}[${v.name}]=${v.value}`).join(' ')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Part>
  );
}

function Settings({ picture }: { picture: MemoryPicture }) {
  const { columns, rows } = settingsTable(picture);
  const trap = cliTrap(picture);
  if (columns.length === 0) return null;
  return (
    <Part title="Effective settings">
      {trap && (
        <Alert color="orange" variant="filled" p="xs" mb={4} role="alert" title="The CLI and FPM differ">
          {trap}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={520} type="native">
        <Table verticalSpacing={2} fz="sm" aria-label="Effective settings per SAPI">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Setting</Table.Th>
              {columns.map((c) => (
                <Table.Th key={c.key}>{c.label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.name} aria-label={row.name} bg={row.differs ? 'var(--mantine-color-orange-light)' : undefined}>
                <Table.Td ff="monospace" fw={row.differs ? 700 : undefined}>
                  {row.name}
                  {row.differs && (
                    <Badge ml={6} size="xs" color="orange">
                      differs
                    </Badge>
                  )}
                </Table.Td>
                {row.values.map((value, i) => (
                  <Table.Td key={columns[i]!.key} ff="monospace" title={row.sources[i] ?? undefined}>
                    {value ?? dash}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Part>
  );
}

function Workers({ picture }: { picture: MemoryPicture }) {
  const worst = worstCases(picture);
  const workers = [...picture.processes].sort((a, b) => b.rssBytes - a.rssBytes);
  return (
    <Part title="Workers">
      <Text size="sm">{memoryLine(picture)}.</Text>
      {worst.map((w) => (
        <Text key={w.pool} size="sm" c={w.over ? 'red' : undefined} fw={w.over ? 700 : undefined}>
          {w.text}
        </Text>
      ))}
      {workers.length > 0 && (
        <Table.ScrollContainer minWidth={560} type="native" mah={260}>
          <Table verticalSpacing={1} fz="xs" aria-label="PHP processes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>pid</Table.Th>
                <Table.Th>role</Table.Th>
                <Table.Th>pool</Table.Th>
                <Table.Th>user</Table.Th>
                <Table.Th>RSS</Table.Th>
                <Table.Th>PSS</Table.Th>
                <Table.Th>command</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {workers.map((p) => (
                <Table.Tr key={p.pid}>
                  <Table.Td>{p.pid}</Table.Td>
                  <Table.Td>{p.role}</Table.Td>
                  <Table.Td>{p.pool ?? dash}</Table.Td>
                  <Table.Td>{p.user}</Table.Td>
                  <Table.Td>{roundSize(p.rssBytes)}</Table.Td>
                  <Table.Td>{size(p.pssBytes)}</Table.Td>
                  <Table.Td ff="monospace">{p.args}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Part>
  );
}

function Events({ picture }: { picture: MemoryPicture }) {
  return (
    <>
      <Part title="OOM kills">
        {picture.oomEvents.length === 0 ? (
          <Text size="sm" c="dimmed">
            No OOM-killer event in the kernel log{picture.logs.some((l) => l.kind === 'kernel' && l.problem === null) ? '' : ' (the kernel log could not be read: see below)'}.
          </Text>
        ) : (
          <Table verticalSpacing={1} fz="sm" aria-label="OOM events">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>when</Table.Th>
                <Table.Th>process</Table.Th>
                <Table.Th>RSS</Table.Th>
                <Table.Th>kind</Table.Th>
                <Table.Th>from</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {picture.oomEvents.map((e, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{e.atIso ?? e.at ?? dash}</Table.Td>
                  <Table.Td ff="monospace">
                    {e.process ?? '?'} {e.pid !== null ? `(${e.pid})` : ''}
                  </Table.Td>
                  <Table.Td>{size(e.rssBytes)}</Table.Td>
                  <Table.Td>{e.cgroup ? `cgroup${e.memcg ? ` ${e.memcg}` : ''}` : (e.constraint ?? 'machine')}</Table.Td>
                  <Table.Td>{e.source}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Part>
      <Part title="PHP and FPM log events">
        {picture.memoryExhausted.length + picture.childSignals.length + picture.maxChildrenReached.length + picture.slowlog.length === 0 ? (
          <Text size="sm" c="dimmed">
            No memory-exhausted error, killed child, max_children warning or slow-log entry in the logs read.
          </Text>
        ) : (
          <Table verticalSpacing={1} fz="sm" aria-label="Log events">
            <Table.Tbody>
              {picture.memoryExhausted.map((e) => (
                <Table.Tr key={`x${e.file}:${e.line}`}>
                  <Table.Td ff="monospace">
                    {e.file}:{e.line}
                  </Table.Td>
                  <Table.Td>
                    Allowed memory size of {roundSize(e.limitBytes)} exhausted × {e.count} (tried up to {roundSize(e.triedBytes)})
                  </Table.Td>
                  <Table.Td>{e.last ?? ''}</Table.Td>
                </Table.Tr>
              ))}
              {picture.childSignals.map((e) => (
                <Table.Tr key={`s${e.pool ?? ''}${e.signal}`}>
                  <Table.Td ff="monospace">pool {e.pool ?? '?'}</Table.Td>
                  <Table.Td>
                    children killed by {e.signal} × {e.count}
                  </Table.Td>
                  <Table.Td>{e.last ?? ''}</Table.Td>
                </Table.Tr>
              ))}
              {picture.maxChildrenReached.map((e) => (
                <Table.Tr key={`c${e.pool}`}>
                  <Table.Td ff="monospace">pool {e.pool}</Table.Td>
                  <Table.Td>reached pm.max_children × {e.count}</Table.Td>
                  <Table.Td>{e.last ?? ''}</Table.Td>
                </Table.Tr>
              ))}
              {picture.slowlog.map((e, i) => (
                <Table.Tr key={`l${i}`}>
                  <Table.Td ff="monospace">{e.scriptFilename ?? '?'}</Table.Td>
                  <Table.Td ff="monospace" fz="xs">
                    slow: {e.stack[0] ?? ''}
                  </Table.Td>
                  <Table.Td>{e.at ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="xs" c="dimmed">
          Logs read: {picture.logs.length === 0 ? 'none found' : picture.logs.map((l) => `${l.path} (${l.problem ?? `${l.lines} lines`})`).join(', ')}
        </Text>
      </Part>
      <Part title="FPM status">
        {picture.fpmStatus.length === 0 ? (
          <Text size="sm" c="dimmed">
            No pool exposes pm.status_path.
          </Text>
        ) : (
          picture.fpmStatus.map((s) => (
            <Text key={s.pool} size="sm">
              Pool {s.pool}:{' '}
              {s.problem ??
                `${s.activeProcesses ?? '?'} active, ${s.idleProcesses ?? '?'} idle, max children reached ${s.maxChildrenReached ?? '?'}; last request memory ${s.processes.map((p) => size(p.lastRequestMemoryBytes)).join(', ')} (via ${s.via ?? '?'})`}
            </Text>
          ))
        )}
      </Part>
    </>
  );
}

/** The memory picture of the server, read in one probe. */
export function MemoryPanel({ server }: { server: Server }) {
  const read = useFormAction('php.memory');
  const [picture, setPicture] = usePhpResult('memory', server.id);
  const run = () => void read.run({ serverId: server.id }).then((out) => out && setPicture(out));
  return (
    <Section
      title="Memory picture"
      action={
        <Group gap="xs">
          {picture && (
            <Text size="xs" c="dimmed">
              read {picture.readAt.slice(11, 19)}
              {picture.access.root ? ' as root' : picture.access.sudo ? ' with sudo' : ` as ${picture.access.user ?? 'the login user'}, without sudo`}
            </Text>
          )}
          <Button size="xs" onClick={run} loading={read.isPending}>
            Read memory picture
          </Button>
        </Group>
      }
    >
      <Failure error={read.error} what="Reading the memory picture" />
      {!picture ? (
        !read.isPending && (
          <Text size="sm" c="dimmed">
            memory_limit per SAPI and pool, the workers&apos; memory against the machine, OOM kills and PHP&apos;s own errors, in one read-only probe.
          </Text>
        )
      ) : (
        <>
          {!picture.phpFound && (
            <Alert color="gray" variant="light" p="xs" title={`No PHP found on ${server.label}`}>
              No php binary on PATH, no php-fpm master running and no Apache mod_php.
            </Alert>
          )}
          {picture.findings.length > 0 && <Statements title="What stands out" items={picture.findings} color="red" />}
          <Installs picture={picture} />
          <Settings picture={picture} />
          <Workers picture={picture} />
          <Events picture={picture} />
          <Statements items={picture.couldNotCheck} />
          <Unparsed lines={picture.unparsed.map((u) => `[${u.section}] ${u.line}`)} />
        </>
      )}
    </Section>
  );
}
