import { useQuery } from '@tanstack/react-query';
import { useClient } from '../app/ClientContext.js';

/** Netdump's query keys: [method, scope], so the live updates can mark them stale by method. */
export const netdumpKeys = {
  receiver: () => ['netdump.receiver.state'] as const,
  captures: () => ['netdump.captures.list'] as const,
  messages: (captureId: number) => ['netdump.captures.messages', captureId] as const,
  panics: (ticketId: string) => ['netdump.panics.list', ticketId] as const,
  allPanics: () => ['netdump.panics.list'] as const,
  fleet: (ticketId: string) => ['netdump.fleet.status', ticketId] as const,
  remotes: (ticketId: string) => ['netdump.remote.list', ticketId] as const,
};

/** The local receiver's state; the `netdump.receiver` event puts changes straight into it. */
export function useReceiverState() {
  const client = useClient();
  return useQuery({ queryKey: netdumpKeys.receiver(), queryFn: () => client.invoke('netdump.receiver.state', {}) });
}

/** Every capture file in the index; read again a few times a second at most while messages arrive (see useNetdumpEvents). */
export function useCaptures() {
  const client = useClient();
  return useQuery({ queryKey: netdumpKeys.captures(), queryFn: () => client.invoke('netdump.captures.list', {}) });
}

/** A ticket's panics, newest first. */
export function usePanics(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: netdumpKeys.panics(ticketId), queryFn: () => client.invoke('netdump.panics.list', { ticketId }) });
}

/** Each of a ticket's servers as far as netconsole goes. */
export function useFleet(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: netdumpKeys.fleet(ticketId), queryFn: () => client.invoke('netdump.fleet.status', { ticketId }) });
}
