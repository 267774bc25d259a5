import './netdump.css';
import { Alert, Anchor, Loader, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../../../shared/errors.js';
import { usePlans, useServers } from '../api/queries.js';
import { toWireError } from '../app/errors.js';
import { workspaceRoute } from '../app/route.js';
import { navigate } from '../app/useHashRoute.js';
import { FleetPanel } from './FleetPanel.js';
import { defaultTarget, netconsolePlans, senderLabelsOf } from './netdumpView.js';
import { useReceiverState } from './queries.js';
import { PanicsPanel } from './PanicsPanel.js';
import { ReceiverPanel } from './ReceiverPanel.js';
import { RemotePanel } from './RemotePanel.js';
import { ServerSetup } from './ServerSetup.js';
import { TargetForm, type TargetFields } from './TargetForm.js';

/**
 * Crash dumps over the network (story 1): a netconsole receiver here or on a server of the customer's
 * network, the customer's servers pointed at it as a previewed plan, the path proven with a marker before
 * the next crash, and the panic's whole trace on the ticket when it comes.
 */
export function NetdumpTab({ ticketId }: { ticketId: string }) {
  const servers = useServers(ticketId);
  const plans = usePlans(ticketId);
  const receiver = useReceiverState();
  const [edited, setTarget] = useState<TargetFields | null>(null);
  const target = edited ?? defaultTarget(netconsolePlans(plans.data), receiver.data?.port ?? null);
  const list = servers.data ?? [];
  const labels = senderLabelsOf(list, plans.data);

  if (servers.isPending) return <Loader size="sm" />;
  if (servers.error) return <Alert color="red">{describeError(toWireError(servers.error))}</Alert>;

  return (
    <Stack gap="sm">
      <PanicsPanel ticketId={ticketId} senderLabels={labels} />
      <ReceiverPanel senderLabels={labels} />
      {list.length === 0 ? (
        <Alert color="gray" variant="light" title="No servers on this ticket">
          <Text size="sm">
            Attach the customer’s servers to point them at the receiver.{' '}
            <Anchor component="button" type="button" size="sm" onClick={() => navigate(workspaceRoute(ticketId, 'servers'))}>
              Attach them in the Servers tab
            </Anchor>
            .
          </Text>
        </Alert>
      ) : (
        <>
          <TargetForm value={target} onChange={setTarget} />
          <ServerSetup ticketId={ticketId} servers={list} target={target} />
          <FleetPanel ticketId={ticketId} target={target} serverCount={list.length} />
          <RemotePanel ticketId={ticketId} servers={list} />
        </>
      )}
    </Stack>
  );
}
