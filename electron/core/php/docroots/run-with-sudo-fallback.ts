import type { StoredServer } from '../../store/servers-repo.js';
import type { RemoteRequest, RemoteResult, RemoteRunner } from '../../ssh/remote.js';

/**
 * A read-only script that reads more with root: run under sudo unless Backline logs in as root; where
 * sudo is refused (it asks for a password, or the user may not), run it again without, and say so.
 */
export async function runPreferringSudo(
  remote: RemoteRunner,
  request: Omit<RemoteRequest, 'sudo'>,
): Promise<{ result: RemoteResult; statement: string | null }> {
  const first = await remote.run({ ...request, sudo: 'unless-root' });
  const code = first.error?.code;
  if (code !== 'SUDO_NEEDS_PASSWORD' && code !== 'SUDO_FAILED') return { result: first, statement: null };
  const second = await remote.run({ ...request, sudo: false });
  const who = describeUser(request.server);
  return { result: second, statement: `No sudo on ${request.server.label} (${first.error!.message.replace(/\.$/, '')}): this ran as ${who} without it, and saw only what ${who} may read.` };
}

function describeUser(server: StoredServer): string {
  return server.user ? server.user : 'the login user';
}
