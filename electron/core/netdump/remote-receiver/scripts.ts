/**
 * A netconsole receiver run on a server of the customer's network (a bastion): scripts, fixed text,
 * every value an argument, sent on stdin to /bin/sh by the runner. The receiver writes each sender's
 * datagrams to `<dir>/<sender>.ncap` in the capture framing of the local receiver
 * (`#ncap1 <ms> <port> <length>\n<bytes>\n`, captures/format.ts), so what is streamed back parses
 * the same way. It runs detached (setsid, its own session: it outlives the SSH channel), stops by
 * itself at its time limit, and keeps its pid in `<dir>/pid`.
 */

/** python3: one socket, one append per datagram, exits at its deadline. */
const PY_RECEIVER = `import os, re, socket, sys, time
addr, port, d, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
if fam == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
try:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
except OSError:
    pass
try:
    s.bind((addr, port))
except OSError as e:
    print("bind-failed %s" % e, flush=True)
    sys.exit(3)
print("listening %s %d" % (addr, port), flush=True)
end = time.time() + secs
files = {}
while True:
    left = end - time.time()
    if left <= 0:
        break
    s.settimeout(min(left, 5))
    try:
        data, peer = s.recvfrom(65535)
    except socket.timeout:
        continue
    host = peer[0][7:] if peer[0].startswith("::ffff:") else peer[0]
    name = re.sub(r"[^0-9A-Za-z.]", "_", host) + ".ncap"
    f = files.get(name)
    if f is None:
        f = files[name] = open(os.path.join(d, name), "ab")
    f.write(b"#ncap1 %d %d %d\\n" % (int(time.time() * 1000), peer[1], len(data)) + data + b"\\n")
    f.flush()
print("time-limit", flush=True)`;

/** socat: one child per datagram, each framing it into its sender's file with one append. */
const SOCAT_RECORD = `t=$(mktemp) || exit 1; cat > "$t"; n=$(wc -c < "$t"); h=$SOCAT_PEERADDR; case $h in ::ffff:*) h=\${h#::ffff:};; esac
f="$1/$(printf '%s' "$h" | tr -c '0-9A-Za-z.' '_').ncap"; r=$(mktemp) || exit 1
{ printf '#ncap1 %s %s %s\\n' "$(date +%s%3N)" "$SOCAT_PEERPORT" "$n"; cat "$t"; printf '\\n'; } > "$r"; cat "$r" >> "$f"; rm -f "$t" "$r"`;

const BASE = 'base=$HOME/backline-netdump';

const PROBE_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
s() { printf '##bl:%s\\n' "$1"; }
s which; for b in python3 socat rsyslogd setsid nohup base64 timeout; do p=$(command -v "$b" 2>/dev/null) || p=-; printf '%s %s\\n' "$b" "$p"; done
s home; echo "$HOME"
s end`;

export function probeArgv(): string[] {
  return ['/bin/sh', '-c', PROBE_SCRIPT, 'backline-remote-receiver-probe'];
}

const START_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
s() { printf '##bl:%s\\n' "$1"; }
${BASE}; id=$1; tool=$2; addr=$3; port=$4; secs=$5; ticket=$6; py=$7; rec=$8
d=$base/$id; mkdir -p "$d" || { s failed; echo "cannot make $d"; exit 3; }
printf 'tool=%s\\naddress=%s\\nport=%s\\nstarted=%s\\nseconds=%s\\nticket=%s\\n' "$tool" "$addr" "$port" "$(date +%s)" "$secs" "$ticket" > "$d/meta"
case $tool in
  python3) setsid nohup python3 -c "$py" "$addr" "$port" "$d" "$secs" > "$d/receiver.log" 2>&1 < /dev/null & ;;
  socat) case $addr in *:*) spec="UDP6-RECVFROM:$port,bind=[$addr],ipv6only=0,fork";; *) spec="UDP4-RECVFROM:$port,bind=$addr,fork";; esac
    printf '%s\\n' "$rec" > "$d/record.sh"
    setsid nohup timeout "$secs" socat -u "$spec" SYSTEM:"sh $d/record.sh $d" > "$d/receiver.log" 2>&1 < /dev/null & ;;
  *) s failed; echo "unknown tool $tool"; exit 3;;
esac
echo $! > "$d/pid"
s started; echo "dir $d"; echo "pid $(cat "$d/pid")"
# Listening, or why not: python3 says so; socat is alive after a moment or has said why it stopped.
i=0; while [ $i -lt 30 ]; do
  if grep -q -E '^(listening|bind-failed)' "$d/receiver.log" 2>/dev/null; then break; fi
  kill -0 "$(cat "$d/pid")" 2>/dev/null || break
  [ "$tool" = socat ] && [ $i -ge 5 ] && break
  sleep 0.1; i=$((i+1)); done
s state; if kill -0 "$(cat "$d/pid")" 2>/dev/null && ! grep -q '^bind-failed' "$d/receiver.log"; then echo running; up=1; else echo stopped; up=0; fi
s log; tail -n 5 "$d/receiver.log" 2>/dev/null
# A receiver that did not start leaves nothing behind (what it said is in this output, and so in the audit).
[ $up = 0 ] && rm -rf "$d"
s end`;

