import { createInterface } from 'node:readline';
import { createCore } from '../../core.js';

/**
 * A Backline core in a process of its own, for the test that kills it with SIGKILL mid-send:
 * `tsx rt-child.ts <dataDir>`, then one JSON call per stdin line ({id, method, input}), one JSON
 * answer per stdout line ({id, result}).
 */
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: rt-child.ts DATA_DIR');
const core = createCore({ dataDir, shell: 'browser', version: '0.0.0-rt-child', user: 'rt-child', log: (message, error) => process.stderr.write(`${message}: ${String(error)}\n`) });
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, method, input } = JSON.parse(line) as { id: number; method: string; input: unknown };
  void core.dispatch(method, input, { shell: 'browser' }).then((result) => process.stdout.write(`${JSON.stringify({ id, result })}\n`));
});
