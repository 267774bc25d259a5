import './firewall.css';
import { Alert, Anchor, Badge, Group, Loader, Paper, Select, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Plan } from '../../../shared/domain/plan.js';
import { describeError } from '../../../shared/errors.js';
import { useFirewallProbe, usePlans, useServers } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { connectionColors } from '../servers/server.js';
import { BlockForm } from './BlockForm.js';
import { useBlockPrefill } from './blockHandoff.js';
import { PlanHistory } from './PlanHistory.js';
import { PlanPanel } from './PlanPanel.js';
import { newerPlan, planInFlightOn } from './planView.js';
import { ProbePanel } from './ProbePanel.js';

const inFlight = (plan: Plan) => plan.status === 'awaiting-confirmation' || plan.status === 'applying';

/**
 * Outbound blocking on a customer server: read its firewall, pick the addresses to block (resolved on
 * the server), preview the exact rules, apply with a server-side rollback, verify, confirm.
 */
export function FirewallTab({ ticketId }: { ticketId: string }) {
  const servers = useServers(ticketId);
  const plans = usePlans(ticketId);
  const [pickedServer, setPickedServer] = useState<string | null>(null);
  // "Block this head" from the PHP tab: its server picked, the form filled in.
  const prefill = useBlockPrefill(ticketId, (p) => setPickedServer(String(p.serverId)));
  const [shown, setShown] = useState<Plan | null>(null);
  const planRef = useRef<HTMLDivElement>(null);
  const [scrollTo, setScrollTo] = useState<string | null>(null);

  const list = servers.data ?? [];
  const server = list.find((s) => String(s.id) === pickedServer) ?? list.find((s) => s.connection === 'connected') ?? list[0] ?? null;
  const connected = server?.connection === 'connected';
  const probe = useFirewallProbe(server?.id ?? null, connected);
  const labels = new Map(list.map((s) => [s.id, s.label]));

  // The plan on screen: the one previewed or picked here (in its newest copy), else one still in flight,
  // so leaving the tab and coming back never hides a confirmation window.
  const plan = newerPlan(shown, plans.data) ?? plans.data?.find(inFlight) ?? null;

  const showPlan = useCallback((next: Plan) => {
    setShown(next);
    setScrollTo(next.id);
  }, []);
  useEffect(() => {
    if (scrollTo === null) return;
    planRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [scrollTo]);

  if (servers.isPending) return <Loader size="sm" />;
  if (servers.error) return <Alert color="red">{describeError(toWireError(servers.error))}</Alert>;

  const toServers = (
    <Anchor component="button" type="button" size="sm" onClick={() => navigate(workspaceRoute(ticketId, 'servers'))}>
      Connect in the Servers tab
    </Anchor>
  );

  return (
    <Stack gap="sm">
      <Paper withBorder p="xs" radius="sm">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label="Server"
            placeholder={list.length === 0 ? 'No servers attached' : 'Pick a server'}
            w={280}
            data={list.map((s) => ({ value: String(s.id), label: s.connection === 'connected' ? s.label : `${s.label} (${s.connection})` }))}
            value={server ? String(server.id) : null}
            onChange={setPickedServer}
            allowDeselect={false}
            disabled={list.length === 0}
            searchable
          />
          {server && (
            <Badge mb={6} color={connectionColors[server.connection]} variant={connected ? 'filled' : 'light'}>
              {server.connection}
            </Badge>
          )}
          <Text size="xs" c="dimmed" mb={6} maw={560}>
            Blocks outbound traffic from the customer&apos;s server with iptables: previewed, tagged with {ticketId}, verified from the server, and
            rolled back by the server itself unless you confirm in time.
          </Text>
        </Group>
      </Paper>

      {list.length === 0 ? (
        <Alert color="gray" variant="light" title="No servers on this ticket">
          <Text size="sm">
            Attach the customer&apos;s server first.{' '}
            <Anchor component="button" type="button" size="sm" onClick={() => navigate(workspaceRoute(ticketId, 'servers'))}>
              Attach it in the Servers tab
            </Anchor>
            .
          </Text>
        </Alert>
      ) : server && server.connection === 'connecting' ? (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm">Connecting to {server.label}: firewall actions run over its SSH session…</Text>
        </Group>
      ) : server && !connected ? (
        <Alert color="blue" variant="light" title={server.connection === 'lost' ? `The connection to ${server.label} was lost` : `${server.label} is not connected`}>
          <Text size="sm">
            Firewall actions run over the server&apos;s SSH session, and need it connected. {toServers}.
          </Text>
        </Alert>
      ) : server ? (
        <>
          <ProbePanel
            server={server}
            ticketId={ticketId}
            probe={probe.data}
            error={probe.error}
            loading={probe.isFetching}
            onReload={() => void probe.refetch()}
          />
          <BlockForm
            key={`${server.id}:${prefill?.seq ?? 0}`}
            prefill={prefill?.serverId === server.id ? prefill : null}
            ticketId={ticketId}
            server={server}
            sessionPeer={probe.data?.sessionPeer ?? null}
            canApply={probe.data ? probe.data.canApply : true}
            busyPlan={planInFlightOn(server.id, plans.data)}
            onPreviewed={showPlan}
          />
        </>
      ) : null}

      {plan && (
        // Scrolled to below the app's fixed header, so the plan's title shows.
        <div ref={planRef} style={{ scrollMarginTop: 'calc(var(--app-shell-header-offset, 44px) + 8px)' }}>
          <PlanPanel key={plan.id} plan={plan} serverLabel={labels.get(plan.serverId) ?? `server ${plan.serverId}`} onPlan={setShown} onClose={() => setShown(null)} />
        </div>
      )}

      <PlanHistory plans={plans.data} error={plans.error} serverLabels={labels} activeId={plan?.id ?? null} onShow={showPlan} />
    </Stack>
  );
}
