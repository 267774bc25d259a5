import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFpmStatus } from './fpm-status.js';

const json = readFileSync(join(import.meta.dirname, 'fixtures', 'fpm-status.full.json'), 'utf8');

describe('parseFpmStatus', () => {
  it("reads ?json&full (real, through nginx): the pool's counters and each worker's last request memory", () => {
    const status = parseFpmStatus('www', ['via curl', json]);
    const raw = JSON.parse(json) as { processes: { pid: number; 'last request memory': number }[]; 'total processes': number };
    expect(status).toMatchObject({ pool: 'www', via: 'curl', problem: null, processManager: 'static', totalProcesses: raw['total processes'], slowRequests: 1 });
    expect(status.processes.map((p) => [p.pid, p.lastRequestMemoryBytes])).toEqual(raw.processes.map((p) => [p.pid, p['last request memory']]));
  });

  it("reads cgi-fcgi's answer: headers, then the JSON", () => {
    const status = parseFpmStatus('www', ['via cgi-fcgi', 'X-Powered-By: PHP/8.2.36', 'Content-type: application/json', '', json]);
    expect(status.via).toBe('cgi-fcgi');
    expect(status.problem).toBeNull();
    expect(status.processes.length).toBeGreaterThan(0);
  });

  it('says why, in words, when no way gave the JSON (a 502 page, a curl error), and takes the first way that did', () => {
    const page = parseFpmStatus('shop', ['via curl', '<html>', '<head><title>502 Bad Gateway</title></head>', '<body>', '<center><h1>502 Bad Gateway</h1></center>', '</body>', '</html>']);
    expect(page.problem).toBe("The status page of pool shop did not answer with FPM's JSON (with curl: 502 Bad Gateway 502 Bad Gateway).");
    expect(page.processes).toEqual([]);
    const none = parseFpmStatus('shop', ['via php-fcgi', 'fcgi: cannot connect to /run/php/php8.2-fpm-shop.sock: Permission denied', 'via curl', 'curl: (7) Failed to connect to 127.0.0.1 port 80 after 0 ms: Connection refused']);
    expect(none.problem).toBe(
      "The status page of pool shop did not answer with FPM's JSON (with php-fcgi: fcgi: cannot connect to /run/php/php8.2-fpm-shop.sock: Permission denied; with curl: curl: (7) Failed to connect to 127.0.0.1 port 80 after 0 ms: Connection refused).",
    );
    const second = parseFpmStatus('www', ['via php-fcgi', 'Status: 404 Not Found', 'Content-type: text/html; charset=UTF-8', '', 'File not found.', 'via curl', json]);
    expect(second).toMatchObject({ via: 'curl', problem: null });
  });
});
