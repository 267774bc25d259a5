/**
 * The cache writer on its own thread: the sync's SQLite transactions never block the event loop
 * that serves the UI. Requests are matched to replies by id (see worker-sink.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openWritableCache } from '../cache/database.js';
import { SyncError } from './errors.js';
import { CacheWriter, type WriterRequest } from './writer.js';

/**
 * A batch travels with its rows as JSON text, which the writer hands to SQLite's json_each as it
 * is: copying one string is far cheaper than structured cloning 50k small arrays, and this thread
 * never builds the rows as objects at all.
 */
export type WireRequest = Exclude<WriterRequest, { kind: 'batch' }> | Extract<WriterRequest, { kind: 'batch'; rowsJson: string | Uint8Array }>;

export interface WorkerMessage {
  id: number;
  request: WireRequest | { kind: 'close' };
}
export type WorkerReplyMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string; where?: { source?: string; table?: string } } };

const port = parentPort;
if (!port) throw new Error('writer-worker.ts runs as a worker thread');
const db = openWritableCache((workerData as { file: string }).file);
const writer = new CacheWriter(db);

port.on('message', ({ id, request }: WorkerMessage) => {
  let reply: WorkerReplyMessage;
  try {
    if (request.kind === 'close') {
      db.close();
      reply = { id, ok: true, value: null };
    } else {
      reply = { id, ok: true, value: writer.handle(request) };
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { id, ok: false, error: { name: e.name, message: e.message, ...(e instanceof SyncError ? { code: e.code, where: e.where } : {}) } };
  }
  port.postMessage(reply);
  if (request.kind === 'close') port.close();
});
