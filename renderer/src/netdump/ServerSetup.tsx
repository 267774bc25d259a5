import { Alert, Anchor, Badge, Box, Button, Group, Loader, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Preflight } from '../../../shared/contract/netdump.js';
import type { NetconsoleTargetPlan } from '../../../shared/domain/plan.js';
import type { Server } from '../../../shared/domain/server.js';
import { describeError } from '../../../shared/errors.js';
import { queryKeys, usePlans } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { workspaceRoute } from '../app/route.js';
import { useFormAction } from '../app/useFormAction.js';
import { navigate } from '../app/useHashRoute.js';
import { connectionColors } from '../servers/server.js';
import { checkColors, checkMarks, currentPlanFor, netconsolePlans, orderedChecks, preflightVerdict } from './netdumpView.js';
import { PlanView } from './PlanView.js';
import type { TargetFields } from './TargetForm.js';
import { netdumpKeys } from './queries.js';

/** The preflight as plain statements: what is wrong and what to do first, then what is fine. */
export function PreflightView({ preflight, serverLabel }: { preflight: Preflight; serverLabel: string }) {
  const verdict = preflightVerdict(preflight.canApply, preflight.checks);
  return (
    <Box component="section" aria-label="Preflight">
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={600}>
          Preflight of {serverLabel} for {preflight.target.address}:{preflight.target.port}
        </Text>
        <Text size="xs" c="dimmed">
          {formatDateTime(preflight.at)}
          {preflight.kernelRelease ? `, kernel ${preflight.kernelRelease}` : ''}
        </Text>
      </Group>
      <Alert color={verdict.color} variant="light" p={6} mb={6}>
        <Text size="sm">{verdict.text}</Text>
      </Alert>
      <ul className="bl-nd-checks" aria-label="Preflight checks">
        {orderedChecks(preflight.checks).map((check) => (
          <li key={check.id} data-status={check.status}>
            <Badge size="sm" color={checkColors[check.status]} variant={check.status === 'problem' ? 'filled' : 'light'} w={28} px={0} aria-label={check.status}>
              {checkMarks[check.status]}
            </Badge>
            <div>
              <Text size="sm">
                <Text span fw={600} size="sm">
                  {check.label}
                  {check.weight === 'secondary' ? ' (secondary)' : ''}:
                </Text>{' '}
                {check.statement}
              </Text>
              {check.action && (
                <Text size="sm" c={check.status === 'problem' ? 'red' : 'dimmed'}>
                  → {check.action}
                </Text>
              )}
            </div>
          </li>
        ))}
      </ul>
      {preflight.unparsed.length > 0 && (
        <details className="bl-fw-more">
          <summary>Lines of the server’s answer Backline did not understand ({preflight.unparsed.length})</summary>
          <pre className="bl-fw-code">{preflight.unparsed.join('\n')}</pre>
        </details>
      )}
    </Box>
  );
}

interface Props {
  ticketId: string;
  servers: readonly Server[];
  target: TargetFields;
}

/** One server at a time: read it (preflight), preview the exact configfs steps, apply, verify, remove. */
export function ServerSetup({ ticketId, servers, target }: Props) {
  const queryClient = useQueryClient();
  const plans = usePlans(ticketId);
  const [picked, setPicked] = useState<string | null>(null);
  const [preflights, setPreflights] = useState<ReadonlyMap<number, Preflight>>(new Map());
  const [shown, setShown] = useState<NetconsoleTargetPlan | null>(null);
  const preflight = useFormAction('netdump.preflight');
  const preview = useFormAction('netdump.preview');

  const server = servers.find((s) => String(s.id) === picked) ?? servers.find((s) => s.connection === 'connected') ?? servers[0] ?? null;
  const connected = server?.connection === 'connected';
  const own = netconsolePlans(plans.data);
  const fromList = server ? currentPlanFor(server.id, own) : null;
  // The newest copy of the plan previewed here, else the one that stands for the server.
  const listed = shown ? own.find((p) => p.id === shown.id) : undefined;
  const fresh = shown && shown.serverId === server?.id ? (listed && Date.parse(listed.updatedAt) >= Date.parse(shown.updatedAt) ? listed : shown) : null;
  const plan = fresh ?? fromList;
  const shownPreflight = server ? (preflights.get(server.id) ?? null) : null;
  const error = preflight.error ?? preview.error;
  const wire = error ? toWireError(error) : null;
  const fieldError = wire?.issues?.some((i) => i.path.startsWith('target')) ?? false;

  const onPlan = (next: NetconsoleTargetPlan) => {
    setShown(next);
    void queryClient.invalidateQueries({ queryKey: queryKeys.plans(ticketId) });
    void queryClient.invalidateQueries({ queryKey: netdumpKeys.fleet(ticketId) });
  };

  if (!server) return null;
  const input = { serverId: server.id, target: { address: target.address, port: target.port } };

  return (
    <Paper withBorder p="xs" radius="sm" component="section" aria-label="Server setup">
      <Stack gap="xs">
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Title order={4} mb={4}>
            Set up a server
          </Title>
          <Select
            label="Server"
            size="xs"
            w={240}
            data={servers.map((s) => ({ value: String(s.id), label: s.connection === 'connected' ? s.label : `${s.label} (${s.connection})` }))}
            value={String(server.id)}
            onChange={setPicked}
            allowDeselect={false}
            searchable
          />
          <Badge mb={6} color={connectionColors[server.connection]} variant={connected ? 'filled' : 'light'}>
            {server.connection}
          </Badge>
          <Button
            size="xs"
            variant="default"
            disabled={!connected}
            loading={preflight.isPending}
            onClick={() =>
              void preflight.run(input).then((result) => {
                if (result) setPreflights((all) => new Map(all).set(result.serverId, result));
              })
            }
          >
            Preflight
          </Button>
          <Button
            size="xs"
            disabled={!connected}
            loading={preview.isPending}
            onClick={() =>
              void preview.run({ ...input, ticketId, persist: target.persist }).then((result) => {
                if (result?.kind === 'netconsole.target') onPlan(result);
              })
            }
          >
            Preview plan
          </Button>
        </Group>
        {!connected && (
          <Text size="sm" c="dimmed">
            {server.label} is {server.connection}: preflight and setup run over its SSH session.{' '}
            <Anchor component="button" type="button" size="sm" onClick={() => navigate(workspaceRoute(ticketId, 'servers'))}>
              Connect in the Servers tab
            </Anchor>
            .
          </Text>
        )}
        {(preflight.isPending || preview.isPending) && (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm">Reading {server.label}: netconsole, configfs, the route to the receiver, the next hop, the driver, the console level…</Text>
          </Group>
        )}
        {wire && (
          <Alert color="red" variant="light" p="xs" title={wire.message} role="alert">
            {fieldError ? describeError(wire) : (wire.hint ?? describeError(wire))}
          </Alert>
        )}
        {shownPreflight && <PreflightView preflight={shownPreflight} serverLabel={server.label} />}
        {plan && <PlanView key={plan.id} plan={plan} serverLabel={server.label} onPlan={onPlan} />}
      </Stack>
    </Paper>
  );
}
