/**
 * The PHP memory picture's probe (issue 12, item 1): one read-only script, run as
 * `['/bin/sh', '-c', MEMORY_PROBE_SCRIPT, 'sh']` with `viaStdin: true` and `sudo: false`. It uses
 * `sudo -n` itself, once tested, only for what needs root (other users' smaps_rollup, the kernel
 * ring buffer, root-only logs, the FPM status socket), so one server without sudo
 * still gives everything an ordinary user can read, and says what it could not.
 *
 * Output is sections opened by `##bl:NAME ARGS` lines; `##bl:cannot TEXT` inside a section is a plain
 * statement of what could not be read and why. Every command's stdin is /dev/null (the runner's
 * wrapper), nothing is written anywhere, and every log read is bounded. `php-fpm -tt` is never run:
 * as root it appends its whole configuration dump to the FPM error log, so the files are read instead.
 */

/** Lines read from the end of each PHP / FPM / web-server log. */
export const LOG_TAIL_LINES = 2000;
/** Kernel log lines about the OOM killer, newest kept. */
export const KERNEL_TAIL_LINES = 300;

/** PHP CLIs looked for on PATH and in the usual places. */
const CLI_NAMES = ['php', 'php5', 'php7.0', 'php7.1', 'php7.2', 'php7.3', 'php7.4', 'php8.0', 'php8.1', 'php8.2', 'php8.3', 'php8.4', 'php8.5'];

/** What `php -r` prints for each CLI: its version, the five settings, then the ini files it loaded. */
const CLI_INI_CODE = [
  // The version line `php -v` would print first (one PHP start saved: each costs 0.1-0.5 s on a busy server).
  "echo 'PHP ', PHP_VERSION, ' (', PHP_SAPI, ')', PHP_EOL;",
  "foreach (['memory_limit','max_execution_time','default_socket_timeout','allow_url_fopen','allow_url_include','error_log','log_errors'] as $k) { $v = ini_get($k); echo 'ini ', $k, '=', $v === false ? '(unset)' : $v, PHP_EOL; }",
  "echo 'loaded=', (string) php_ini_loaded_file(), PHP_EOL;",
  "foreach (array_filter(array_map('trim', explode(',', (string) php_ini_scanned_files()))) as $f) echo 'scanned=', $f, PHP_EOL;",
].join(' ');

/**
 * A FastCGI client in PHP (php -r CODE -- LISTEN PATH): asks a pool for its status page through the pool's
 * own socket, as cgi-fcgi would, with the php CLI most FPM servers have. Bounded to 1 MB and 10 s.
 */
const FCGI_STATUS_CODE = String.raw`$l = $argv[1]; $p = $argv[2];
$a = $l[0] == "/" ? "unix://$l" : "tcp://" . (preg_match("/^\d+$/", $l) ? "127.0.0.1:$l" : $l);
$s = @stream_socket_client($a, $en, $es, 5);
if (!$s) { echo "fcgi: cannot connect to $l: $es\n"; exit(1); }
stream_set_timeout($s, 10);
$rec = function ($t, $c) { return pack("CCnnCx", 1, $t, 1, strlen($c), 0) . $c; };
$len = function ($n) { return $n < 128 ? chr($n) : pack("N", $n | 0x80000000); };
$kv = "";
foreach (["SCRIPT_NAME" => $p, "SCRIPT_FILENAME" => $p, "REQUEST_URI" => "$p?json&full", "REQUEST_METHOD" => "GET", "QUERY_STRING" => "json&full"] as $k => $v) $kv .= $len(strlen($k)) . $len(strlen($v)) . $k . $v;
fwrite($s, $rec(1, pack("nCx5", 1, 0)) . $rec(4, $kv) . $rec(4, "") . $rec(5, ""));
$o = "";
while (strlen($o) < 1000000 && ($h = fread($s, 8)) !== false && strlen($h) == 8) {
  $u = unpack("Cv/Ct/nid/nlen/Cpad", $h); $n = $u["len"] + $u["pad"]; $c = "";
  while (strlen($c) < $n && !feof($s)) $c .= fread($s, $n - strlen($c));
  if ($u["t"] == 6) $o .= substr($c, 0, $u["len"]);
  if ($u["t"] == 3) break;
}
echo $o;`;

// Kernel messages of the OOM killer across versions (2.6 to 6.x), memcg and global.
const OOM_PATTERN = 'Out of memory|Killed process|oom-kill:|invoked oom-killer|Memory cgroup out of memory|oom_reaper|killed as a result of limit of';

