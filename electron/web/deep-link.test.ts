import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core/core.js';
import { tempDir } from '../core/testing/temp-dir.js';
import { deepLinkRedirect } from './deep-link.js';
import { startWebHost, type WebHost } from './web-host.js';

const dir = tempDir('backline-deeplink-');
let core: Core;
let host: WebHost;
beforeAll(async () => {
  const renderer = join(dir.path, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Backline</title>');
  core = createCore({ dataDir: join(dir.path, 'data'), shell: 'browser', version: 't', log: () => undefined });
  host = await startWebHost({ core, rendererDir: renderer });
});
afterAll(async () => {
  await host.close();
  core.close();
  dir.remove();
});

/** A GET with node:http, which (unlike fetch) sends the Host header it is given. */
const get = (path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: { get(name: string): string | null } }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      res.resume();
      const header = (name: string) => {
        const value = res.headers[name];
        return typeof value === 'string' ? value : null;
      };
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: { get: header } }));
    });
    req.on('error', reject);
    req.end();
  });

describe("the browser shell's /ticket/<id> path", () => {
  it('redirects to the workspace route, on our own origin', async () => {
    const reply = await get('/ticket/TKT-48213');
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe('/#/t/TKT-48213');
    expect(reply.headers.get('set-cookie')).toBeNull();
  });

  it('keeps whatever the id holds inside the route: never another host or path', async () => {
    for (const [path, location] of [
      ['/ticket/%2F%2Fevil.example', '/#/t/%2F%2Fevil.example'],
      ['/ticket/a%23b%3Fc', '/#/t/a%23b%3Fc'],
      ['/ticket/%5Cevil.example', '/#/t/%5Cevil.example'],
    ] as const) {
      const reply = await get(path);
      expect(reply.headers.get('location'), path).toBe(location);
    }
    expect(deepLinkRedirect('/ticket/%E0%A4%A')).toBeNull();
  });

  it('is not a redirect for other paths, nor under a foreign Host name', async () => {
    for (const path of ['/ticket/', '/ticket/a/b', '/tickets/1', '/']) expect((await get(path)).status, path).toBe(200);
    expect((await get('/ticket/TKT-1', { Host: `rebind.example:${host.port}` })).status).toBe(403);
  });
});
