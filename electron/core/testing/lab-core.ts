import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { readLab, type Lab } from '../../../e2e/lab/lab.js';
import type { WireResult } from '../../../shared/bridge.js';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js';
import type { WireError } from '../../../shared/errors.js';
import { createCore, type Core } from '../core.js';
import { tempDir } from './temp-dir.js';

export interface LabCoreOptions {
  /** The engineer's home (its ~/.ssh is what Backline reads). */
  home: string;
  dataDir?: string;
  keepaliveIntervalS?: number;
  connectTimeoutMs?: number;
  agentSocket?: string;
}

/** A real core for lab tests, driven through its contract dispatch as a window would. */
export function labCore(options: LabCoreOptions) {
  const dir = tempDir();
  const dataDir = options.dataDir ?? dir.path;
  const core: Core = createCore({
    dataDir,
    shell: 'browser',
    version: 'lab',
    log: () => undefined,
    ssh: {
      home: options.home,
      user: 'engineer',
      agentSocket: options.agentSocket ?? null,
      connectTimeoutMs: options.connectTimeoutMs ?? 8000,
      keepaliveIntervalS: options.keepaliveIntervalS ?? 15,
      keepaliveCountMax: 2,
    },
  });
  const raw = (method: string, input: unknown): Promise<WireResult> => core.dispatch(method, input, { shell: 'browser' });
  const call = async <K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> => {
    const result = await raw(method, input);
    if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.code} ${result.error.message}`), { wire: result.error });
    return result.value as MethodOutput<K>;
  };
  const failure = async (method: string, input: unknown): Promise<WireError> => {
    const result = await raw(method, input);
    if (result.ok) throw new Error(`${method} succeeded, but a failure was expected`);
    return result.error;
  };
  const close = () => {
    core.close();
    dir.remove();
  };
  return { core, call, raw, failure, dataDir, close };
}

export type LabApp = ReturnType<typeof labCore>;

/** Connects, trusting every host key on the way the first time it is asked (as an engineer would after comparing). */
export async function connectTrusting(app: LabApp, serverId: number, secrets: { password?: string; passphrase?: string } = {}) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const result = await app.raw('servers.connect', { id: serverId, secrets });
    if (result.ok) return result.value as MethodOutput<'servers.connect'>;
    if (result.error.code !== 'SSH_HOST_UNKNOWN') throw new Error(`${result.error.code}: ${result.error.message}`);
    const detail = result.error.detail as { host: string; port: number; fingerprint: string };
    await app.call('servers.trustHostKey', { id: serverId, host: detail.host, port: detail.port, fingerprint: detail.fingerprint });
  }
  throw new Error('too many host keys to trust');
}

/** What a test file's beforeAll set, read in a test: refused (saying who) before the hook has run. */
export function setByHooks<T>(value: T | undefined, suite: string): T {
  if (value === undefined) throw new Error(`${suite}: used outside a test`);
  return value;
}

/**
 * A lab test file's surroundings, set up by vitest hooks: the lab's description, an engineer's home
 * with an empty ~/.ssh, and the cores its tests open, each closed after its test.
 */
export function labSuite(prefix = 'backline-home-') {
  let home: ReturnType<typeof tempDir> | undefined;
  let lab: Lab | undefined;
  const apps: LabApp[] = [];
  beforeAll(() => {
    lab = readLab();
    home = tempDir(prefix);
    mkdirSync(join(home.path, '.ssh'), { mode: 0o700 });
  });
  afterEach(() => {
    for (const app of apps.splice(0)) app.close();
  });
  afterAll(() => home?.remove());
  const ready = <T>(value: T | undefined): T => setByHooks(value, 'labSuite');
  return {
    get lab(): Lab {
      return ready(lab);
    },
    /** The engineer's home (its ~/.ssh is what Backline reads). */
    get home(): string {
      return ready(home).path;
    },
    /** A core reading this home, closed after the test. */
    open(options: Omit<LabCoreOptions, 'home'> = {}): LabApp {
      const app = labCore({ home: ready(home).path, ...options });
      apps.push(app);
      return app;
    },
  };
}