export const MEMORY_PROBE_SCRIPT = `PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH; LC_ALL=C; export LC_ALL
s() { printf '\\n##bl:%s\\n' "$*"; }
no() { printf '##bl:cannot %s\\n' "$*"; }
uid=$(id -u 2>/dev/null); R=none
if [ "$uid" = 0 ]; then R=root; elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then R=sudo; fi
# What needs root runs under sudo -n when that works, else as this user (and fails where it must).
# A config file without its comments and blank lines.
conf() { grep -v -e '^[[:space:]]*[;#]' -e '^[[:space:]]*$' "$1" 2>&1; [ -r "$1" ]; }
# Which ini files set the settings, in PHP's load order (the last one wins): "set FILE:NAME = VALUE".
iniset() { for f; do grep -H -E '^[[:space:]]*(memory_limit|max_execution_time|default_socket_timeout|allow_url_fopen|allow_url_include)[[:space:]]*=' "$f" 2>/dev/null | sed 's/^/set /'; done; }
# What the FPM SAPI itself reads (its php.ini and conf.d, not the CLI's), and which files set it.
fpmini() {
  i=$("$1" -i 2>&1 | grep -E '^(PHP Version|Server API|Loaded Configuration File|Scan this dir for additional .ini files|Additional .ini files parsed|memory_limit|max_execution_time|default_socket_timeout|allow_url_fopen|allow_url_include|error_log|log_errors) =>|^/.*\\.ini,?$')
  printf '%s\\n' "$i"; iniset $(printf '%s\\n' "$i" | sed -n -e 's/^Loaded Configuration File => //p' -e 's/^Additional .ini files parsed => //p' -e 's/^\\(\\/.*\\.ini\\),\\{0,1\\}$/\\1/p' | tr -d , | awk '!seen[$0]++')
}
asroot() { if [ "$R" = sudo ]; then sudo -n "$@"; else "$@"; fi; }
s access; echo "uid=$uid user=$(id -un 2>/dev/null) root=$R now=$(date +%s) uptime=$(cut -d' ' -f1 /proc/uptime 2>/dev/null) host=$(hostname 2>/dev/null)"
[ "$R" = none ] && no "run as $(id -un 2>/dev/null) without root, and sudo -n does not work here: other users' processes (PSS), the kernel log and root-only logs may be unreadable"

s meminfo; grep -E '^(MemTotal|MemAvailable|SwapTotal|SwapFree):' /proc/meminfo 2>&1 || no "/proc/meminfo is not readable"

seen=" "
for n in ${CLI_NAMES.join(' ')}; do
  for p in $(command -v "$n" 2>/dev/null) /usr/bin/$n /usr/local/bin/$n; do
    [ -x "$p" ] && [ -f "$p" ] || continue
    r=$(readlink -f "$p" 2>/dev/null || echo "$p"); case $seen in *" $r "*) continue;; esac; seen="$seen$r "
    s cli "$n" "$p"; phpcli=\${phpcli:-$p}
    out=$("$p" -r "${CLI_INI_CODE.replace(/["$\\`]/g, (c) => `\\${c}`)}" 2>&1)
    printf '%s\\n' "$out"; iniset $(printf '%s\\n' "$out" | sed -n -e 's/^loaded=//p' -e 's/^scanned=//p')
  done
done
[ "$seen" = " " ] && { s cli-none; no "no php CLI binary was found (looked for ${CLI_NAMES.join(', ')} on PATH, /usr/bin and /usr/local/bin)"; }

