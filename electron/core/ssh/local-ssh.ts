import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { LocalSsh } from './resolve-server.js';

export interface LocalSshOptions {
  home?: string;
  user?: string;
  /** SSH_AUTH_SOCK; `null` turns the agent off. */
  agentSocket?: string | null;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The engineer's own SSH setup: ~/.ssh/config, their keys and their agent, read fresh at every connect. */
export function localSsh(options: LocalSshOptions = {}): LocalSsh {
  const home = options.home ?? homedir();
  const agentSocket = options.agentSocket === null ? undefined : (options.agentSocket ?? process.env.SSH_AUTH_SOCK);
  return {
    env: { home, user: options.user ?? userInfo().username },
    agentSocket: agentSocket && existsSync(agentSocket) ? agentSocket : undefined,
    configText: () => readText(join(home, '.ssh', 'config')) ?? '',
    readText,
  };
}

/** The known_hosts files ssh itself reads. */
export const userKnownHostsFiles = (home: string): string[] => [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts'];
