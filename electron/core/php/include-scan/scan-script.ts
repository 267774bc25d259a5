/**
 * The remote-include scan, one read-only command: `find` lists the docroots' PHP files (.php, .inc,
 * .phtml) with their sizes, an awk feeder passes them on until the file or byte budget is spent (noting
 * how far it got in a status file as it goes), `xargs grep -E` looks for a call that reads a literal
 * remote URL, and a second awk bounds the hits kept. All of it under `nice -n 19` (and `ionice -c3`
 * where the server has it) and `timeout`, so the server's own work comes first and the scan ends on
 * time even if the runner's connection is gone.
 *
 * Arguments: SCAN_WALK, INCLUDE_PATTERN, max files, max bytes, time in seconds, max hits, then the docroots. Output lines:
 *   D <ok|missing|not-a-directory|unreadable> <path>   each docroot, before the walk
 *   M <file>:<line>:<code>                             a hit (m: the line was cut at 2000 bytes)
 *   H <n>                                              hit lines grep printed in all
 *   X <exit>                                           the walk's exit (124: the time limit)
 *   C <files> <docroot>                                files listed under a docroot
 *   P <files> <bytes>                                  progress of the feeder (the last one counts)
 *   S <files|bytes> <next file>                        the budget that stopped the walk
 *   N <note>                                           what the server lacks (ionice, find -printf...)
 *   E                                                  the end
 */

/** What grep looks for (case-insensitive, as PHP's function names are): a known call, then a quoted remote URL on the same line. */
export const INCLUDE_PATTERN =
  `(^|[^a-z0-9_$>:])((include|require)(_once)?|file_get_contents|fopen|readfile|file|curl_init|curlopt_url|simplexml_load_file|get_headers|copy|getimagesize|parse_ini_file|md5_file)([^a-z0-9_]|$).*['"](https?|ftps?)://`;

/** Bytes of a code line kept; longer lines (minified code) are cut and marked. */
export const SCAN_LINE_BYTES = 2000;

/** The walk itself, run by `sh -c` under nice/ionice/timeout: passed as an argument, so nothing is quoted twice. */
export const SCAN_WALK = String.raw`
max_files=$1; max_bytes=$2; max_hits=$3; st=$4; sized=$5; pattern=$6; shift 6
# Half the system's argument space per grep: a few grep processes (each compiles the pattern) instead of dozens.
xargs_s=$(getconf ARG_MAX 2>/dev/null) || xargs_s=262144
xargs_s=$((xargs_s / 2))
[ "$xargs_s" -ge 65536 ] || xargs_s=65536
[ "$xargs_s" -le 1048576 ] || xargs_s=1048576
for d in "$@"; do
  printf '@@root %s\n' "$d"
  if [ "$sized" = 1 ]; then
    find "$d" -type f \( -name '*.php' -o -name '*.inc' -o -name '*.phtml' \) -printf '%s %p\n'
  else
    find "$d" -type f \( -name '*.php' -o -name '*.inc' -o -name '*.phtml' \) -print
  fi
done | awk -v maxf="$max_files" -v maxb="$max_bytes" -v st="$st" -v sized="$sized" '
  function counted() { if (root != "") printf "C %d %s\n", here, root >> st }
  /^@@root / { counted(); root = substr($0, 8); here = 0; next }
  {
    if (sized == 1) { sp = index($0, " "); size = substr($0, 1, sp - 1) + 0; path = substr($0, sp + 1) } else { size = 0; path = $0 }
    if (files + 1 > maxf) { stop = "files"; exit }
    if (bytes + size > maxb) { stop = "bytes"; exit }
    files++; bytes += size; here++
    print path
    if (files % 500 == 0) { printf "P %d %d\n", files, bytes >> st; fflush(st) }
  }
  END { counted(); printf "P %d %d\n", files, bytes >> st; if (stop != "") printf "S %s %s\n", stop, path >> st; close(st) }
' | xargs -r -s "$xargs_s" -d '\n' grep -H -n -I -i -E -e "$pattern" -- | awk -v maxh="$max_hits" -v cut=${SCAN_LINE_BYTES} '
  { n++; if (n <= maxh) { if (length($0) > cut) print "m " substr($0, 1, cut); else print "M " $0; fflush() } }
  END { print "H " n + 0 }
'
`;

export const SCAN_SCRIPT = String.raw`
PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"; export PATH
LC_ALL=C; export LC_ALL
walk=$1; pattern=$2; max_files=$3; max_bytes=$4; time_s=$5; max_hits=$6; shift 6
run="nice -n 19"
if command -v ionice >/dev/null 2>&1 && ionice -c3 true 2>/dev/null; then run="$run ionice -c3"; else echo "N no ionice: the scan runs niced only"; fi
if command -v timeout >/dev/null 2>&1; then run="$run timeout $time_s"; else echo "N no timeout command: only Backline's own time limit stops the scan"; fi
sized=0
if find / -maxdepth 0 -printf '' >/dev/null 2>&1; then sized=1; else echo "N find without -printf: the byte limit cannot be applied"; fi
st=$(mktemp 2>/dev/null) || { st=/dev/null; echo "N no temporary file: where the scan stopped is not known"; }
n=0
for d in "$@"; do
  if [ ! -e "$d" ]; then echo "D missing $d"
  elif [ ! -d "$d" ]; then echo "D not-a-directory $d"
  elif [ ! -r "$d" ] || [ ! -x "$d" ]; then echo "D unreadable $d"
  else echo "D ok $d"; n=$((n + 1)); fi
done
if [ "$n" -gt 0 ]; then
  for d in "$@"; do [ -d "$d" ] && [ -r "$d" ] && [ -x "$d" ] && set -- "$@" "$d"; shift; done
  $run sh -c "$walk" sh "$max_files" "$max_bytes" "$max_hits" "$st" "$sized" "$pattern" "$@"
  echo "X $?"
  [ "$st" != /dev/null ] && cat "$st"
fi
[ "$st" != /dev/null ] && rm -f "$st"
echo E
`;
