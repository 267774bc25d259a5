import dns from 'node:dns';
import { Agent, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { IPC_INVOKE, invokePath, MAX_CALL_BYTES, type WireResult } from '../../shared/bridge.js';
import { methods, type MethodName } from '../../shared/contract/index.js';
import { errorCodes, isErrorCode } from '../../shared/errors.js';
import { createCore, type Core } from '../core/core.js';
import { tempDir } from '../core/testing/temp-dir.js';
import { bindIpc, type IpcBindingDeps } from '../ipc-binding.js';
import { createFakeElectron } from '../testing/fake-electron.js';
import { startWebHost, type WebHost } from './web-host.js';

/**
 * Every contract method, with hostile inputs, through both transports: the browser shell's HTTP API
 * and the Electron IPC binding. Never a 5xx, never INTERNAL, never a crash or a logged stack: always a
 * typed error (or a valid answer). Seeded, so a failure names an input that fails again.
 *
 * Safe to run anywhere: a fresh data folder (no tickets, so no servers), no ssh agent, no reporting
 * source, and no string in the pools is a valid ticket id, so nothing a handler could connect to
 * exists. A guard fails the test if anything but loopback is contacted or looked up anyway.
 */

/** Electron's invoke event, as the binding receives it (electron/web may not import Electron, even for a type). */
type InvokeEvent = Parameters<Parameters<IpcBindingDeps['ipcMain']['handle']>[1]>[0];

const SEED = 0x5eed_10;
const RANDOM_INPUTS_PER_METHOD = 24;
const methodNames = Object.keys(methods) as MethodName[];

/** mulberry32: small, fast, and the same sequence everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hostileStrings = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  'a\udfffb',
  '\ud83d\u0000\udc00',
  '\u202e\u200b',
  '💥'.repeat(2_000),
  'x'.repeat(300_000),
  'y'.repeat(10_001),
  '../../../../etc/passwd',
  '/etc/passwd\u0000.sql',
  '%00%2e%2e%2f',
  "'; DROP TABLE tickets; --",
  '$(id)`id`;id|id&&id',
  '-j ACCEPT',
  '<img src=x onerror=alert(1)>',
  '\r\nX-Injected: 1',
  '__proto__',
  'constructor',
  'TKT-',
  'tkt_1',
  'term-',
  '-1',
  '1e309',
  'NaN',
  '0x10',
];
const smallHostileStrings = hostileStrings.filter((text) => text.length < 1_000);
const hostileNumbers = [0, -0, -1, 0.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 53) - 2, 1e308, -1e308, 5e-324];
const trickyKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '', '\ud800', 'x'.repeat(1_000)];

/** An object with an own property of any name: `__proto__` included, as JSON.parse and a structured clone would make it. */
function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

function nested(depth: number, leaf: unknown, asObject: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value];
  return value;
}

class Hostile {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /**
   * A hostile JSON value: wrong types, huge strings and arrays, lone surrogates, tricky keys, deep
   * nesting. Only the top of a value may be huge, so a body stays around a MiB at most and the run fast.
   */
  value(depth = 0): unknown {
    const inside = depth > 0;
    switch (this.int(inside ? 7 : 9)) {
      case 0:
        return this.pick(inside ? smallHostileStrings : hostileStrings);
      case 1:
        return this.pick(hostileNumbers);
      case 2:
        return this.pick([true, false, null]);
      case 3:
        return this.pick([[], {}, '', 0]);
      case 4:
        return depth > 2 ? this.pick(smallHostileStrings) : Array.from({ length: this.pick([1, 3, 20]) }, () => this.value(depth + 1));
      case 5: {
        const target: Record<string, unknown> = {};
        for (let i = this.int(4); i >= 0; i--) withKey(target, this.pick(trickyKeys), depth > 2 ? null : this.value(depth + 1));
        return target;
      }
      case 6:
        return nested(this.pick([100, 1_000]), this.pick(smallHostileStrings), this.int(2) === 0);
      case 7:
        return this.pick([new Array<number>(100_000).fill(1), new Array<string>(20_000).fill('z'.repeat(10))]);
      default:
        return Object.fromEntries(Array.from({ length: this.pick([200, 5_000]) }, (_, i) => [`k_${i}`, this.pick(smallHostileStrings)]));
    }
  }

  /** An input for a method: its own fields (when its schema has a shape) set to hostile values, plus tricky extra keys. */
  input(shape: readonly string[]): unknown {
    if (this.int(6) === 0) return this.value();
    const target: Record<string, unknown> = {};
    for (const key of shape) if (this.int(5) > 0) withKey(target, key, this.value());
    for (let i = this.int(3); i > 0; i--) withKey(target, this.pick(trickyKeys), this.value());
    return target;
  }
}