# PHP's processes by their command name: php CLIs, FPM masters and workers (by their title), Apache.
# procps first; BusyBox's ps (Alpine) knows no -e, etime(s) or user:32, and its command is column 6.
phpre='^(.*/)?(php[0-9.]*|php-fpm[0-9.]*:?|php-cgi[0-9.]*|lsphp[0-9]*|apache2|httpd)$'
psout=$(ps -eo pid,ppid,user:32,rss,vsz,etimes,args 2>/dev/null | awk -v re="$phpre" 'NR==1 || $7 ~ re')
# (BusyBox shows "{php-fpm8.2} php-fpm: pool www" when a process renamed itself.)
[ -n "$psout" ] || psout=$(ps -o pid,ppid,user,rss,vsz,args 2>&1 | awk -v re="$phpre" '{ c = $6; if (c ~ /^[{]/) c = $7 } NR==1 || c ~ re')
s ps; printf '%s\\n' "$psout"
pids=$(printf '%s\\n' "$psout" | awk 'NR>1 {print $1}')
s pss
# PSS, and whether each process is this system's: PHP in a container (or a lab neighbour sharing the
# PID namespace) shows in ps, but runs in another network namespace or from another root, and its
# configuration is not the one this system's files hold.
pssout=""
[ -n "$pids" ] && pssout=$(asroot /bin/sh -c 'net=$(readlink /proc/$$/ns/net 2>/dev/null); root=$(stat -L -c %d:%i / 2>/dev/null)
for p; do
  [ -d /proc/$p ] || { echo "$p gone"; continue; }
  v=$(grep "^Pss:" /proc/$p/smaps_rollup 2>/dev/null) && echo "$p $v" || { [ -d /proc/$p ] && echo "$p unreadable" || { echo "$p gone"; continue; }; }
  n=$(readlink /proc/$p/ns/net 2>/dev/null); r=$(stat -L -c %d:%i /proc/$p/root/ 2>/dev/null)
  if [ -z "$n" ] || [ -z "$net" ]; then echo "$p ns=unknown"; elif [ "$n" != "$net" ] || { [ -n "$r" ] && [ "$r" != "$root" ]; }; then echo "$p ns=other"; else echo "$p ns=same"; fi
done' sh $pids)
printf '%s\\n' "$pssout"

masters=""; mconfs=" "; poolfiles=""
for m in $(printf '%s\\n' "$psout" | awk '/ php-fpm[^ ]*: master process/ {print $1}'); do
  if printf '%s\\n' "$pssout" | grep -qx "$m ns=other"; then s fpm-elsewhere "$m"; tr '\\000' ' ' < "/proc/$m/cmdline" 2>/dev/null; echo; continue; fi
  masters="$masters $m"
done
[ -z "$masters" ] && { s fpm-none; no "no php-fpm master process is running on this system"; }
for m in $masters; do
  args=$(tr '\\000' ' ' < "/proc/$m/cmdline" 2>/dev/null | sed 's/ *$//'); conf=$(printf '%s\\n' "$args" | sed -n 's/.*(\\(.*\\)).*/\\1/p')
  bin=$(asroot readlink "/proc/$m/exe" 2>/dev/null | sed 's/ (deleted)$//')
  if [ -z "$bin" ]; then v=$(printf '%s\\n' "$conf" | sed -n 's|^/etc/php/\\([0-9.]*\\)/fpm/.*|\\1|p'); bin=$(command -v "php-fpm$v" 2>/dev/null || ls /usr/sbin/php-fpm* /usr/local/sbin/php-fpm* 2>/dev/null | head -n 1); fi
  mconfs="$mconfs$conf "
  s fpm-master "$m" "$bin" "$conf"; printf '%s\\n' "$args"
  s fpm-cgroup "$m"; cat "/proc/$m/cgroup" 2>&1
  # /sys/fs/cgroup as this mount namespace sees it, else as PID 1's does (a session started by
  # "ip netns exec" gets a fresh /sys without the cgroup mounts).
  found=""
  for line in $(cat "/proc/$m/cgroup" 2>/dev/null); do
    h=\${line%%:*}; rest=\${line#*:}; ctl=\${rest%%:*}; path=\${rest#*:}
    if [ "$h" = 0 ] && [ -z "$ctl" ]; then
      for d in "/sys/fs/cgroup$path" "/sys/fs/cgroup/unified$path" "/proc/1/root/sys/fs/cgroup$path"; do
        asroot test -r "$d/memory.max" 2>/dev/null || continue
        echo "v2 $d max=$(asroot cat "$d/memory.max") current=$(asroot cat "$d/memory.current" 2>/dev/null) $(asroot grep '^oom_kill ' "$d/memory.events" 2>/dev/null | tr ' ' '=')"; found=1; break
      done
    fi
    case ",$ctl," in *,memory,*)
      for d in "/sys/fs/cgroup/memory$path" "/proc/1/root/sys/fs/cgroup/memory$path"; do
        asroot test -r "$d/memory.limit_in_bytes" 2>/dev/null || continue
        echo "v1 $d max=$(asroot cat "$d/memory.limit_in_bytes") current=$(asroot cat "$d/memory.usage_in_bytes" 2>/dev/null) $(asroot grep '^oom_kill ' "$d/memory.oom_control" 2>/dev/null | tr ' ' '=')"; found=1; break
      done;;
    esac
  done
  [ -n "$found" ] || no "the memory cgroup of php-fpm master $m could not be read (no memory.max or memory.limit_in_bytes found for it under /sys/fs/cgroup$( [ "$R" = none ] && echo ', and without root /proc/1/root is closed')): its memory limit is unknown"
  [ -n "$bin" ] || { no "the binary of php-fpm master $m is unknown (no root to read /proc/$m/exe, and no php-fpm binary in /usr/sbin or on PATH): its pools and ini cannot be read"; continue; }
  s fpm-ini "$m" "$bin"; fpmini "$bin"
done
# The FPM configuration on disk (pools, their php_value overrides), whether a master runs or not.
confs=$(for c in $mconfs /etc/php/*/fpm/php-fpm.conf /etc/php-fpm.conf /usr/local/etc/php-fpm.conf /etc/opt/remi/*/php-fpm.conf; do [ -f "$c" ] && echo "$c"; done | awk '!seen[$0]++')
for c in $confs; do
  s fpm-conf "$c"; conf "$c" || no "$c is not readable"
  for inc in $(sed -n 's/^[[:space:]]*include[[:space:]]*=[[:space:]]*//p' "$c" 2>/dev/null); do
    case $inc in /*) ;; *) inc="$(dirname "$c")/$inc";; esac
    for f in $inc; do [ -f "$f" ] || continue; s fpm-pool-file "$f"; conf "$f" || no "pool file $f is not readable"; poolfiles="$poolfiles $f"; done
  done
  d=$(dirname "$c"); b=$(basename "$(dirname "$d")")
  if [ -d "$d" ]; then case $mconfs in *" $c "*) continue;; esac
    for f in /usr/sbin/php-fpm$b /usr/sbin/php-fpm; do [ -x "$f" ] || continue
      s fpm-ini-installed "$c" "$f"; fpmini "$f"; break
    done
  fi
done

# httpd is Apache's name on RHEL, and also BusyBox's small web server: only Apache's counts.
a=$(command -v apache2ctl 2>/dev/null || command -v apachectl 2>/dev/null)
# Nothing is run to find out: BusyBox's "httpd -v" starts a server.
[ -z "$a" ] && [ -f /etc/httpd/conf/httpd.conf ] && [ -x /usr/sbin/httpd ] && a=/usr/sbin/httpd
if [ -n "$a" ]; then
  mods=$(asroot "$a" -M 2>&1 | grep -i -e php -e 'Loaded Modules' -e 'not permitted' -e denied | head -n 20)
  s apache "$a"; printf '%s\\n' "$mods"
  # mod_php reads its own php.ini (Debian: /etc/php/X.Y/apache2/, RHEL: /etc/php.ini and /etc/php.d): which files set what.
  if printf '%s\\n' "$mods" | grep -q '^ *php[0-9]*_module'; then
    s apache-ini
    if ls /etc/php/*/apache2/php.ini >/dev/null 2>&1; then iniset /etc/php/*/apache2/php.ini /etc/php/*/apache2/conf.d/*.ini; else iniset /etc/php.ini /etc/php.d/*.ini; fi
  fi
fi

if command -v journalctl >/dev/null 2>&1 && [ -n "$(asroot journalctl -k -n 1 -q --no-pager 2>/dev/null)" ]; then
  s kernel journal; asroot journalctl _TRANSPORT=kernel -S -30d -o short-iso --no-pager -q 2>&1 | grep -E '${OOM_PATTERN}|^(Failed|No journal|Hint)' | tail -n ${KERNEL_TAIL_LINES}
elif asroot dmesg >/dev/null 2>&1; then
  s kernel dmesg; asroot dmesg 2>&1 | grep -E '${OOM_PATTERN}' | tail -n ${KERNEL_TAIL_LINES}
else
  k=""; for f in /var/log/kern.log /var/log/messages; do [ -f "$f" ] && { k=$f; break; }; done
  if [ -n "$k" ]; then s kernel kern.log "$k"; asroot grep -E '${OOM_PATTERN}' "$k" 2>&1 | tail -n ${KERNEL_TAIL_LINES}
  else s kernel none; no "the kernel log cannot be read: no systemd journal with kernel messages, dmesg refused$( [ "$R" = none ] && echo ' (it needs root here)'), and no /var/log/kern.log or /var/log/messages"; fi
fi

# PHP and FPM logs: FPM's error_log, every pool's slowlog and php_admin_value[error_log], PHP's
# error_log of each SAPI, and the web servers' error logs (where FPM's PHP messages go when nothing else is set).
logs=$( {
  for c in $confs; do
    sed -n 's/^[[:space:]]*error_log[[:space:]]*=[[:space:]]*\\(\\/[^[:space:]]*\\).*/fpm-error \\1/p' "$c" 2>/dev/null
    for inc in $(sed -n 's/^[[:space:]]*include[[:space:]]*=[[:space:]]*//p' "$c" 2>/dev/null); do
      case $inc in /*) ;; *) inc="$(dirname "$c")/$inc";; esac
      for f in $inc; do [ -f "$f" ] && sed -n -e 's/^[[:space:]]*slowlog[[:space:]]*=[[:space:]]*\\(\\/[^[:space:]]*\\).*/slowlog \\1/p' -e 's/^[[:space:]]*php_\\(admin_\\)\\{0,1\\}value\\[error_log\\][[:space:]]*=[[:space:]]*\\(\\/[^[:space:]]*\\).*/php-error \\2/p' "$f" 2>/dev/null; done
    done
  done
  for i in /etc/php/*/*/php.ini /etc/php.ini /usr/local/etc/php/php.ini; do [ -f "$i" ] && sed -n 's/^[[:space:]]*error_log[[:space:]]*=[[:space:]]*"\\{0,1\\}\\(\\/[^"[:space:]]*\\).*/php-error \\1/p' "$i" 2>/dev/null; done
  for f in /var/log/php*-fpm.log /var/log/php-fpm/error.log /var/log/php-fpm/*slow*.log /var/log/php_errors.log; do [ -f "$f" ] && case $f in *slow*) echo "slowlog $f";; *fpm*) echo "fpm-error $f";; *) echo "php-error $f";; esac; done
  for f in /var/log/nginx/error.log /var/log/apache2/error.log /var/log/httpd/error_log; do [ -f "$f" ] && echo "web-error $f"; done
} | sort -u -k2,2)
printf '%s\\n' "$logs" | while read -r kind f; do
  [ -n "$f" ] || continue
  s log "$kind" "$f"
  if [ ! -e "$f" ]; then no "log $f does not exist"; continue; fi
  if [ "$kind" = web-error ]; then asroot tail -n ${LOG_TAIL_LINES * 5} "$f" 2>/dev/null | grep -F 'PHP ' | tail -n ${LOG_TAIL_LINES} || true
  else asroot tail -n ${LOG_TAIL_LINES} "$f" 2>/dev/null; fi
  asroot test -r "$f" 2>/dev/null || no "log $f is not readable by $(id -un 2>/dev/null)$( [ "$R" = none ] && echo ' without sudo')"
done

# FPM status pages: through the pool's own socket (a FastCGI client in PHP, or cgi-fcgi), else the web server on 127.0.0.1.
[ -n "$masters" ] && for f in $poolfiles; do cat "$f" 2>/dev/null; done \\
  | sed -e 's/^.*NOTICE: //' -e 's/^[[:space:]]*//' | awk '/^;/ {next} /^\\[/ {pool=$0; gsub(/[][]/, "", pool)} /^listen[[:space:]]*=/ {sub(/^listen[[:space:]]*=[[:space:]]*/, ""); listen[pool]=$0} /^pm.status_path[[:space:]]*=/ {sub(/^pm.status_path[[:space:]]*=[[:space:]]*/, ""); if ($0 != "undefined" && !seen[pool]++) print pool, listen[pool], $0}' | while read -r pool listen sp; do
  s fpm-status "$pool" "$listen" "$sp"
  # Each way in turn until one answers with the JSON; every attempt is printed under its "via" line.
  got=""
  if [ -n "\${phpcli:-}" ]; then
    out=$(asroot "$phpcli" -n -r '${FCGI_STATUS_CODE}' -- "$listen" "$sp" 2>&1 | head -c 1000000); echo "via php-fcgi"; printf '%s\\n' "$out"
    case $out in *'{"pool"'*) got=1;; esac
  fi
  if [ -z "$got" ] && command -v cgi-fcgi >/dev/null 2>&1; then
    out=$(asroot env SCRIPT_NAME="$sp" SCRIPT_FILENAME="$sp" REQUEST_METHOD=GET QUERY_STRING='json&full' timeout 10 cgi-fcgi -bind -connect "$listen" 2>&1 | head -c 1000000); echo "via cgi-fcgi"; printf '%s\\n' "$out"
    case $out in *'{"pool"'*) got=1;; esac
  fi
  if [ -z "$got" ] && command -v curl >/dev/null 2>&1; then
    echo "via curl"; curl -sS -m 10 --max-filesize 1000000 -H 'Host: localhost' "http://127.0.0.1$sp?json&full" 2>&1 | head -c 1000000; echo
  fi
  [ -n "\${phpcli:-}" ] || command -v cgi-fcgi >/dev/null 2>&1 || command -v curl >/dev/null 2>&1 || no "the status page of pool $pool ($sp) cannot be fetched: no php CLI, cgi-fcgi or curl here"
done
s end
`;
