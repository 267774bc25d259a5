import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

/**
 * Runs a module the way Electron's utilityProcess does, inside a plain Node child (the stand-in for
 * `utilityProcess.fork` in tests): requests arrive on `process.parentPort` as `{ data }` events,
 * replies leave through `parentPort.postMessage`, and argv is `[exec, module, ...args]`.
 *
 *   argv[2]: the module; argv[3...]: its arguments
 */
const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('utility-process-shim: no module to run.');
process.argv = [process.argv[0] ?? process.execPath, entry, ...args];
const parentPort = Object.assign(new EventEmitter(), { postMessage: (message: unknown) => void process.send?.(message) });
process.on('message', (data) => parentPort.emit('message', { data, ports: [] }));
Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: true, writable: false });
await import(pathToFileURL(entry).href);
