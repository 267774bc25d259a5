import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js';
import type { ReportingStatus, SyncState } from '../../../shared/contract/reporting.js';
import { useClient } from '../app/ClientContext.js';
import type { Route } from '../app/route.js';
import type { BacklineClient } from './client.js';
import { isOlderSyncState } from '../reporting/syncOrder.js';

/** Query keys are [method, scope]: the live-update hook invalidates by method and ticket id. */
export const queryKeys = {
  tickets: () => ['tickets.list'] as const,
  ticket: (id: string) => ['tickets.get', id] as const,
  notes: (ticketId: string) => ['notes.list', ticketId] as const,
  noteVersions: (noteId: number) => ['notes.versions', noteId] as const,
  findings: (ticketId: string) => ['findings.list', ticketId] as const,
  audit: (ticketId: string) => ['audit.list', ticketId] as const,
  search: (text: string) => ['search.query', text] as const,
  servers: (ticketId: string) => ['servers.list', ticketId] as const,
  serverRoute: (serverId: number) => ['servers.resolve', serverId] as const,
  plans: (ticketId: string) => ['plans.list', ticketId] as const,
  /** The run history of a ticket (commands run from the Servers tab), one run with its output, and the typed commands ↑ walks. */
  runs: (ticketId: string) => ['runs.list', ticketId] as const,
  run: (runId: string) => ['runs.get', runId] as const,
  runCommands: () => ['runs.commands'] as const,
  /** A server's firewall as Backline reads it; scoped by server, so `firewallProbes()` covers every server. */
  firewallProbe: (serverId: number) => ['firewall.probe', serverId] as const,
  firewallProbes: () => ['firewall.probe'] as const,
  /** The reporting cache: config, freshness per source, and the sync (which 'reporting.sync' events update in place). */
  reportingStatus: () => ['reporting.status'] as const,
  reports: () => ['reports.list'] as const,
};

/** Whatever changed on a ticket, these are the views that may show it. */
export function invalidateTicket(queryClient: QueryClient, ticketId: string): void {
  void queryClient.invalidateQueries({ queryKey: queryKeys.tickets() });
  void queryClient.invalidateQueries({ queryKey: queryKeys.ticket(ticketId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.notes(ticketId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.findings(ticketId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.audit(ticketId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.servers(ticketId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.plans(ticketId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.runs(ticketId) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.runCommands() });
  void queryClient.invalidateQueries({ queryKey: ['search.query'] });
}

/** Meta flag for queries whose NOT_FOUND is a state the view renders, not an error to announce. */
export const quietNotFound = { quietNotFound: true } as const;

/** Which shell this is (desktop or browser) and where the data lives; fixed for the launch. */
export function useAppInfo() {
  const client = useClient();
  return useQuery({ queryKey: ['app.info'], queryFn: () => client.invoke('app.info', {}), staleTime: Infinity });
}

function ticketsQuery(client: BacklineClient) {
  return queryOptions({ queryKey: queryKeys.tickets(), queryFn: () => client.invoke('tickets.list', {}) });
}

export function useTickets() {
  const client = useClient();
  return useQuery(ticketsQuery(client));
}

function ticketQuery(client: BacklineClient, id: string) {
  return queryOptions({ queryKey: queryKeys.ticket(id), queryFn: () => client.invoke('tickets.get', { id }), meta: quietNotFound });
}

function notesQuery(client: BacklineClient, ticketId: string) {
  return queryOptions({ queryKey: queryKeys.notes(ticketId), queryFn: () => client.invoke('notes.list', { ticketId }) });
}

/**
 * One ticket. While its own call is under way, the row the ticket list already holds stands in for it
 * (placeholder: not cached, never shown as fresh), so a workspace opened from the list draws its header
 * and tabs at once; the call is still made and its answer replaces the row.
 */
export function useTicket(id: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useQuery({ ...ticketQuery(client, id), placeholderData: () => queryClient.getQueryData(ticketsQuery(client).queryKey)?.find((t) => t.id === id) });
}

export function useNotes(ticketId: string) {
  const client = useClient();
  return useQuery(notesQuery(client, ticketId));
}

/**
 * Starts the calls of the screen the window opens on before React has drawn anything (its views would
 * ask only once mounted, after the app's code has run and its first render is done).
 */
export function prefetchFirstScreen(queryClient: QueryClient, client: BacklineClient, route: Route): void {
  if (route.name === 'home') void queryClient.prefetchQuery(ticketsQuery(client));
  if (route.name === 'workspace') prefetchWorkspace(queryClient, client, route.ticketId, route.tab);
}

/**
 * Starts the calls a workspace's first screen needs, all at once, as soon as the route names it: the
 * ticket and, on the Notes tab, its notes (which would otherwise wait for the ticket, then for the tab
 * to mount). Fresh answers in the cache are not asked again.
 */
export function prefetchWorkspace(queryClient: QueryClient, client: BacklineClient, ticketId: string, tab: string): void {
  void queryClient.prefetchQuery(ticketQuery(client, ticketId));
  if (tab === 'notes') void queryClient.prefetchQuery(notesQuery(client, ticketId));
}

export function useNoteVersions(noteId: number | null) {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.noteVersions(noteId ?? 0),
    queryFn: () => client.invoke('notes.versions', { id: noteId ?? 0 }),
    enabled: noteId !== null,
  });
}

export function useFindings(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.findings(ticketId), queryFn: () => client.invoke('findings.list', { ticketId }) });
}

export function useAudit(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.audit(ticketId), queryFn: () => client.invoke('audit.list', { ticketId }) });
}

