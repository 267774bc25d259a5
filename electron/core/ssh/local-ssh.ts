import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { readKeyFile } from './key-file.js';
import type { LocalSsh } from './resolve-server.js';

export interface LocalSshOptions {
  home?: string;
  user?: string;
  /** SSH_AUTH_SOCK; `null` turns the agent off. */
  agentSocket?: string | null;
}

/** Looked at without opening: a FIFO or device there never blocks us. */
const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() === true;

/** ~/.ssh/config is read synchronously, so only when it is a regular file (a FIFO would freeze the app). */
const readConfig = (path: string): string => {
  try {
    return isFile(path) ? readFileSync(path, 'utf8') : '';
  } catch {
    return '';
  }
};

/** The engineer's own SSH setup: ~/.ssh/config, their keys and their agent, read fresh at every connect. */
export function localSsh(options: LocalSshOptions = {}): LocalSsh {
  const home = options.home ?? homedir();
  const agentSocket = options.agentSocket === null ? undefined : (options.agentSocket ?? process.env.SSH_AUTH_SOCK);
  return {
    env: { home, user: options.user ?? userInfo().username },
    agentSocket: agentSocket && existsSync(agentSocket) ? agentSocket : undefined,
    configText: () => readConfig(join(home, '.ssh', 'config')),
    isFile,
    readKeyFile: (path) => readKeyFile(path),
  };
}

/** The known_hosts files ssh itself reads. */
export const userKnownHostsFiles = (home: string): string[] => [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts'];
