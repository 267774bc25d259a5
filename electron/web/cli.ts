import { parseArgs } from 'node:util';
import { appVersion, rendererDir } from '../core/app-root.js';
import { createCore } from '../core/core.js';
import { resolveDataDir } from '../core/data-dir.js';
import { READY_PREFIX } from './ready-line.js';
import { startWebHost } from './web-host.js';


export async function runBrowserShell(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' }, port: { type: 'string', default: '0' } },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port}".`);
  const dataDir = resolveDataDir(values['data-dir'], process.env, process.platform);
  const core = createCore({ dataDir, shell: 'browser', version: appVersion() });
  const host = await startWebHost({ core, rendererDir: rendererDir(), port });
  console.log(`${READY_PREFIX}${host.url}`);
  console.log(`Workspace data: ${dataDir}`);
  const stop = (): void => {
    // The netdump receiver writes and indexes what it holds before the store closes.
    void host
      .close()
      .then(() => core.shutdown())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runBrowserShell(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`Backline could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