export function useSearch(text: string) {
  const client = useClient();
  const trimmed = text.trim();
  return useQuery({
    queryKey: queryKeys.search(trimmed),
    queryFn: () => client.invoke('search.query', { text: trimmed }),
    enabled: trimmed.length > 0,
    placeholderData: (previous) => previous,
  });
}

export function useServers(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.servers(ticketId), queryFn: () => client.invoke('servers.list', { ticketId }) });
}

/** The hop-by-hop route to a server after ~/.ssh/config; fetched only when asked for. */
export function useServerRoute(serverId: number, enabled: boolean) {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.serverRoute(serverId), queryFn: () => client.invoke('servers.resolve', { id: serverId }), enabled });
}

/** A ticket's plans (firewall changes...), newest first. */
export function usePlans(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.plans(ticketId), queryFn: () => client.invoke('plans.list', { ticketId }) });
}

/** A ticket's runs, newest first, without their output. */
export function useRuns(ticketId: string) {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.runs(ticketId), queryFn: () => client.invoke('runs.list', { ticketId }) });
}

/** One run with its output; a run still going is read again every second until it ends. */
export function useRun(runId: string | null) {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.run(runId ?? ''),
    queryFn: () => client.invoke('runs.get', { id: runId ?? '' }),
    enabled: runId !== null,
    staleTime: Infinity,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1000 : false),
  });
}

/** Commands typed before, newest first, each once (across tickets). */
export function useRunCommands() {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.runCommands(), queryFn: () => client.invoke('runs.commands', {}), staleTime: 60_000 });
}

/** A server's firewall (backend, managers in the way, Backline's rules): read over SSH, so only while connected. */
export function useFirewallProbe(serverId: number | null, enabled: boolean) {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.firewallProbe(serverId ?? 0),
    queryFn: () => client.invoke('firewall.probe', { serverId: serverId ?? 0 }),
    enabled: enabled && serverId !== null,
    staleTime: 15_000,
  });
}

/** How fresh the reporting cache is, read every minute (ages move on) and refreshed by sync events. */
export function useReportingStatus() {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.reportingStatus(), queryFn: () => client.invoke('reporting.status', {}), refetchInterval: 60_000 });
}

/** Puts a sync state (from an event or a call's answer) into the cached status, so progress shows at once. */
export function applySyncState(queryClient: QueryClient, sync: SyncState): void {
  queryClient.setQueryData<ReportingStatus>(queryKeys.reportingStatus(), (status) =>
    status && !isOlderSyncState(status.sync, sync) ? { ...status, sync } : status,
  );
  // A run that ended changed the freshness of its sources (and started ones may have a new attempt time).
  if (sync.state === 'idle') void queryClient.invalidateQueries({ queryKey: queryKeys.reportingStatus() });
}

/** Starting and cancelling the sync; their answer is the new sync state. */
export function useSyncControl() {
  const client = useClient();
  const queryClient = useQueryClient();
  const start = useMutation<SyncState, Error, { full: boolean }>({
    mutationFn: ({ full }) => client.invoke('reporting.sync', { full }),
    onSuccess: (sync) => applySyncState(queryClient, sync),
  });
  const cancel = useMutation<SyncState, Error, void>({
    mutationFn: () => client.invoke('reporting.cancelSync', {}),
    onSuccess: (sync) => applySyncState(queryClient, sync),
  });
  return { start, cancel };
}

/** Shipped and saved reports, and the report files that could not be read. */
export function useReports() {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.reports(), queryFn: () => client.invoke('reports.list', {}) });
}

/**
 * A mutation over one contract method that refreshes the ticket it touched. Errors are announced by
 * the MutationCache; forms also read `error` to show issues inline.
 */
export function useInvoke<K extends MethodName>(method: K, ticketIdOf: (input: MethodInput<K>, output: MethodOutput<K>) => string | null, options: { formShowsErrors?: boolean } = {}) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation<MethodOutput<K>, Error, MethodInput<K>>({
    mutationFn: (input) => client.invoke(method, input),
    meta: options.formShowsErrors ? { formShowsErrors: true } : undefined,
    onSuccess: (output, input) => {
      const ticketId = ticketIdOf(input, output);
      if (ticketId) invalidateTicket(queryClient, ticketId);
    },
  });
}
