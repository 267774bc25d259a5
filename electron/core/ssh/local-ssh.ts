import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { readKeyFile } from './key-file.js';
import type { LocalSsh } from './resolve-server.js';
import { parseSshConfig, type ConfigNote, type ConfigReader, type ParsedSshConfig } from './ssh-config.js';

export interface LocalSshOptions {
  home?: string;
  user?: string;
  /** SSH_AUTH_SOCK; `null` turns the agent off. */
  agentSocket?: string | null;
}

/** Looked at without opening: a FIFO or device there never blocks us. */
const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() === true;

/** A config file larger than this is not a config file (OpenSSH reads line by line; we read whole files). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * ssh config files (~/.ssh/config and what it Includes) are read synchronously, so only regular files:
 * a FIFO would freeze the app, a device would never end. Missing is undefined (ssh skips it too); anything
 * else that cannot be read throws, saying why, and becomes a note on the route.
 */
export function readConfigFile(path: string): string | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (stat.isDirectory()) throw new Error('it is a directory');
  if (!stat.isFile()) throw new Error('it is not a regular file');
  if (stat.size > MAX_CONFIG_BYTES) throw new Error(`it is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new Error(code === 'EACCES' ? 'permission denied' : (error as Error).message);
  }
}

/** Names in a directory, for Include patterns; undefined when it is not a directory that can be listed (glob skips those too). */
function listDir(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

export const fileReader: ConfigReader = { readFile: readConfigFile, listDir };

/** ~/.ssh/config with everything it Includes; a config that cannot be read is a note, and resolving goes on without it. */
export function readUserConfig(home: string, reader: ConfigReader = fileReader): ParsedSshConfig {
  const file = '~/.ssh/config';
  let text: string | undefined;
  const notes: ConfigNote[] = [];
  try {
    text = reader.readFile(join(home, '.ssh', 'config'));
  } catch (error) {
    notes.push({ kind: 'skipped', at: file, message: `could not be read (${(error as Error).message}); resolved without it, where ssh would refuse to start` });
  }
  const parsed = parseSshConfig(text ?? '', { home, reader, file });
  return { ...parsed, notes: [...notes, ...parsed.notes] };
}

/** The engineer's own SSH setup: ~/.ssh/config, their keys and their agent, read fresh at every connect. */
export function localSsh(options: LocalSshOptions = {}): LocalSsh {
  const home = options.home ?? homedir();
  const agentSocket = options.agentSocket === null ? undefined : (options.agentSocket ?? process.env.SSH_AUTH_SOCK);
  return {
    env: { home, user: options.user ?? userInfo().username },
    agentSocket: agentSocket && existsSync(agentSocket) ? agentSocket : undefined,
    config: () => readUserConfig(home),
    isFile,
    readKeyFile: (path) => readKeyFile(path),
  };
}

/** The known_hosts files ssh itself reads. */
export const userKnownHostsFiles = (home: string): string[] => [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts'];
