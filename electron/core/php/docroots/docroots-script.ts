/**
 * Read-only: prints the web servers' own view of their configuration, each part after a
 * `@@backline <what>` marker line, for docroots-output.ts. nginx: `nginx -T` (its stderr kept apart);
 * Apache: `apache2ctl -S` (else `-D DUMP_VHOSTS`), then the directive lines of every vhost file it names,
 * since -S does not print a vhost's DocumentRoot. A web server that is not there is said, not guessed.
 * Sent on stdin to /bin/sh (the runner's viaStdin), with no arguments.
 */
export const DOCROOTS_SCRIPT = String.raw`
PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"; export PATH
LC_ALL=C; export LC_ALL
mark() { printf '\n@@backline %s\n' "$*"; }
err=$(mktemp 2>/dev/null) || err=""
trap '[ -n "$err" ] && rm -f "$err"' EXIT

n=$(command -v nginx 2>/dev/null)
if [ -n "$n" ]; then
  mark "nginx $n"
  if [ -n "$err" ]; then "$n" -T 2>"$err"; code=$?; else "$n" -T 2>/dev/null; code=$?; fi
  mark "nginx-exit $code"
  [ -n "$err" ] && sed 's/^/@@backline nginx-stderr /' "$err"
else
  mark "nginx-absent"
fi

a=""
for c in apache2ctl apachectl httpd; do
  a=$(command -v "$c" 2>/dev/null) && [ -n "$a" ] && break
  a=""
done
if [ -n "$a" ]; then
  out=$("$a" -S 2>&1); code=$?
  how="-S"
  case "$out" in
    *"VirtualHost configuration"*) ;;
    *) out2=$("$a" -t -D DUMP_VHOSTS 2>&1); code2=$?
       case "$out2" in *"VirtualHost configuration"*) out=$out2; code=$code2; how="-t -D DUMP_VHOSTS";; esac ;;
  esac
  mark "apache $a $how"
  printf '%s\n' "$out"
  mark "apache-exit $code"
  printf '%s\n' "$out" | sed -n 's/.*(\(\/[^()]*\):[0-9][0-9]*)[[:space:]]*$/\1/p' | sort -u | while IFS= read -r f; do
    mark "apache-file $f"
    if [ -r "$f" ]; then
      grep -n -i -E '^[[:space:]]*(<VirtualHost|</VirtualHost|DocumentRoot|ServerName|ServerAlias|SetHandler|ProxyPassMatch)([[:space:]]|>|$)' "$f"
    else
      mark "apache-file-unreadable"
    fi
  done
else
  mark "apache-absent"
fi
mark "end"
`;
