import type { FpmStatus, FpmStatusProcess } from '../../../../shared/domain/php-memory.js';

/**
 * A pool's status page, `?json&full`, as the probe's FastCGI client in PHP or cgi-fcgi (headers first), or curl, printed it: the pool's counters
 * and, per worker, its state, requests and "last request memory" (bytes; 0 while a request runs).
 * Anything that is not the JSON (a 404, nginx's 502 page, curl's error) becomes the reason it was not read.
 */

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const int = (value: unknown): number | null => {
  const n = num(value);
  return n === null ? null : Math.max(0, Math.round(n));
};
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

type Via = FpmStatus['via'];
const VIA_LINE = /^via (php-fcgi|cgi-fcgi|curl)$/;

/** The section's attempts, each opened by its "via X" line (older probes printed one, or none). */
function attempts(lines: readonly string[]): { via: Via; body: string }[] {
  const found: { via: Via; lines: string[] }[] = [];
  for (const line of lines) {
    const via = VIA_LINE.exec(line);
    if (via) found.push({ via: via[1] as Via, lines: [] });
    else if (found.length === 0) found.push({ via: null, lines: [line] });
    else found.at(-1)?.lines.push(line);
  }
  return found.map((a) => ({ via: a.via, body: a.lines.join('\n') }));
}

function jsonOf(body: string): Record<string, unknown> | null {
  const start = body.indexOf('{');
  if (start < 0) return null;
  try {
    const parsed: unknown = JSON.parse(body.slice(start, body.lastIndexOf('}') + 1));
    return parsed && typeof parsed === 'object' && 'pool' in parsed ? (parsed) : null;
  } catch {
    return null;
  }
}

/** What an answer that is not the JSON said: a 404's text, nginx's 502 page, curl's or the client's error. */
const saidBy = (body: string) => body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300) || 'no answer';

export function parseFpmStatus(pool: string, lines: readonly string[]): FpmStatus {
  const tries = attempts(lines);
  const base: FpmStatus = {
    pool,
    via: null,
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
  const answered = tries.map((t) => ({ ...t, json: jsonOf(t.body) })).find((t) => t.json !== null);
  if (!answered?.json) {
    const reasons = tries.map((t) => `${t.via ? `with ${t.via}: ` : ''}${saidBy(t.body)}`);
    return { ...base, via: tries.at(-1)?.via ?? null, problem: `The status page of pool ${pool} did not answer with FPM's JSON${reasons.length ? ` (${reasons.join('; ')})` : ''}.` };
  }
  const json = answered.json;
  const processes = Array.isArray(json.processes) ? (json.processes as Record<string, unknown>[]) : [];
  return {
    ...base,
    via: answered.via,
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