export interface StartArgs {
  id: string;
  tool: 'python3' | 'socat';
  address: string;
  port: number;
  seconds: number;
  ticketId: string;
}

export function startArgv(a: StartArgs): string[] {
  return ['/bin/sh', '-c', START_SCRIPT, 'backline-remote-receiver-start', a.id, a.tool, a.address, String(a.port), String(a.seconds), a.ticketId, PY_RECEIVER, SOCAT_RECORD];
}

const LIST_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
s() { printf '##bl:%s\\n' "$1"; }
${BASE}
for d in "$base"/*; do [ -f "$d/meta" ] || continue
  s "receiver \${d##*/}"; echo "dir $d"; sed 's/=/ /' "$d/meta"
  p=$(cat "$d/pid" 2>/dev/null); echo "pid \${p:--}"; if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo "state running"; else echo "state stopped"; fi
  [ -f "$d/stopped" ] && echo "stopped-by-backline $(cat "$d/stopped")"
  for f in "$d"/*.ncap; do [ -f "$f" ] && echo "file \${f##*/} $(wc -c < "$f")"; done
  tail -n 1 "$d/receiver.log" 2>/dev/null | sed 's/^/log /'
done
s end`;

export function listArgv(): string[] {
  return ['/bin/sh', '-c', LIST_SCRIPT, 'backline-remote-receiver-list'];
}

/** Each of the receiver's files from the offset given (`name=offset`; 0 for any not named), at most `max` bytes each, base64. */
const FETCH_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
${BASE}; d=$base/$1; max=$2; shift 2
[ -d "$d" ] || { printf '##bl:missing\\n'; exit 0; }
for f in "$d"/*.ncap; do [ -f "$f" ] || continue; n=\${f##*/}; off=0
  for kv in "$@"; do [ "\${kv%=*}" = "$n" ] && off=\${kv##*=}; done
  size=$(wc -c < "$f"); printf '##bl:file %s %s %s\\n' "$n" "$size" "$off"
  [ "$size" -gt "$off" ] && tail -c +$((off + 1)) "$f" | head -c "$max" | base64
done
printf '##bl:end\\n'`;

export function fetchArgv(id: string, maxBytes: number, offsets: Record<string, number>): string[] {
  return ['/bin/sh', '-c', FETCH_SCRIPT, 'backline-remote-receiver-fetch', id, String(maxBytes), ...Object.entries(offsets).map(([name, offset]) => `${name}=${offset}`)];
}

const STOP_SCRIPT = `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export LC_ALL=C
${BASE}; d=$base/$1
[ -d "$d" ] || { echo missing; exit 0; }
p=$(cat "$d/pid" 2>/dev/null)
if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
  # Its session: socat's children, or timeout's socat, go with it.
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p"; i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done
  kill -0 "$p" 2>/dev/null && { kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p"; }
  date +%s > "$d/stopped"; echo stopped
else echo "not-running"; fi`;

export function stopArgv(id: string): string[] {
  return ['/bin/sh', '-c', STOP_SCRIPT, 'backline-remote-receiver-stop', id];
}
