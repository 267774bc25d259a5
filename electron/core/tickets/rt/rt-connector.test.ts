import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { RtConnector } from './rt-connector.js';

/** Connection failures RT itself cannot show: a server that is not RT, a certificate not trusted. Loopback only. */

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const connector = (baseUrl: string) => new RtConnector({ baseUrl, token: () => '1-35-abcdef', timeoutMs: 10_000 });

describe('RtConnector.test: what failed, exactly', () => {
  it('says a proxy’s HTML page is not RT', async () => {
    const port = await listen(createHttp((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!DOCTYPE html><html><body>Proxy login</body></html>')));
    const result = await connector(`http://127.0.0.1:${port}`).test();
    expect(result).toMatchObject({ ok: false, kind: 'not-rt', status: 200 });
    if (!result.ok) expect(result.message).toContain('HTML page');
  });

  it('says JSON that is not RT’s is not RT', async () => {
    const port = await listen(createHttp((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}')));
    expect(await connector(`http://127.0.0.1:${port}`).test()).toMatchObject({ ok: false, kind: 'not-rt', message: expect.stringContaining("without RT's version") as unknown });
  });

  it('says an address with no REST2 API (404) is not RT', async () => {
    const port = await listen(createHttp((_req, res) => res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"Not Found"}')));
    expect(await connector(`http://127.0.0.1:${port}`).test()).toMatchObject({ ok: false, kind: 'not-rt', status: 404 });
  });

  it('says a certificate that is not trusted is a TLS failure', async () => {
    const dir = tempDir();
    try {
      const key = join(dir.path, 'key.pem');
      const cert = join(dir.path, 'cert.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      const port = await listen(createHttps({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('{}')));
      const result = await connector(`https://127.0.0.1:${port}`).test();
      expect(result).toMatchObject({ ok: false, kind: 'tls' });
      if (!result.ok) expect(result.message).toMatch(/certificate/);
    } finally {
      dir.remove();
    }
  });

  it('says a port nothing listens on is unreachable', async () => {
    const port = await listen(createHttp());
    await new Promise((resolve) => servers.pop()?.close(resolve));
    expect(await connector(`http://127.0.0.1:${port}`).test()).toMatchObject({ ok: false, kind: 'unreachable', message: expect.stringContaining('ECONNREFUSED') as unknown });
  });
});
