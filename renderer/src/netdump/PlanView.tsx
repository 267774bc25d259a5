import { Alert, Anchor, Badge, Box, Button, Group, List, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { Verification } from '../../../shared/contract/netdump.js';
import type { NetconsoleTargetPlan } from '../../../shared/domain/plan.js';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { workspaceRoute } from '../app/route.js';
import { useFormAction } from '../app/useFormAction.js';
import { navigate } from '../app/useHashRoute.js';
import { PlanLog } from '../firewall/PlanLog.js';
import { PlanSteps } from '../firewall/PlanSteps.js';
import { statusColors } from '../firewall/planView.js';
import { isInPlace, verificationView } from './netdumpView.js';

/** A verification: the marker, where it was waited for, and the verdict with the evidence it rests on. */
export function VerificationView({ verification, ticketId }: { verification: Pick<Verification, 'ok' | 'verdict' | 'message' | 'at' | 'marker' | 'level' | 'evidence'> & { receiver?: string }; ticketId: string }) {
  const view = verificationView(verification);
  return (
    <Box component="section" aria-label="Verification">
      <Group gap="xs" mb={2}>
        <Text size="sm" fw={600}>
          Verification
        </Text>
        <Badge color={view.color} variant={verification.ok ? 'filled' : 'light'}>
          {view.badge}
        </Badge>
        <Text size="xs" c="dimmed">
          {formatDateTime(verification.at)}
        </Text>
      </Group>
      <Text size="sm" c={verification.ok ? undefined : 'red'}>
        {view.text}
      </Text>
      <Text size="xs" c="dimmed">
        Marker{' '}
        <Text span ff="monospace" size="xs">
          {verification.marker}
        </Text>{' '}
        written to /dev/kmsg at level {verification.level}
        {verification.receiver ? `, waited for at ${verification.receiver}` : ''}.
        {verification.ok && (
          <>
            {' '}
            Recorded in the{' '}
            <Anchor component="button" type="button" size="xs" onClick={() => navigate(workspaceRoute(ticketId, 'findings'))}>
              Findings tab
            </Anchor>
            .
          </>
        )}
      </Text>
      {verification.evidence.length > 0 && (
        <details className="bl-fw-more" open={!verification.ok}>
          <summary>Evidence ({verification.evidence.length} lines)</summary>
          <pre className="bl-fw-code">{verification.evidence.join('\n')}</pre>
        </details>
      )}
    </Box>
  );
}

/** One netconsole plan: its exact steps before anything runs, then apply, verify, remove, and what happened. */
export function PlanView({ plan, serverLabel, onPlan }: { plan: NetconsoleTargetPlan; serverLabel: string; onPlan: (plan: NetconsoleTargetPlan) => void }) {
  const apply = useFormAction('netdump.apply');
  const remove = useFormAction('netdump.remove');
  const verify = useFormAction('netdump.verify');
  const [verified, setVerified] = useState<Verification | null>(null);
  const { detail } = plan;
  const inPlace = isInPlace(plan);
  const shownVerification = verified && verified.planId === plan.id ? verified : detail.verification;
  const failure = [apply.error, remove.error, verify.error].find((e) => e !== null) ?? null;
  const wire = failure ? toWireError(failure) : null;
  const asPlan = (next: unknown) => {
    if (next && typeof next === 'object' && 'kind' in next && next.kind === 'netconsole.target') onPlan(next as NetconsoleTargetPlan);
  };

  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label="Netconsole plan">
      <Stack gap="xs">
        <Stack gap={0}>
          <Group gap="xs" wrap="nowrap">
            <Badge color={statusColors[plan.status]} variant={plan.status === 'confirmed' ? 'filled' : 'light'}>
              {plan.status === 'confirmed' ? 'applied' : plan.status}
            </Badge>
            <Title order={5} lineClamp={2}>
              {plan.title}
            </Title>
          </Group>
          <Text size="xs" c="dimmed">
            Plan{' '}
            <Text span ff="monospace" size="xs">
              {plan.id}
            </Text>{' '}
            on {serverLabel}, previewed {formatDateTime(plan.createdAt)}: target{' '}
            <Text span ff="monospace" size="xs">
              {detail.target}
            </Text>
            , {detail.devName} ({detail.driver ?? 'driver unknown'}) {detail.localIp} → {detail.remoteIp}:{detail.remotePort} via {detail.remoteMac}
            {detail.gateway ? ` (gateway ${detail.gateway})` : ' (on the link)'}, {detail.extended ? 'extended format' : 'plain format'}, {detail.persist ? 'kept across reboot' : 'until the next reboot'}.
          </Text>
        </Stack>

        {plan.warnings.length > 0 && (
          <Alert color="yellow" variant="light" p="xs" title="Warnings">
            <List size="sm" spacing={2}>
              {plan.warnings.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          </Alert>
        )}

        {wire && (
          <Alert color="red" variant="light" p="xs" title={wire.message} role="alert">
            {wire.hint ?? describeError(wire)}
          </Alert>
        )}
        {detail.setup && detail.setup.kernelSaid.length > 0 && (
          <Text size="xs">
            <Text span c="dimmed" size="xs">
              The kernel said:{' '}
            </Text>
            <Text span ff="monospace" size="xs">
              {detail.setup.kernelSaid.join(' / ')}
            </Text>
          </Text>
        )}

        {verify.isPending && (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm">Writing a marker to /dev/kmsg on {serverLabel} and waiting for it at the receiver…</Text>
          </Group>
        )}
        {shownVerification && !verify.isPending && <VerificationView verification={shownVerification} ticketId={plan.ticketId} />}

        <Group gap="xs">
          {plan.status === 'previewed' && (
            <Button color="orange" size="xs" loading={apply.isPending} onClick={() => void apply.run({ planId: plan.id }).then(asPlan)}>
              Apply
            </Button>
          )}
          {inPlace && (
            <>
              <Button
                size="xs"
                loading={verify.isPending}
                onClick={() =>
                  void verify.run({ planId: plan.id }).then((v) => {
                    if (v) setVerified(v);
                  })
                }
              >
                Verify now
              </Button>
              <Button size="xs" variant="default" color="red" loading={remove.isPending} disabled={verify.isPending} onClick={() => void remove.run({ planId: plan.id }).then(asPlan)}>
                Remove
              </Button>
            </>
          )}
        </Group>

        {plan.log.length > 0 && <PlanLog log={plan.log} label={`Log of plan ${plan.id}`} />}
        <PlanSteps plan={plan} collapsed={plan.status !== 'previewed'} />
      </Stack>
    </Paper>
  );
}
