import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import type { Server } from '../../../shared/domain/server.js';
import { queryKeys } from '../api/queries.js';
import { useClient } from '../app/ClientContext.js';
import { notifyError, toWireError } from '../app/errors.js';
import { connectProblem, type CredentialFields, type RecordedKey, type UnknownHostKey } from './connectErrors.js';

type ServerRef = Pick<Server, 'id' | 'label' | 'ticketId'>;

export type ConnectDialog =
  | { kind: 'unknown-host'; server: ServerRef; key: UnknownHostKey; message: string; hint: string | undefined }
  | { kind: 'key-type-changed'; server: ServerRef; key: UnknownHostKey; known: RecordedKey[]; message: string; hint: string | undefined }
  /** `refusals`: logins refused so far in this conversation; 0 is the first question, which just asks. */
  | { kind: 'auth'; server: ServerRef; message: string; hint: string | undefined; refusals: number; ask: CredentialFields };

/** A changed or revoked host key: shown loudly in the tab until dismissed; nothing offers to trust it. */
export interface HostKeyAlarm {
  serverId: number;
  label: string;
  message: string;
  hint: string | undefined;
}

export interface ConnectFlow {
  connect: (server: ServerRef, secrets?: { password?: string; passphrase?: string }, remember?: boolean) => Promise<void>;
  /** Trusts the unknown key the dialog shows, then connects again. */
  trust: (dialog: ConnectDialog) => Promise<void>;
  /** The explicit override for a key of a type not on record for its host: accepts it, then connects again. */
  acceptKeyTypeChange: (dialog: ConnectDialog) => Promise<void>;
  cancel: () => void;
  dismissAlarm: (serverId: number) => void;
  dialog: ConnectDialog | null;
  alarms: readonly HostKeyAlarm[];
  /** Servers with a connect (or trust) request in flight. */
  busy: ReadonlySet<number>;
}

/**
 * Connecting, as a conversation: an unknown host key asks to be trusted (once per hop of a ProxyJump
 * chain, so trusting loops back into connecting), a key of a type not on record for the host is shown
 * loudly with the keys on record and can only be accepted by an explicit override, a server that wants a
 * password just asks for it (and says "refused" only once something typed was refused), and a changed key
 * raises an alarm. Any other failure is announced, and stays on the server's row (its last error). Errors go through here, not the global mutation handler.
 */
export function useConnectFlow(): ConnectFlow {
  const client = useClient();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<ConnectDialog | null>(null);
  const [alarms, setAlarms] = useState<HostKeyAlarm[]>([]);
  const [busy, setBusy] = useState<ReadonlySet<number>>(new Set());

  const setBusyFor = useCallback((id: number, on: boolean) => {
    setBusy((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  const connect = useCallback(
    async (server: ServerRef, secrets: { password?: string; passphrase?: string } = {}, remember = false) => {
      setBusyFor(server.id, true);
      try {
        await client.invoke('servers.connect', { id: server.id, secrets, remember });
        setDialog((d) => (d?.server.id === server.id ? null : d));
        setAlarms((a) => a.filter((x) => x.serverId !== server.id));
      } catch (error) {
        const wire = toWireError(error);
        const problem = connectProblem(wire);
        switch (problem.kind) {
          case 'unknown-host':
            setDialog({ kind: 'unknown-host', server, key: problem.key, message: problem.message, hint: problem.hint });
            break;
          case 'key-type-changed':
            setDialog({ kind: 'key-type-changed', server, key: problem.key, known: problem.known, message: problem.message, hint: problem.hint });
            break;
          case 'auth':
            setDialog((d) => {
              const before = d?.kind === 'auth' && d.server.id === server.id ? d.refusals : 0;
              return { kind: 'auth', server, message: problem.message, hint: problem.hint, refusals: problem.refused ? before + 1 : before, ask: problem.ask };
            });
            break;
          case 'key-changed':
            setDialog(null);
            setAlarms((a) => [...a.filter((x) => x.serverId !== server.id), { serverId: server.id, label: server.label, message: problem.message, hint: problem.hint }]);
            break;
          case 'notify':
            setDialog(null);
            notifyError(error, `Could not connect to ${server.label}`);
        }
      } finally {
        setBusyFor(server.id, false);
        void queryClient.invalidateQueries({ queryKey: queryKeys.servers(server.ticketId) });
      }
    },
    [client, queryClient, setBusyFor],
  );

  const accept = useCallback(
    async (server: ServerRef, key: UnknownHostKey, acceptKeyTypeChange: boolean) => {
      setBusyFor(server.id, true);
      try {
        await client.invoke('servers.trustHostKey', { id: server.id, host: key.host, port: key.port, fingerprint: key.fingerprint, acceptKeyTypeChange });
      } catch (error) {
        setBusyFor(server.id, false);
        setDialog(null);
        notifyError(error, `Could not trust the host key of ${key.label}`);
        return;
      }
      // The next hop of a ProxyJump chain may present its own unknown key: connect() opens the dialog again.
      await connect(server);
    },
    [client, connect, setBusyFor],
  );

  return {
    connect,
    trust: (current) => (current.kind === 'unknown-host' ? accept(current.server, current.key, false) : Promise.resolve()),
    acceptKeyTypeChange: (current) => (current.kind === 'key-type-changed' ? accept(current.server, current.key, true) : Promise.resolve()),
    cancel: () => setDialog(null),
    dismissAlarm: (serverId) => setAlarms((a) => a.filter((x) => x.serverId !== serverId)),
    dialog,
    alarms,
    busy,
  };
}
