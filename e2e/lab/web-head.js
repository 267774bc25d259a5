#!/usr/bin/env node
/* global process, console, Buffer -- Node globals: the repo's ESLint config gives them to .ts files only */
/**
 * One upstream web head of the lab's remote site (feeds.lab.test): a tiny HTTP server, started by
 * up.sh inside the head's network namespace. Plain Node, no dependencies.
 *
 *   node web-head.js --name head1 --address 10.77.0.41,fd77::41 --ports 80,8080 --status 200 \
 *     --body-bytes 67108864 --pid-file state/head1/web-head.pid
 *
 * It listens on every port of every address given (IPv4 and IPv6 alike).
 *
 * A good head (--status 200) answers every request with `include ok from <name>`. The bad head
 * (--status 400) answers `400 Bad Request` with --body-bytes of filler, streamed with backpressure
 * (never buffered), to play the response that eats a PHP worker's memory.
 * The pid file is written once every port listens (up.sh waits for it) and removed on exit.
 * Each request is logged to stdout as one line: time, port, client, method, path, status, bytes.
 */
import { writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key?.startsWith('--') || value === undefined) throw new Error(`usage: web-head.js --name N --address A --ports P,P --status 200|400 [--body-bytes B] [--pid-file F] (at ${String(key)})`);
    out[key.slice(2)] = value;
  }
  return out;
}

const opts = args(process.argv.slice(2));
const name = opts.name;
const addresses = String(opts.address ?? '').split(',').filter(Boolean);
const ports = String(opts.ports ?? '80').split(',').map(Number);
const status = Number(opts.status ?? 200);
const bodyBytes = Number(opts['body-bytes'] ?? 64 * 1024 * 1024);
const pidFile = opts['pid-file'];
if (!name || addresses.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0) || ![200, 400].includes(status) || !(bodyBytes >= 0)) {
  console.error('web-head.js: needs --name, --address, --ports, --status 200|400');
  process.exit(2);
}

const okBody = Buffer.from(`include ok from ${name}\n`);
const FILLER_CHUNK = Buffer.alloc(64 * 1024, `<!-- ${name}: 400 Bad Request filler -->\n`);

function log(port, client, req, code, bytes, note = '') {
  console.log(`${new Date().toISOString()} ${name} :${port} ${client} ${req.method} ${req.url} ${code} ${bytes}${note}`);
}

/** Writes `total` bytes of filler, waiting for 'drain' whenever the socket's buffer is full. */
function streamFiller(res, total, done) {
  let sent = 0;
  let closed = false;
  res.on('close', () => {
    if (!closed) { closed = true; done(sent, sent < total ? ' (client went away)' : ''); }
  });
  const pump = () => {
    while (sent < total) {
      const n = Math.min(FILLER_CHUNK.length, total - sent);
      const ok = res.write(n === FILLER_CHUNK.length ? FILLER_CHUNK : FILLER_CHUNK.subarray(0, n));
      sent += n;
      if (!ok) { res.once('drain', pump); return; }
    }
    res.end();
  };
  pump();
}

function handler(port) {
  return (req, res) => {
    // Taken now: once the response ends, the socket may be gone.
    const remote = req.socket.remoteAddress ?? '?';
    const client = `${remote.includes(':') ? `[${remote}]` : remote}:${req.socket.remotePort ?? '?'}`;
    res.setHeader('Server', `lab-web-head/${name}`);
    res.setHeader('X-Lab-Head', name);
    res.setHeader('Connection', 'close');
    if (status === 200) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': okBody.length });
      res.end(req.method === 'HEAD' ? undefined : okBody);
      log(port, client, req, 200, req.method === 'HEAD' ? 0 : okBody.length);
      return;
    }
    res.writeHead(400, 'Bad Request', { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': bodyBytes });
    if (req.method === 'HEAD') { res.end(); log(port, client, req, 400, 0); return; }
    streamFiller(res, bodyBytes, (sent, note) => log(port, client, req, 400, sent, note));
  };
}

const where = (address, port) => `${address.includes(':') ? `[${address}]` : address}:${port}`;
const listeners = addresses.flatMap((address) => ports.map((port) => ({ address, port, server: http.createServer(handler(port)) })));
let listening = 0;
for (const { address, port, server } of listeners) {
  server.on('error', (error) => {
    console.error(`${name}: cannot listen on ${where(address, port)}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, address, () => {
    listening += 1;
    if (listening === listeners.length) {
      if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
      console.log(`${new Date().toISOString()} ${name} listening on ${listeners.map((l) => where(l.address, l.port)).join(' ')}, answers ${status}${status === 400 ? ` with ${bodyBytes} bytes` : ''} (pid ${process.pid})`);
    }
  });
}

function stop(signal) {
  console.log(`${new Date().toISOString()} ${name} stopping (${signal})`);
  if (pidFile) rmSync(pidFile, { force: true });
  process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
