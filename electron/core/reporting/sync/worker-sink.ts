import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SyncError, type SyncErrorCode } from './errors.js';
import type { WorkerMessage, WorkerReplyMessage } from './writer-worker.js';
import type { CacheSink, WriterReply, WriterRequest } from './writer.js';

/**
 * A CacheSink whose SQLite writes run in a worker thread. The built app runs writer-worker.js;
 * from TypeScript sources (tests, scripts under tsx) it runs writer-worker.ts through tsx.
 */
export class WorkerSink implements CacheSink {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private failure: Error | null = null;

  constructor(cacheFile: string) {
    const built = new URL('./writer-worker.js', import.meta.url);
    const fromSource = existsSync(fileURLToPath(built)) ? null : new URL('./writer-worker.ts', import.meta.url);
    this.worker = fromSource
      ? // Dev and tests: register tsx inside the worker, then load the TypeScript entry.
        new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(fromSource.href)}); });`, {
          eval: true,
          workerData: { file: cacheFile },
        })
      : new Worker(built, { workerData: { file: cacheFile } });
    this.worker.on('message', (reply: WorkerReplyMessage) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else {
        const { name, message, code, where } = reply.error;
        waiter.reject(name === 'SyncError' && code ? new SyncError(code as SyncErrorCode, message, where) : Object.assign(new Error(message), { name }));
      }
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', (error) => fail(new Error(`The reporting cache writer stopped: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => fail(new Error(`The reporting cache writer exited (code ${code}).`)));
  }

  private send(request: WorkerMessage['request'], transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, request } satisfies WorkerMessage, transfer);
    });
  }

  request<R extends WriterRequest>(request: R): Promise<WriterReply<R['kind']>> {
    const plain: WriterRequest = request;
    if (plain.kind !== 'batch') return this.send(plain) as Promise<WriterReply<R['kind']>>;
    if (plain.rowsJson !== undefined) {
      const bytes = plain.rowsJson;
      const move = plain.transferRows === true && typeof bytes !== 'string' && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
      return this.send(plain, move) as Promise<WriterReply<R['kind']>>;
    }
    const { rows, ...rest } = plain;
    return this.send({ ...rest, rowsJson: JSON.stringify(rows), count: rows.length }) as Promise<WriterReply<R['kind']>>;
  }

  async close(): Promise<void> {
    if (!this.failure) await this.send({ kind: 'close' });
    await this.worker.terminate();
  }
}
