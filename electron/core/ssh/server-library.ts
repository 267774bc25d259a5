import { hostPort } from '../../../shared/domain/address.js';
import { hostSchema, type LibraryEntry } from '../../../shared/domain/server.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { hostEntries, resolveChain, type ParsedSshConfig } from './ssh-config.js';
import type { SshDeps } from './ssh-deps.js';

type Settings = Pick<StoredServer, 'host' | 'port' | 'user' | 'auth' | 'keyFile' | 'jump'>;

const settingsKey = (s: Settings) => JSON.stringify([s.host, s.port, s.user, s.auth, s.keyFile, s.jump]);

/** Attached by name alone: every other setting is left to ~/.ssh/config. */
const byNameOnly = (s: Settings) => s.port === null && s.user === null && s.auth === 'auto' && s.keyFile === null && s.jump === null;

/** How many Host entries are resolved for one answer; a config longer than this offers its first ones. */
const MAX_CONFIG_HOSTS = 2000;

export interface LibraryQuery {
  ticketId: string;
  query: string;
  limit: number;
}

/**
 * The host library, so the same customer server is never typed in twice: servers attached to other
 * tickets (each set of settings once, with every ticket it is on, the most recently attached first),
 * then the Host entries of ~/.ssh/config that name hosts literally, with where they lead. What is already
 * attached to this ticket is left out; `query` matches names, addresses, users, jump hosts and ticket ids.
 */
export function serverLibrary(ws: Workspace, ssh: SshDeps, { ticketId, query, limit }: LibraryQuery): LibraryEntry[] {
  ws.tickets.get(ticketId);
  const here = new Set(ws.servers.listForTicket(ticketId).map(settingsKey));
  const needle = query.trim().toLowerCase();
  const matches = (...texts: (string | null | undefined)[]) => needle === '' || texts.some((text) => text?.toLowerCase().includes(needle));

  const attached = new Map<string, LibraryEntry>();
  for (const server of ws.servers.listElsewhere(ticketId)) {
    const key = settingsKey(server);
    if (here.has(key)) continue;
    const known = attached.get(key);
    if (known) {
      if (!known.tickets.includes(server.ticketId)) known.tickets.push(server.ticketId);
      continue;
    }
    attached.set(key, {
      source: 'ticket',
      label: server.label,
      host: server.host,
      port: server.port,
      user: server.user,
      auth: server.auth,
      keyFile: server.keyFile,
      jump: server.jump,
      tickets: [server.ticketId],
      lastAttachedAt: server.createdAt,
      configAt: null,
      otherNames: [],
      resolved: null,
    });
  }
  const fromTickets = [...attached.values()].filter((e) => matches(e.label, e.host, e.user, e.jump, ...e.tickets));

  // A host attached elsewhere by its alias alone is the same entry as its Host line: offered once.
  const aliasesOffered = new Set([...attached.values()].filter(byNameOnly).map((e) => e.host));
  const fromConfig: LibraryEntry[] = [];
  const config = readConfig(ssh);
  for (const host of config ? hostEntries(config).slice(0, MAX_CONFIG_HOSTS) : []) {
    const entry: Settings = { host: host.alias, port: null, user: null, auth: 'auto', keyFile: null, jump: null };
    // Only names servers.add takes (no `my_box`): picking one never ends in a form error.
    if (here.has(settingsKey(entry)) || aliasesOffered.has(host.alias) || !hostSchema.safeParse(host.alias).success) continue;
    const resolved = config ? resolvedTarget(config, host.alias, ssh) : null;
    if (!matches(host.alias, ...host.otherNames, resolved?.target)) continue;
    fromConfig.push({ source: 'ssh-config', label: host.alias, ...entry, tickets: [], lastAttachedAt: null, configAt: host.at, otherNames: host.otherNames, resolved });
  }
  return [...fromTickets, ...fromConfig].slice(0, limit);
}

/** ~/.ssh/config, or nothing to offer from it when ssh would refuse it (the route of a server says why). */
function readConfig(ssh: SshDeps): ParsedSshConfig | undefined {
  try {
    return ssh.local.config();
  } catch {
    return undefined;
  }
}

function resolvedTarget(config: ParsedSshConfig, alias: string, ssh: SshDeps): LibraryEntry['resolved'] {
  try {
    const chain = resolveChain(config, alias, ssh.local.env);
    const target = chain.at(-1)!;
    return { target: `${target.user}@${hostPort(target.hostName, target.port)}`, via: chain.slice(0, -1).map((hop) => hop.alias) };
  } catch {
    return null;
  }
}
