import { hostPort, parseHost } from '../../../shared/domain/address.js';

/**
 * "Can this server open a TCP connection to HOST:PORT?", asked on the server itself: before a block
 * (the bad head answers), after it (refused at once), and for the heads that must stay reachable.
 * curl is preferred (it also reports the HTTP status), then bash's /dev/tcp, then nc.
 */

export type ConnectMethod = 'curl' | 'bash' | 'nc';

/** Fixed script; host, port and the preferred method arrive as positional arguments. */
const CONNECT_SCRIPT = `h=$1; p=$2; m=\${3:-auto}
have() { command -v "$1" >/dev/null 2>&1; }
if [ "$m" = auto ]; then
  if have curl; then m=curl; elif have bash && have timeout; then m=bash; elif have nc; then m=nc; else m=none; fi
fi
echo "##method $m"
case $m in
  curl)
    case $h in *:*) u="http://[$h]:$p/";; *) u="http://$h:$p/";; esac
    out=$(curl -sS -o /dev/null --connect-timeout 3 --max-time 6 -w '\\n##curl %{http_code} %{time_connect}\\n' "$u" 2>&1); rc=$?;;
  bash) out=$(timeout 4 bash -c 'exec 3<>"/dev/tcp/$1/$2"' backline-connect "$h" "$p" 2>&1); rc=$?;;
  nc) out=$(nc -z -w 3 "$h" "$p" 2>&1); rc=$?;;
  *) out='none of curl, bash (with timeout) or nc is installed'; rc=127;;
esac
echo "##rc $rc"
printf '%s\\n' "$out"`;

/** argv for the check; `prefer` forces one method (tests, or a server where curl misbehaves). */
export function connectArgv(host: string, port: number, prefer?: ConnectMethod): string[] {
  const parsed = parseHost(host);
  if (!parsed.ok) throw new Error(`Cannot test a connection to "${host}": ${parsed.problem}`);
  const target = parsed.value.kind === 'hostname' ? parsed.value.name : parsed.value.text;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Cannot test a connection to port ${port}: ports are 1 to 65535.`);
  return ['sh', '-c', CONNECT_SCRIPT, 'backline-connect', target, String(port), prefer ?? 'auto'];
}

export interface ConnectResult {
  reachable: boolean;
  /** False when nothing could be tested (no tool), so "not reachable" proves nothing. */
  conclusive: boolean;
  method: ConnectMethod | null;
  /** The HTTP status when curl got one (000 when the port does not speak HTTP). */
  httpStatus: number | null;
  detail: string;
}

export function parseConnect(output: string, host: string, port: number): ConnectResult {
  const where = hostPort(host, port);
  const lines = output.replace(/\r/g, '').split('\n');
  const value = (prefix: string) => lines.find((l) => l.startsWith(prefix))?.slice(prefix.length).trim() ?? null;
  const methodText = value('##method ');
  const method = methodText === 'curl' || methodText === 'bash' || methodText === 'nc' ? methodText : null;
  const rc = Number(value('##rc ') ?? NaN);
  const message = lines
    .filter((l) => !l.startsWith('##') && l.trim() !== '')
    .join(' ')
    .replace(/^curl: \(\d+\) /, '')
    .trim();
  const result = (reachable: boolean, detail: string, httpStatus: number | null = null): ConnectResult => ({ reachable, conclusive: true, method, httpStatus, detail });

  if (method === null || Number.isNaN(rc)) {
    return { reachable: false, conclusive: false, method: null, httpStatus: null, detail: `Could not test ${where}: ${message || 'the check printed nothing'}.` };
  }
  if (rc === 127) {
    return { reachable: false, conclusive: false, method, httpStatus: null, detail: `Could not test ${where}: ${method} is not installed (${message}).` };
  }
  if (method === 'curl') {
    const [code = '000', connect = '0'] = (value('##curl ') ?? '').split(/\s+/);
    const connected = Number(connect) > 0;
    const http = /^\d{3}$/.test(code) && code !== '000' ? Number(code) : null;
    if (rc === 0 || (connected && rc !== 7)) {
      const answer = http !== null ? `it answered HTTP ${http}` : `it does not answer HTTP (${message || `curl exit ${rc}`})`;
      return result(true, `Connected to ${where} in ${Math.round(Number(connect) * 1000)} ms; ${answer}.`, http);
    }
    if (rc === 28) return result(false, `No answer from ${where} within 3 s: packets are dropped on the way or the host is down.`);
    return result(false, `Cannot connect to ${where}: ${message || `curl exit ${rc}`}.`);
  }
  if (rc === 0) return result(true, `Connected to ${where} (${method}).`);
  if (rc === 124) return result(false, `No answer from ${where} within 4 s: packets are dropped on the way or the host is down.`);
  // bash and nc end their complaint with the system's reason: "...: Connection refused".
  const reason = lines.filter((l) => !l.startsWith('##') && l.trim() !== '').at(-1)?.split(': ').at(-1)?.trim();
  return result(false, `Cannot connect to ${where}: ${reason || `${method} exit ${rc}`}.`);
}
