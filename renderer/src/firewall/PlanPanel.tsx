import { Alert, Anchor, Badge, Box, Button, Group, List, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { hostPort } from '../../../shared/domain/address.js';
import type { FirewallBlockPlan, Plan } from '../../../shared/domain/plan.js';
import { describeError } from '../../../shared/errors.js';
import { queryKeys, useInvoke } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime, formatTime } from '../app/formatTime.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { countdownColor, formatCountdown } from './countdown.js';
import { PlanLog } from './PlanLog.js';
import { PlanSteps } from './PlanSteps.js';
import { confirmationNotes, connectionLost, expiryPassed, planSummary, planViewState, statusColors, untestedOf, verificationOf, verificationStanding } from './planView.js';
import { useNow } from '../app/useNow.js';

function Verification({ plan }: { plan: FirewallBlockPlan }) {
  const rows = verificationOf(plan);
  const untested = untestedOf(plan);
  const standing = verificationStanding(plan);
  if (rows.length === 0) return null;
  const unexpected = rows.filter((r) => !r.asExpected).length;
  return (
    <Box component="section" aria-label="Verification" data-current={standing.current}>
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={600}>
          Verification from the server
        </Text>
        {standing.current ? (
          <Badge variant="light" color={unexpected === 0 ? 'green' : 'red'}>
            {unexpected === 0 ? 'as expected' : `${unexpected} unexpected`}
          </Badge>
        ) : (
          <Badge variant="outline" color="gray">
            {standing.label}
          </Badge>
        )}
      </Group>
      {!standing.current && (
        <Text size="xs" c="dimmed" mb={2}>
          These checks were taken while the block was in place; they no longer describe the server.
        </Text>
      )}
      <Table.ScrollContainer minWidth={520} type="native">
        <Table verticalSpacing={3} fz="sm" className="bl-fw-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Address</Table.Th>
              <Table.Th>Expected</Table.Th>
              <Table.Th>Actual</Table.Th>
              <Table.Th>Detail</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={`${row.address}-${row.expected}`} aria-label={hostPort(row.address, row.port)} data-ok={row.asExpected}>
                <Table.Td ff="monospace">
                  {hostPort(row.address, row.port)}
                  {row.network && (
                    <Text span size="xs" c="dimmed" ff="inherit">
                      {' '}
                      in {row.network}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{row.expected === 'blocked' ? 'blocked' : 'answers'}</Table.Td>
                <Table.Td>
                  {standing.current ? (
                    <Badge variant={row.asExpected ? 'light' : 'filled'} color={row.asExpected ? 'green' : 'red'}>
                      {row.reachable ? 'answers' : 'blocked'}
                    </Badge>
                  ) : (
                    <Badge variant="outline" color="gray">
                      {row.reachable ? 'answered then' : 'was blocked'}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td className="bl-fw-wrap" c={row.asExpected || !standing.current ? 'dimmed' : 'red'}>
                  {row.detail}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {untested.length > 0 && (
        <Text size="xs" c="dimmed" mt={2}>
          Not tested: {untested.join('; ')}.
        </Text>
      )}
    </Box>
  );
}

interface Props {
  plan: Plan;
  serverLabel: string;
  onPlan: (plan: Plan) => void;
  onClose: () => void;
}

/** A firewall plan's panel; plans of other kinds (netconsole targets) are shown by their own tab. */
export function PlanPanel(props: Props) {
  return props.plan.kind === 'firewall.block' ? <BlockPlanPanel {...props} plan={props.plan} /> : null;
}

/** One plan: the exact rules before anything runs, then the confirmation window, the verification and the outcome. */
function BlockPlanPanel({ plan, serverLabel, onPlan, onClose }: Props & { plan: FirewallBlockPlan }) {
  const queryClient = useQueryClient();
  const awaiting = plan.status === 'awaiting-confirmation';
  const expiring = plan.status === 'confirmed' && plan.detail.expiresAt !== null;
  const now = useNow(awaiting || expiring, awaiting ? 500 : 5000);
  const view = planViewState(plan, now);
  const apply = useInvoke('firewall.apply', (_input, output) => output.ticketId);
  const confirm = useInvoke('firewall.confirm', (_input, output) => output.ticketId);
  const check = useInvoke('firewall.check', (_input, output) => output.ticketId);
  const [notConfirming, setNotConfirming] = useState<string | null>(null);
  const checkedAtDeadline = useRef(new Set<string>());
  const checkedAtExpiry = useRef(new Set<string>());
  const refreshPlans = () => void queryClient.invalidateQueries({ queryKey: queryKeys.plans(plan.ticketId) });

  // When the window closes unconfirmed, ask the server once where the plan stands (the main side looks again too).
  const checkMutate = check.mutate;
  const { deadlinePassed } = view;
  useEffect(() => {
    if (!deadlinePassed || checkedAtDeadline.current.has(plan.id)) return;
    checkedAtDeadline.current.add(plan.id);
    checkMutate({ planId: plan.id }, { onSuccess: onPlan });
  }, [deadlinePassed, plan.id, checkMutate, onPlan]);

  // Past a confirmed block's expiry, ask the server once whether it lifted it: the plan then says expired.
  const pastExpiry = expiryPassed(plan, now);
  useEffect(() => {
    if (!pastExpiry || checkedAtExpiry.current.has(plan.id)) return;
    checkedAtExpiry.current.add(plan.id);
    checkMutate({ planId: plan.id }, { onSuccess: onPlan });
  }, [pastExpiry, plan.id, checkMutate, onPlan]);

  const applyError = apply.error ? toWireError(apply.error) : null;
  const confirmError = confirm.error ? toWireError(confirm.error) : null;
  const applying = apply.isPending || plan.status === 'applying';
  const summary = planSummary(plan);
  const rollbackTime = plan.rollbackAt ? formatTime(plan.rollbackAt) : null;
  const lastOf = (kind: Plan['log'][number]['kind']) => plan.log.findLast((line) => line.kind === kind)?.message;
  const confirmNotes = plan.status === 'confirmed' ? confirmationNotes(plan) : '';

  const doApply = () =>
    apply.mutate(
      { planId: plan.id },
      {
        onSuccess: (applied) => {
          onPlan(applied);
          // The new rules show in the server's table; unless the change cut the session the read needs.
          if (!connectionLost(applied)) void queryClient.invalidateQueries({ queryKey: queryKeys.firewallProbe(applied.serverId) });
        },
        onError: refreshPlans,
      },
    );
  const doConfirm = () => confirm.mutate({ planId: plan.id }, { onSuccess: onPlan, onError: refreshPlans });

  // Apply sits right above the script, so it is reached without scrolling past every command.
  const actions = (
    <Group justify="flex-end" gap="xs">
      {view.canApply && !applying ? (
        <>
          <Button variant="default" onClick={onClose}>
            Discard
          </Button>
          <Button color="orange" onClick={doApply}>
            Apply
          </Button>
        </>
      ) : (
        !awaiting &&
        !applying && (
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        )
      )}
    </Group>
  );

  return (
    <Paper withBorder p="xs" radius="sm" aria-label="Firewall plan" component="section" style={awaiting ? { borderColor: 'var(--mantine-color-orange-filled)', borderWidth: 2 } : undefined}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={0} miw={0}>
            <Group gap="xs" wrap="nowrap">
              <Badge color={statusColors[plan.status]} variant={plan.status === 'confirmed' ? 'filled' : 'light'}>
                {plan.status}
              </Badge>
              <Title order={4} lineClamp={2}>
                {plan.title}
              </Title>
            </Group>
            <Text size="xs" c="dimmed">
              Plan <Text span ff="monospace">{plan.id}</Text> on {serverLabel}, previewed {formatDateTime(plan.createdAt)}
            </Text>
          </Stack>
        </Group>

        {summary.length > 0 && (
          <Group gap="md" wrap="wrap">
            {summary.map((row) => (
              <Text key={row.label} size="xs">
                <Text span c="dimmed">
                  {row.label}:{' '}
                </Text>
                <Text span ff={row.label === 'Blocks' || row.label === 'Stays reachable' || row.label === 'Target' ? 'monospace' : undefined} fw={row.label === 'Blocks' ? 700 : undefined}>
                  {row.value}
                </Text>
              </Text>
            ))}
          </Group>
        )}

        {plan.warnings.length > 0 && (
          <Alert color="yellow" variant="light" p="xs" title="Warnings">
            <List size="sm" spacing={2}>
              {plan.warnings.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          </Alert>
        )}

        {applying && (
          <Alert color="blue" variant="light" p="xs" icon={<Loader size="xs" />} title="Applying">
            Dry run, saving the rules and arming the server-side rollback, applying atomically, then verifying from the server… Your confirmation window starts once this is done.
          </Alert>
        )}
        {applyError && !applying && plan.status !== 'awaiting-confirmation' && (
          <Alert color="red" variant="light" p="xs" title={applyError.message} role="alert">
            {applyError.hint ?? describeError(applyError)}
          </Alert>
        )}

        {view.phase === 'awaiting' && view.secondsLeft !== null && (
          <Paper p="xs" radius="sm" bg={`var(--mantine-color-${countdownColor(view.secondsLeft)}-light)`}>
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Text size="lg" fw={700} className="bl-fw-countdown" role="timer" c={`var(--mantine-color-${countdownColor(view.secondsLeft)}-light-color)`}>
                {view.countdown}
              </Text>
              {!view.deadlinePassed && notConfirming !== plan.id && (
                <Group gap="xs">
                  <Button color="green" onClick={doConfirm} loading={confirm.isPending}>
                    Confirm
                  </Button>
                  <Button variant="default" onClick={() => setNotConfirming(plan.id)} disabled={confirm.isPending}>
                    Let it roll back
                  </Button>
                </Group>
              )}
            </Group>
            {notConfirming === plan.id && !view.deadlinePassed && (
              <Text size="sm" mt={4}>
                Not confirming: at {rollbackTime} the server puts its saved rules back by itself.
              </Text>
            )}
          </Paper>
        )}

        {view.phase === 'cut-off' && (
          <Alert color="red" variant="filled" p="xs" title="The change cut your SSH session" role="alert">
            The server will restore its rules at {rollbackTime}
            {view.secondsLeft ? ` (in ${formatCountdown(view.secondsLeft)})` : ''}; Backline reconnects and reports.
          </Alert>
        )}

        {awaiting && view.deadlinePassed && (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm">Past the deadline: waiting for the server to report that it restored its rules…</Text>
            <Button variant="subtle" size="compact-xs" onClick={() => check.mutate({ planId: plan.id }, { onSuccess: onPlan })} loading={check.isPending}>
              Check now
            </Button>
          </Group>
        )}

        {confirmError && plan.status !== 'confirmed' && (
          <Alert color="red" variant="light" p="xs" title={confirmError.message} role="alert">
            {confirmError.hint}
          </Alert>
        )}

        {view.phase === 'rolled-back' && (
          <Alert color="orange" variant="light" p="xs" title="Rolled back by the server" role="status">
            {lastOf('rolled-back') ?? 'The server restored its saved rules.'} The block is no longer in place.
          </Alert>
        )}
        {view.phase === 'confirmed' && (
          <Alert color="green" variant="light" p="xs" title="Confirmed" role="status">
            The block stays in place{confirmNotes ? `: ${confirmNotes}` : ''}. It is recorded as a finding, visible in the{' '}
            <Anchor component="button" type="button" size="sm" onClick={() => navigate(workspaceRoute(plan.ticketId, 'findings'))}>
              Findings tab
            </Anchor>
            .
          </Alert>
        )}
        {view.phase === 'failed' && (
          <Alert color="red" variant="light" p="xs" title="Failed" role="alert">
            {lastOf('failed') ?? 'The plan failed.'}
          </Alert>
        )}
        {view.phase === 'ended' && (
          <Text size="sm" c="dimmed">
            {plan.status === 'removed' ? 'Its rules were removed from the server.' : `It expired. ${lastOf('expired') ?? 'The server lifted the rules.'}`}
          </Text>
        )}

        <Verification plan={plan} />

        {plan.log.length > 0 && (
          <Box>
            <Text size="xs" fw={600} c="dimmed">
              Log
            </Text>
            <PlanLog log={plan.log} label={`Log of plan ${plan.id}`} />
          </Box>
        )}

        {view.canApply && !applying && actions}
        <PlanSteps plan={plan} collapsed={plan.status !== 'previewed'} />
        {!(view.canApply && !applying) && actions}
      </Stack>
    </Paper>
  );
}
