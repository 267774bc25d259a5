import { Alert, Badge, Box, Button, Group, List, Loader, Paper, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { MethodInput, MethodOutput } from '../../../shared/contract/index.js';
import { familyNames } from '../../../shared/domain/address.js';
import type { Server } from '../../../shared/domain/server.js';
import { describeError } from '../../../shared/errors.js';
import { queryKeys, useInvoke, usePlans } from '../api/queries.js';
import { ConfirmModal } from '../app/ConfirmModal.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { awaitingEndedBy, portProtocol, removalMessage, type RemovalMessage } from './planView.js';

type Probe = MethodOutput<'firewall.probe'>;
type Scope = MethodInput<'firewall.remove'>['scope'];

const backendLabels: Record<Probe['backend'], string> = { nft: 'iptables-nft', legacy: 'iptables-legacy', unknown: 'unknown backend' };

const rollbackTimerHelp: Record<NonNullable<Probe['rollbackTimer']>, string> = {
  'systemd-run': 'The server-side rollback and the expiry run as transient systemd units: they outlive your SSH session, even where logind ends a user’s processes when they log out.',
  setsid: 'No systemd runs here: the server-side rollback and the expiry run as processes detached from your SSH session with setsid.',
};

function RulesTable({ probe, ticketId, removing, onRemovePlan }: { probe: Probe; ticketId: string; removing: Scope | null; onRemovePlan: (planId: string) => void }) {
  if (probe.rules.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No Backline rules on this server.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={640} type="native">
      <Table striped highlightOnHover verticalSpacing={4} fz="sm" className="bl-fw-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Family</Table.Th>
            <Table.Th>Destination</Table.Th>
            <Table.Th>Port</Table.Th>
            <Table.Th>Ticket</Table.Th>
            <Table.Th>Plan</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>
              <span className="bl-visually-hidden">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {probe.rules.map((rule, i) => (
            <Table.Tr key={`${rule.family}-${i}`} aria-label={`${rule.destination} ${portProtocol(rule)}`}>
              <Table.Td>{familyNames[rule.family]}</Table.Td>
              <Table.Td ff="monospace">
                <Tooltip label={rule.rule} multiline maw={560} openDelay={400}>
                  <span>{rule.destination}</span>
                </Tooltip>
              </Table.Td>
              <Table.Td ff="monospace">{portProtocol(rule)}</Table.Td>
              <Table.Td ff="monospace" fw={rule.ticketId === ticketId ? 700 : undefined}>
                {rule.ticketId}
              </Table.Td>
              <Table.Td ff="monospace">{rule.planId}</Table.Td>
              <Table.Td>{rule.expiresAt ? formatDateTime(rule.expiresAt) : <Text span c="dimmed" size="sm">never</Text>}</Table.Td>
              <Table.Td ta="right">
                <Tooltip label={`Removes every rule of plan ${rule.planId}`} openDelay={400}>
                  <Button
                    variant="subtle"
                    color="red"
                    size="compact-xs"
                    disabled={rule.planId === '?' || removing !== null}
                    loading={removing?.kind === 'plan' && removing.planId === rule.planId}
                    onClick={() => onRemovePlan(rule.planId)}
                  >
                    Remove
                  </Button>
                </Tooltip>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The customer's own OUTPUT chain, per family: read-only, for context beside Backline's rules. */
function CustomerOutput({ probe }: { probe: Probe }) {
  const families = probe.customerOutput;
  if (families.length === 0) return null;
  return (
    <Box component="section" aria-label="Customer OUTPUT rules">
      <details className="bl-fw-more" open={families.some((f) => f.rules.length > 0)}>
        <summary>
          <Text span size="sm" fw={600}>
            The customer&apos;s own OUTPUT rules ({families.map((f) => `${familyNames[f.family]}: ${f.rules.length}, policy ${f.policy ?? '?'}`).join('; ')})
          </Text>
        </summary>
        <Text size="xs" c="dimmed" mt={2}>
          Read-only: Backline never changes these. Its own chain is jumped to first, so its blocks apply before them.
        </Text>
        <Table.ScrollContainer minWidth={520} type="native">
          <Table verticalSpacing={2} fz="xs" className="bl-fw-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Family</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Rule</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {families.flatMap((f) =>
                f.rules.map((r, i) => (
                  <Table.Tr key={`${f.family}-${i}`}>
                    <Table.Td>{familyNames[f.family]}</Table.Td>
                    <Table.Td ff="monospace">{r.target ?? '—'}</Table.Td>
                    <Table.Td ff="monospace" className="bl-fw-wrap">
                      {r.rule}
                    </Table.Td>
                  </Table.Tr>
                )),
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </details>
    </Box>
  );
}

/** What Backline found on the server's firewall, and its own rules there, each removable. */
export function ProbePanel({ server, ticketId, probe, error, loading, onReload }: { server: Server; ticketId: string; probe: Probe | undefined; error: Error | null; loading: boolean; onReload: () => void }) {
  const queryClient = useQueryClient();
  const remove = useInvoke('firewall.remove', (input) => input.ticketId);
  const [result, setResult] = useState<RemovalMessage | null>(null);
  const [confirmingAll, setConfirmingAll] = useState(false);
  /** A removal that would also end a plan awaiting confirmation waits for a yes. */
  const [asking, setAsking] = useState<{ scope: Scope; planIds: string[] } | null>(null);
  const plans = usePlans(ticketId);
  const removing = remove.isPending ? remove.variables.scope : null;
  const ownRules = probe?.rules.filter((r) => r.ticketId === ticketId).length ?? 0;

  const run = (scope: Scope) => {
    setResult(null);
    remove.mutate(
      { serverId: server.id, ticketId, scope },
      {
        onSuccess: (output) => setResult(removalMessage(output)),
        onSettled: () => void queryClient.invalidateQueries({ queryKey: queryKeys.firewallProbe(server.id) }),
      },
    );
  };

  const askFirst = (scope: Scope) => {
    const ending = awaitingEndedBy(scope, server.id, plans.data);
    if (ending.length > 0) setAsking({ scope, planIds: ending.map((p) => p.id) });
    else run(scope);
  };

  return (
    <Paper withBorder p="xs" radius="sm">
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" miw={0}>
            <Title order={4}>Firewall on {server.label}</Title>
            {probe && (
              <>
                <Badge variant="light" color={probe.backend === 'unknown' ? 'red' : 'blue'}>
                  {backendLabels[probe.backend]}
                </Badge>
                <Badge variant="light" color="gray">
                  persistence: {probe.persistence ?? 'none'}
                </Badge>
                {probe.rollbackTimer && (
                  <Tooltip label={rollbackTimerHelp[probe.rollbackTimer]} multiline maw={420} openDelay={300}>
                    <Badge variant="light" color="gray" tabIndex={0}>
                      rollback: {probe.rollbackTimer}
                    </Badge>
                  </Tooltip>
                )}
              </>
            )}
            {loading && <Loader size="xs" />}
          </Group>
          <Button variant="subtle" size="compact-xs" onClick={onReload} disabled={loading}>
            Read again
          </Button>
        </Group>

        {error && !probe && (
          <Alert color="red" title={`Could not read the firewall on ${server.label}`}>
            {describeError(toWireError(error))}
          </Alert>
        )}
        {!probe && !error && (
          <Text size="sm" c="dimmed">
            Reading the firewall…
          </Text>
        )}

        {probe && (
          <>
            <Text size="sm">
              {probe.sessionPeer ? (
                <>
                  Your SSH session comes from{' '}
                  <Text span ff="monospace" fw={600}>
                    {probe.sessionPeer}
                  </Text>
                  : blocking that address cuts the session.
                </>
              ) : (
                <Text span c="dimmed">
                  The address of your SSH session could not be read.
                </Text>
              )}
            </Text>
            {probe.warnings.length > 0 && (
              <Alert color="yellow" variant="light" p="xs" title="Before you apply">
                <List size="sm" spacing={2}>
                  {probe.warnings.map((w) => (
                    <List.Item key={w}>{w}</List.Item>
                  ))}
                </List>
              </Alert>
            )}
            {!probe.canApply && (
              <Alert color="red" variant="light" p="xs" title={`Backline will not change the firewall on ${server.label}`}>
                <List size="sm" spacing={2}>
                  {probe.reasons.map((r) => (
                    <List.Item key={r}>{r}</List.Item>
                  ))}
                </List>
              </Alert>
            )}

            <Box component="section" aria-label="Backline rules">
              <Group justify="space-between" mb={4}>
                <Text size="sm" fw={600}>
                  Backline rules on this server
                </Text>
                <Group gap={4}>
                  <Button variant="light" color="red" size="compact-xs" disabled={ownRules === 0 || removing !== null} loading={removing?.kind === 'ticket'} onClick={() => askFirst({ kind: 'ticket', ticketId })}>
                    Remove this ticket&apos;s rules
                  </Button>
                  <Button variant="subtle" color="red" size="compact-xs" disabled={probe.rules.length === 0 || removing !== null} loading={removing?.kind === 'all'} onClick={() => setConfirmingAll(true)}>
                    Remove all Backline rules
                  </Button>
                </Group>
              </Group>
              <RulesTable probe={probe} ticketId={ticketId} removing={removing} onRemovePlan={(planId) => askFirst({ kind: 'plan', planId })} />
            </Box>
            <CustomerOutput probe={probe} />
          </>
        )}

        {result && (
          <Alert color={result.ok ? 'teal' : 'red'} variant="light" p="xs" role={result.ok ? 'status' : 'alert'} withCloseButton onClose={() => setResult(null)}>
            {result.text}
          </Alert>
        )}
      </Stack>
      <ConfirmModal
        opened={asking !== null}
        title="This also ends a plan awaiting confirmation"
        message={`Plan ${asking?.planIds.join(', ') ?? ''} on ${server.label} is waiting for your confirmation. Removing the rules takes its block off now and ends the plan as removed: nothing is left to confirm. Remove them?`}
        confirmLabel="Remove and end the plan"
        onCancel={() => setAsking(null)}
        onConfirm={() => {
          const scope = asking?.scope;
          setAsking(null);
          if (scope) run(scope);
        }}
      />
      <ConfirmModal
        opened={confirmingAll}
        title="Remove all Backline rules"
        message={`Remove every Backline rule on ${server.label}, whichever ticket added it? The customer's own rules are left as they are.`}
        confirmLabel="Remove all"
        onCancel={() => setConfirmingAll(false)}
        onConfirm={() => {
          setConfirmingAll(false);
          run({ kind: 'all' });
        }}
      />
    </Paper>
  );
}
