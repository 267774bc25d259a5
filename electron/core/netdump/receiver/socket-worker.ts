import { Worker } from 'node:worker_threads';

/**
 * The receiver's UDP socket, in a worker thread of its own: it reads datagrams whatever the main thread
 * is doing (a slow SQLite query, a burst of parsing, a busy window) and hands them over in batches, in
 * arrival order, with their arrival time. A stalled main thread makes the batches wait in memory, not
 * the kernel's socket buffer overflow. The worker's code is plain CommonJS given inline, so it runs the
 * same under tsx, vitest and the bundled app.
 */

export interface SocketOptions {
  family: 'ipv4' | 'ipv6';
  address: string;
  port: number;
  recvBufferSize: number;
}

export interface ArrivedDatagram {
  bytes: Buffer;
  address: string;
  port: number;
  receivedAtMs: number;
}

export interface OpenSocket {
  /** As the OS granted it. */
  recvBufferSize: number;
  /** Closes the socket; resolves once every datagram it read has been handed over. */
  close(): Promise<void>;
}

export class BindFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { family, address, port, recvBufferSize } = workerData;
const socket = dgram.createSocket({ type: family === 'ipv6' ? 'udp6' : 'udp4', ipv6Only: false, reuseAddr: false, recvBufferSize });
let bound = false;
let batch = [];
let bytes = 0;
let scheduled = false;
const flush = () => {
  scheduled = false;
  if (batch.length === 0) return;
  const data = Buffer.concat(batch.map((item) => item[0]), bytes);
  const meta = new Float64Array(batch.length * 3);
  const addresses = new Array(batch.length);
  batch.forEach((item, i) => { meta[i * 3] = item[0].length; meta[i * 3 + 1] = item[1]; meta[i * 3 + 2] = item[3]; addresses[i] = item[2]; });
  batch = [];
  bytes = 0;
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
  parentPort.postMessage({ type: 'batch', buffer, meta, addresses }, [buffer, meta.buffer]);
};
socket.on('message', (msg, rinfo) => {
  batch.push([msg, Date.now(), rinfo.address, rinfo.port]);
  bytes += msg.length;
  if (bytes >= 1 << 20) flush();
  else if (!scheduled) { scheduled = true; setImmediate(flush); }
});
socket.on('error', (error) => {
  if (!bound) parentPort.postMessage({ type: 'bind-error', code: error.code || 'UNKNOWN', message: error.message });
  else parentPort.postMessage({ type: 'error', message: error.message });
});
socket.bind({ address, port, exclusive: true }, () => {
  bound = true;
  parentPort.postMessage({ type: 'bound', recvBufferSize: socket.getRecvBufferSize() });
});
parentPort.on('message', (message) => {
  if (message.type !== 'close') return;
  socket.close(() => {
    flush();
    parentPort.postMessage({ type: 'closed' });
    parentPort.close();
  });
});
`;

type FromWorker =
  | { type: 'bound'; recvBufferSize: number }
  | { type: 'bind-error'; code: string; message: string }
  | { type: 'error'; message: string }
  | { type: 'batch'; buffer: ArrayBuffer; meta: Float64Array; addresses: string[] }
  | { type: 'closed' };

/** Binds in a worker; rejects with a BindFailure (its errno code) when the OS refuses. */
export function openSocket(options: SocketOptions, onDatagrams: (datagrams: ArrivedDatagram[]) => void, onError: (message: string) => void): Promise<OpenSocket> {
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: options });
  let closed: (() => void) | null = null;
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'bound':
          settled = true;
          resolve({
            recvBufferSize: message.recvBufferSize,
            close: () =>
              new Promise<void>((done) => {
                closed = done;
                worker.postMessage({ type: 'close' });
              }),
          });
          break;
        case 'bind-error':
          settled = true;
          void worker.terminate();
          reject(new BindFailure(message.code, message.message));
          break;
        case 'error':
          onError(message.message);
          break;
        case 'batch': {
          const data = Buffer.from(message.buffer);
          const datagrams: ArrivedDatagram[] = [];
          let at = 0;
          for (let i = 0; i < message.addresses.length; i++) {
            const length = message.meta[i * 3]!;
            datagrams.push({ bytes: data.subarray(at, at + length), receivedAtMs: message.meta[i * 3 + 1]!, port: message.meta[i * 3 + 2]!, address: message.addresses[i]! });
            at += length;
          }
          onDatagrams(datagrams);
          break;
        }
        case 'closed':
          void worker.terminate().then(() => closed?.());
          break;
      }
    });
    // A worker that died (never answering 'closed') must not leave close() waiting forever.
    worker.on('exit', () => closed?.());
    worker.on('error', (error) => {
      if (!settled) {
        settled = true;
        reject(new BindFailure('UNKNOWN', error.message));
      } else onError(error.message);
    });
  });
}
