/**
 * The memory watch, one long-running read-only command: a sh loop that, every interval, runs one awk
 * over /proc (no ps, no per-process fork) and sleeps. Per sample the awk reads /proc/meminfo, every
 * /proc/PID/stat (the name in parentheses, the RSS in pages), and for PHP's processes their cmdline
 * (FPM names its pool there: `php-fpm: pool www`) and, once per group, their memory cgroup with its
 * usage and limit (cgroup v1 `memory:` or v2 `0::`). A process that ends between the glob and the
 * read is skipped (getline, never a failed open). Stopped by the runner killing its process group, or
 * by itself when its output goes nowhere (the connection was lost), so it never loops on unread.
 *
 * Argument: the interval in seconds. Output, one block per sample:
 *   S <epoch seconds> <uptime seconds>
 *   M <MemTotal kB> <MemAvailable kB> <SwapTotal kB> <SwapFree kB>
 *   G <count> <rss bytes> <largest rss bytes> <name>     one per group of PHP processes
 *   C <usage bytes> <limit bytes|max> <cgroup path>      one per memory cgroup they are in
 *   E
 */
export const WATCH_AWK = String.raw`
BEGIN {
  srand(); now = srand()
  getline up < "/proc/uptime"; close("/proc/uptime"); split(up, u, " ")
  while ((getline line < "/proc/meminfo") > 0) { split(line, f, " "); mem[f[1]] = f[2] }
  close("/proc/meminfo")
  printf "S %d %s\nM %d %d %d %d\n", now, u[1], mem["MemTotal:"], mem["MemAvailable:"], mem["SwapTotal:"], mem["SwapFree:"]
  for (i = 1; i < ARGC; i++) {
    file = ARGV[i]
    if ((getline line < file) <= 0) { close(file); continue }
    close(file)
    # Most processes are not PHP's: skip them before any string work.
    if (line !~ /\((php|lsphp|apache2|httpd)/) continue
    open = index(line, "("); shut = 0
    for (j = length(line); j > open; j--) if (substr(line, j, 1) == ")") { shut = j; break }
    if (open == 0 || shut == 0) continue
    comm = substr(line, open + 1, shut - open - 1)
    if (comm !~ /^(php|lsphp)/ && comm != "apache2" && comm != "httpd") continue
    split(substr(line, shut + 2), a, " ")
    rss = a[22] * page
    dir = substr(file, 1, length(file) - 5)
    name = comm
    if (comm ~ /^php-fpm/) {
      cmd = ""
      if ((getline cmd < (dir "/cmdline")) > 0) {
        gsub(/\000.*/, "", cmd)
        if (cmd ~ /^php-fpm: pool /) name = comm " pool " substr(cmd, 15)
        else if (cmd ~ /^php-fpm: master/) name = comm " master"
      }
      close(dir "/cmdline")
    }
    sub(/[ \t]+$/, "", name)
    if (!(name in count)) { cg[name] = cgroupof(dir); names[++n] = name }
    count[name]++; sum[name] += rss; if (rss > big[name]) big[name] = rss
  }
  for (k = 1; k <= n; k++) { name = names[k]; printf "G %d %d %d %s\n", count[name], sum[name], big[name], name }
  for (k = 1; k <= n; k++) {
    path = cg[names[k]]
    if (path == "" || (path in done)) continue
    done[path] = 1
    split(path, p, "\t")
    use = ""; lim = ""
    if (p[1] == "v1") { base = "/sys/fs/cgroup/memory" p[2]; ufile = base "/memory.usage_in_bytes"; lfile = base "/memory.limit_in_bytes" }
    else { base = "/sys/fs/cgroup" p[2]; ufile = base "/memory.current"; lfile = base "/memory.max" }
    if ((getline use < ufile) > 0) {
      if ((getline lim < lfile) <= 0) lim = "max"
      printf "C %s %s %s\n", use, lim, p[2]
    }
    close(ufile); close(lfile)
  }
  print "E"
  fflush()
  exit
}
function cgroupof(dir,   line, v1, v2, f) {
  v1 = ""; v2 = ""
  while ((getline line < (dir "/cgroup")) > 0) {
    if (line ~ /^[0-9]+:([^:]*,)?memory(,[^:]*)?:/) { v1 = line; sub(/^[^:]*:[^:]*:/, "", v1) }
    else if (line ~ /^0::/) { v2 = substr(line, 4) }
  }
  close(dir "/cgroup")
  if (v1 != "" && v1 != "/") return "v1\t" v1
  if (v2 != "" && v2 != "/") return "v2\t" v2
  return ""
}
`;

export const WATCH_SCRIPT = String.raw`
LC_ALL=C; export LC_ALL
interval=$1; program=$2
page=$(getconf PAGESIZE 2>/dev/null) || page=4096
[ -n "$page" ] || page=4096
# awk fails (SIGPIPE) once nobody reads the output: Backline's connection is gone, so the loop ends too.
while awk -v page="$page" "$program" /proc/[0-9]*/stat; do
  sleep "$interval" || exit 0
done
`;
