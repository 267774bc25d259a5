/**
 * The per-head probe, one read-only command on the customer's server: resolve the host there
 * (`getent ahosts`, the resolver PHP uses), then fetch the URL once per address, pinned to it with
 * the right Host header and SNI (`curl --resolve host:port:addr`). The body is never kept: it goes
 * through `head -c` (max bytes + 1, so a cut is seen even on a chunked answer `--max-filesize` cannot
 * judge) into `wc -c`; curl's `-w` gives status, times and size, its `-D` the headers. Without curl,
 * wget (http only: it cannot set SNI for an address) or PHP fetches, and the output says which.
 * With PHP asked for, PHP's own http:// stream wrapper fetches too, as the site's code does
 * (ignore_errors: the error's body is read), under a memory_limit and a timeout of its own, and says
 * its peak memory: what one worker pays for that answer.
 *
 * Arguments: url, host, port, scheme, Host header, path (with the query), seconds, max bytes, php (1/0), PHP memory_limit, PHP_FETCH.
 * Every line Backline reads starts with `@@backline `; a fetch's lines come between `head ADDR` and `head-end`.
 */

/** PHP's side of the probe (argv: address, url, host, port, scheme, Host header, timeout seconds). */
export const PHP_FETCH = String.raw`
$addr = $argv[1]; $url = $argv[2]; $host = $argv[3]; $port = (int) $argv[4]; $scheme = $argv[5]; $hostHeader = $argv[6]; $timeout = (float) $argv[7];
$GLOBALS['t0'] = microtime(true);
register_shutdown_function(function () {
  $e = error_get_last();
  echo "@@backline php-peak ", memory_get_peak_usage(true), "\n";
  if ($e !== null) echo "@@backline php-error ", str_replace("\n", ' ', $e['message']), "\n";
  echo "@@backline php-time ", (int) round((microtime(true) - $GLOBALS['t0']) * 1000), "\n";
});
$p = parse_url($url);
$path = ($p['path'] ?? '/') . (isset($p['query']) ? '?' . $p['query'] : '');
$ip = strpos($addr, ':') !== false ? "[$addr]" : $addr;
$ctx = ['http' => ['header' => "Host: $hostHeader\r\nUser-Agent: Backline head probe", 'timeout' => $timeout, 'ignore_errors' => true, 'follow_location' => 0]];
if ($scheme === 'https') $ctx['ssl'] = ['peer_name' => $host, 'SNI_enabled' => true];
$fp = @fopen("$scheme://$ip:$port$path", 'r', false, stream_context_create($ctx));
if ($fp === false) { $e = error_get_last(); echo "@@backline php-open-failed ", $e === null ? '' : str_replace("\n", ' ', $e['message']), "\n"; error_clear_last(); exit(0); }
$meta = stream_get_meta_data($fp);
foreach ($meta['wrapper_data'] ?? [] as $h) echo "@@backline php-header ", $h, "\n";
$body = stream_get_contents($fp);
if ($meta['timed_out'] ?? false) echo "@@backline php-timed-out\n";
echo "@@backline php-bytes ", $body === false ? 'false' : strlen($body), "\n";
`;

export const HEADS_SCRIPT = String.raw`
PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"; export PATH
LC_ALL=C; export LC_ALL
url=$1; host=$2; port=$3; scheme=$4; host_header=$5; path=$6; time_s=$7; max_bytes=$8; via_php=$9; shift 9; php_mem=$1; php_fetch=$2
mark() { printf '@@backline %s\n' "$*"; }
tmp=$(mktemp -d 2>/dev/null) || { tmp=""; mark "note no temporary folder: headers and error messages are not shown"; }
trap '[ -n "$tmp" ] && rm -rf "$tmp"' EXIT
hf=/dev/null; ef=/dev/null
[ -n "$tmp" ] && { hf="$tmp/h"; ef="$tmp/e"; }
limit=""
command -v timeout >/dev/null 2>&1 && limit="timeout $((time_s + 5))"
mark resolve
getent ahosts "$host"
mark "resolve-exit $?"
addrs=$(getent ahosts "$host" | awk '!seen[$1]++ { print $1 }')
fetcher=none
if command -v curl >/dev/null 2>&1; then fetcher=curl
elif command -v wget >/dev/null 2>&1; then fetcher=wget
elif command -v php >/dev/null 2>&1; then fetcher=php; fi
mark "fetcher $fetcher"
php=$(command -v php 2>/dev/null)
cap=$((max_bytes + 1))
exec 4>&1
php_fetch() {
  : > "$ef"
  $limit "$php" -n -d memory_limit="$php_mem" -d display_errors=stderr -d log_errors=0 -d default_socket_timeout="$time_s" -d allow_url_fopen=1 \
    -r "$php_fetch" -- "$1" "$url" "$host" "$port" "$scheme" "$host_header" "$time_s" 2>"$ef"
  mark "php-exit $?"
  [ -s "$ef" ] && sed 's/^/@@backline php-said /' "$ef"
}
for a in $addrs; do
  mark "head $a"
  : > "$hf"; : > "$ef"
  case $fetcher in
  curl)
    { curl -sS -g --max-time "$time_s" --connect-timeout "$time_s" --resolve "$host:$port:$a" -D "$hf" -o /dev/fd/3 -A 'Backline head probe' \
        -w '\n@@backline curl %{http_code} %{size_download} %{time_starttransfer} %{time_total} %{remote_ip}\n' "$url" 3>&1 1>&4 2>"$ef"
      echo "@@backline curl-exit $?" >&4; } | { n=$(head -c "$cap" | wc -c); echo "@@backline bytes $n"; }
    tr -d '\r' < "$hf" | sed 's/^/@@backline header /'
    sed 's/^/@@backline said /' "$ef"
    ;;
  wget)
    if [ "$scheme" = https ]; then
      mark "skip wget cannot pin an https fetch to one address with the right SNI"
    else
      case $a in *:*) ua="[$a]" ;; *) ua=$a ;; esac
      start=$(date +%s%N)
      { $limit wget -q -S -O /dev/fd/3 -T "$time_s" -t 1 --max-redirect=0 --content-on-error -U 'Backline head probe' --header "Host: $host_header" "http://$ua:$port$path" 3>&1 1>&4 2>"$ef"
        echo "@@backline wget-exit $?" >&4; } | { n=$(head -c "$cap" | wc -c); echo "@@backline bytes $n"; }
      end=$(date +%s%N)
      mark "elapsed-ns $start $end"
      tr -d '\r' < "$ef" | sed 's/^/@@backline said /'
    fi
    ;;
  esac
  if [ -n "$php" ] && { [ "$via_php" = 1 ] || [ "$fetcher" = php ]; }; then php_fetch "$a"; fi
  mark head-end
done
[ "$via_php" = 1 ] && [ -z "$php" ] && mark "note no php on this server: PHP's own fetch was not tried"
mark end
`;
