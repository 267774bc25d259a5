import type { FpmStatus, FpmStatusProcess } from '../../../../shared/domain/php-memory.js';

/**
 * A pool's status page, `?json&full`, as cgi-fcgi (headers first) or curl printed it: the pool's counters
 * and, per worker, its state, requests and "last request memory" (bytes; 0 while a request runs).
 * Anything that is not the JSON (a 404, nginx's 502 page, curl's error) becomes the reason it was not read.
 */

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const int = (value: unknown): number | null => {
  const n = num(value);
  return n === null ? null : Math.max(0, Math.round(n));
};
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function parseFpmStatus(pool: string, lines: readonly string[]): FpmStatus {
  const viaLine = lines[0] ?? '';
  const via = viaLine === 'via cgi-fcgi' ? 'cgi-fcgi' : viaLine === 'via curl' ? 'curl' : null;
  const body = (via ? lines.slice(1) : lines).join('\n');
  const base: FpmStatus = {
    pool,
    via,
    problem: null,
    processManager: null,
    startSince: null,
    acceptedConn: null,
    listenQueue: null,
    maxListenQueue: null,
    idleProcesses: null,
    activeProcesses: null,
    totalProcesses: null,
    maxChildrenReached: null,
    slowRequests: null,
    processes: [],
  };
  const start = body.indexOf('{');
  let json: Record<string, unknown> | null = null;
  if (start >= 0) {
    try {
      const parsed: unknown = JSON.parse(body.slice(start, body.lastIndexOf('}') + 1));
      if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
    } catch {
      json = null;
    }
  }
  if (!json || !('pool' in json)) {
    const said = body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
    return { ...base, problem: `The status page of pool ${pool} did not answer with FPM's JSON${via ? ` (fetched with ${via})` : ''}: ${said || 'no answer'}` };
  }
  const processes = Array.isArray(json.processes) ? (json.processes as Record<string, unknown>[]) : [];
  return {
    ...base,
    processManager: str(json['process manager']),
    startSince: int(json['start since']),
    acceptedConn: int(json['accepted conn']),
    listenQueue: int(json['listen queue']),
    maxListenQueue: int(json['max listen queue']),
    idleProcesses: int(json['idle processes']),
    activeProcesses: int(json['active processes']),
    totalProcesses: int(json['total processes']),
    maxChildrenReached: int(json['max children reached']),
    slowRequests: int(json['slow requests']),
    processes: processes
      .filter((p) => (int(p.pid) ?? 0) > 0)
      .map(
        (p): FpmStatusProcess => ({
          pid: int(p.pid) ?? 0,
          state: str(p.state) ?? '?',
          requests: int(p.requests),
          requestDurationUs: int(p['request duration']),
          requestMethod: str(p['request method']),
          requestUri: str(p['request uri']),
          script: str(p.script),
          lastRequestCpu: num(p['last request cpu']),
          lastRequestMemoryBytes: int(p['last request memory']),
        }),
      ),
  };
}