function shapeOf(method: MethodName): string[] {
  const schema: unknown = methods[method].input;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The inputs every method gets: the same fixed list, then seeded random ones. */
function inputsFor(method: MethodName, index: number): unknown[] {
  const shape = shapeOf(method);
  const hostile = new Hostile(SEED + index);
  const fixed: unknown[] = [null, 0, 'x', true, [], [{}], {}, '\ud800', nested(1_000, 1, false), nested(1_000, 1, true)];
  for (const key of shape) {
    for (const value of [null, 42, '\udc00', 'x'.repeat(300_000), [[[[]]]], { __proto__: null, polluted: true }]) fixed.push(withKey({}, key, value));
    fixed.push(withKey({}, key, withKey({}, '__proto__', { polluted: true })));
    fixed.push(withKey(withKey({}, key, 1), 'constructor', { prototype: { polluted: true } }));
  }
  return [...fixed, ...Array.from({ length: RANDOM_INPUTS_PER_METHOD }, () => hostile.input(shape))];
}

const isLoopback = (host: string): boolean => /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/.test(host);

/** What a hostile call may get back: a typed error that is not INTERNAL, or a valid answer. */
function expectTyped(result: unknown, what: string): void {
  const wire = result as WireResult;
  expect(typeof wire === 'object' && wire !== null && 'ok' in wire, what).toBe(true);
  if (wire.ok) return;
  expect(isErrorCode(wire.error.code), `${what}: ${wire.error.code}`).toBe(true);
  expect(wire.error.code, `${what}: ${wire.error.message}`).not.toBe('INTERNAL');
  expect(errorCodes[wire.error.code].status, `${what}: ${wire.error.code}`).toBeLessThan(500);
  // An error names what was wrong; it never echoes a hostile input back whole.
  expect(JSON.stringify(wire.error).length, `${what}: ${wire.error.code}`).toBeLessThan(64 * 1024);
}

let dir: ReturnType<typeof tempDir>;
const logged: unknown[] = [];
const contacted: string[] = [];
const crashes: unknown[] = [];
const onCrash = (error: unknown): void => void crashes.push(error);

function freshCore(name: string): Core {
  const home = join(dir.path, name, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  return createCore({
    dataDir: join(dir.path, name, 'data'),
    shell: 'browser',
    version: 'fuzz',
    user: 'fuzz',
    log: (message, error) => void logged.push({ message, error }),
    ssh: { home, agentSocket: null, connectTimeoutMs: 2_000 },
    reporting: { configFile: join(dir.path, name, 'no-sources.json'), sharedReportDirs: [] },
  });
}

beforeAll(() => {
  dir = tempDir('backline-fuzz-');
  // Nothing may reach past this machine: record every connection and lookup, and refuse the rest.
  const connect = Object.getOwnPropertyDescriptor(net.Socket.prototype, 'connect')?.value as (this: net.Socket, ...args: unknown[]) => net.Socket;
  vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const options = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as { host?: unknown; path?: unknown };
    const target = typeof options.path === 'string' ? `unix:${options.path}` : typeof options.host === 'string' ? options.host : 'localhost';
    contacted.push(target);
    if (!target.startsWith('unix:') && !isLoopback(target)) throw new Error(`the fuzz test contacted ${target}`);
    return connect.apply(this, args);
  });
  const lookup = Object.getOwnPropertyDescriptor(dns, 'lookup')?.value as (...args: unknown[]) => unknown;
  vi.spyOn(dns, 'lookup').mockImplementation((host: string, ...rest: unknown[]) => {
    if (!isLoopback(host)) {
      contacted.push(host);
      throw new Error(`the fuzz test looked up ${host}`);
    }
    return lookup(host, ...rest);
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  process.on('uncaughtExceptionMonitor', onCrash);
  process.on('unhandledRejection', onCrash);
});

afterAll(() => {
  process.off('uncaughtExceptionMonitor', onCrash);
  process.off('unhandledRejection', onCrash);
  vi.restoreAllMocks();
  dir.remove();
});

function expectNothingWentWrong(): void {
  expect(crashes).toEqual([]);
  expect(logged).toEqual([]);
  expect(contacted.filter((c) => !c.startsWith('unix:') && !isLoopback(c))).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
}

describe('the contract under hostile input', () => {
  describe('through the browser shell', () => {
    let core: Core;
    let host: WebHost;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    beforeAll(async () => {
      core = freshCore('http');
      const renderer = join(dir.path, 'renderer');
      mkdirSync(renderer);
      writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Backline</title>');
      host = await startWebHost({ core, rendererDir: renderer });
    });
    afterAll(async () => {
      agent.destroy();
      await host.close();
      core.close();
    });

    /** A body over the cap may be answered 413 while it is still being sent, and the connection closed: `reset`. */
    function post(path: string, body: string): Promise<{ status: number; body: string } | 'reset'> {
      const oversized = Buffer.byteLength(body) > MAX_CALL_BYTES;
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: host.port,
            path,
            method: 'POST',
            agent: oversized ? false : agent,
            headers: { Origin: `http://127.0.0.1:${host.port}`, 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) => (oversized && (error.code === 'ECONNRESET' || error.code === 'EPIPE') ? resolve('reset') : reject(error)));
        req.end(body);
      });
    }

    async function expectTypedReply(path: string, body: string, what: string): Promise<void> {
      const reply = await post(path, body);
      if (reply === 'reset') return;
      expect(reply.status, `${what}: ${reply.body.slice(0, 300)}`).toBeLessThan(500);
      const parsed: unknown = JSON.parse(reply.body);
      expectTyped(parsed, what);
      if (!(parsed as WireResult).ok) expect(reply.status, what).toBe(errorCodes[(parsed as { error: { code: keyof typeof errorCodes } }).error.code].status);
    }

    it.each(methodNames.map((name, index) => [name, index] as const))('%s', async (name, index) => {
      for (const [i, input] of inputsFor(name, index).entries()) {
        await expectTypedReply(invokePath(name), JSON.stringify(input), `${name} input #${i}`);
      }
      // What JSON.stringify cannot produce: a body nested 100,000 deep, a lone surrogate escape, and a duplicate __proto__.
      await expectTypedReply(invokePath(name), `${'['.repeat(100_000)}${']'.repeat(100_000)}`, `${name} deep body`);
      await expectTypedReply(invokePath(name), '{"a":"\\ud800","\\udc00":1}', `${name} escaped surrogates`);
      await expectTypedReply(invokePath(name), '{"__proto__":{"polluted":true},"__proto__":[],"constructor":{"prototype":{"polluted":true}}}', `${name} __proto__ body`);
      expectNothingWentWrong();
    });

    it('names no method by a tricky path', async () => {
      for (const path of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'tickets.list%00', '..%2f..%2fetc%2fpasswd', '%E0%A4%A', 'x'.repeat(8_000), '%F0%9F%92%A5']) {
        await expectTypedReply(`/api/invoke/${path}`, '{}', `path ${path.slice(0, 40)}`);
      }
      expectNothingWentWrong();
    });

    it('answers a body over the cap with 413 (or closes it while it is still arriving), and keeps serving', async () => {
      const reply = await post(invokePath('notes.create' satisfies MethodName), JSON.stringify({ body: 'x'.repeat(MAX_CALL_BYTES) }));
      if (reply !== 'reset') {
        expect(reply.status).toBe(413);
        expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
      }
      expectNothingWentWrong();
    });

    it('still answers afterwards', async () => {
      const reply = await post(invokePath('tickets.list' satisfies MethodName), '{}');
      expect(reply !== 'reset' && JSON.parse(reply.body)).toEqual({ ok: true, value: [] });
    });
  });

  describe('through the Electron IPC binding', () => {
    let core: Core;
    let unbind: () => void;
    let call: (method: unknown, input: unknown) => Promise<unknown>;

    beforeAll(() => {
      core = freshCore('ipc');
      const electron = createFakeElectron();
      const win = new electron.BrowserWindow({});
      unbind = bindIpc({ ipcMain: electron.ipcMain, core, windows: () => electron.BrowserWindow.getAllWindows(), isTrustedUrl: () => true });
      const event = { sender: win.webContents, senderFrame: { url: 'file:///backline/index.html', parent: null } } as unknown as InvokeEvent;
      call = (method, input) => {
        const handler = electron.ipcMain.handlers.get(IPC_INVOKE);
        if (!handler) throw new Error('no handler bound');
        return Promise.resolve(handler(event, method, input));
      };
    });
    afterAll(() => {
      unbind();
      core.close();
    });

    /** What a structured clone carries and JSON cannot: these reach the main side too. */
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const sparse: unknown[] = [];
    sparse[50_000] = 1;
    const cloneOnly: readonly unknown[] = [
      undefined,
      NaN,
      Infinity,
      -Infinity,
      10n,
      new Date(Number.NaN),
      new Map([['a', 1]]),
      new Set([1]),
      /x/g,
      new Uint8Array(16),
      sparse,
      cyclic,
      Object.create(null),
      nested(100_000, 1, true),
      'x'.repeat(MAX_CALL_BYTES + 1),
    ];

    it.each(methodNames.map((name, index) => [name, index] as const))('%s', async (name, index) => {
      const shape = shapeOf(name);
      const inputs = [...inputsFor(name, index), ...cloneOnly, ...shape.flatMap((key) => cloneOnly.map((value) => withKey({}, key, value)))];
      for (const [i, input] of inputs.entries()) expectTyped(await call(name, input), `${name} input #${i}`);
      expectNothingWentWrong();
    });

    it('names no method by anything but its name', async () => {
      for (const method of [undefined, null, 42, {}, [], ['tickets.list'], { toString: 'tickets.list' }, '__proto__', 'constructor', 'x'.repeat(1_000_000), '\ud800', 10n]) {
        expectTyped(await call(method, {}), `method ${typeof method}`);
      }
      expectNothingWentWrong();
    });
  });
});
