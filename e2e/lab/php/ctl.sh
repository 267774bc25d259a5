#!/usr/bin/env bash
# Drives the lab's PHP server php1 for tests (root; takes the lab's lock, like up.sh):
#   sudo bash e2e/lab/php/ctl.sh memory-limit 512M   # the shop pool's memory_limit; FPM restarted
#   sudo bash e2e/lab/php/ctl.sh feeds head3         # feeds.lab.test resolves to head3 first on php1
#   sudo bash e2e/lab/php/ctl.sh reset               # back to lab.env: pool, /etc/hosts, FPM and nginx up
#   sudo bash e2e/lab/php/ctl.sh oom-kills           # the memory cgroup's OOM kills so far
#   sudo bash e2e/lab/php/ctl.sh memory              # the cgroup's limit and use, in bytes
# Each change prints one line saying what it did. The lab must be up (up.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage() { sed -n '2,8p' "$0" >&2; exit 2; }
(($#)) || usage
require_root
[[ -r $LAB_JSON ]] || die "the lab is not up: run \`sudo bash e2e/lab/up.sh\`"
netns_exists "$(php_ns)" || die "$LAB_PHP_HOST's namespace $(php_ns) is missing: run \`sudo bash e2e/lab/up.sh\`"

# FPM stopped (the master ends its children) and started again with the configuration on disk.
fpm_restart() {
  local pid
  pid=$(php_fpm_pid)
  [[ -z $pid ]] || kill_pids "$pid"
  php_services_ensure 0 0
}

cmd=$1
shift
case $cmd in
  memory-limit)
    (($# == 1)) && size_bytes "$1" >/dev/null || die "memory-limit needs a size such as 512M, not '${1:-}'"
    take_lock
    php_write_config "$1"
    if ((PHP_FPM_CHANGED)); then fpm_restart; fi
    echo "$LAB_PHP_HOST: the $LAB_PHP_POOL pool's memory_limit is $1 (php-fpm pid $(php_fpm_pid))"
    ;;
  feeds)
    (($#)) || die "feeds needs the heads to put first (head3)"
    for h in "$@"; do lab_heads | grep -q "^$h|" || die "feeds: $h is not a head of lab.env"; done
    take_lock
    etc_hosts_of "$LAB_PHP_HOST" "$@" | etc_netns_file "/etc/netns/$(php_ns)/hosts"
    echo "$LAB_PHP_HOST: $LAB_FEEDS_NAME resolves to $* first"
    ;;
  reset)
    take_lock
    etc_hosts_of "$LAB_PHP_HOST" | etc_netns_file "/etc/netns/$(php_ns)/hosts"
    php_write_config
    if ((PHP_FPM_CHANGED)) || [[ -z $(php_fpm_pid) ]]; then fpm_restart; fi
    php_services_ensure 0 "$PHP_NGINX_CHANGED"
    php_cgroup_adopt
    echo "$LAB_PHP_HOST: reset (memory_limit $LAB_PHP_FPM_MEMORY_LIMIT, $LAB_FEEDS_NAME in lab.env's order, php-fpm pid $(php_fpm_pid), nginx pid $(php_nginx_pid))"
    ;;
  oom-kills)
    n=$(php_oom_kills)
    [[ -n $n ]] || die "$LAB_PHP_HOST has no memory cgroup: run \`sudo bash e2e/lab/up.sh\`"
    echo "$n"
    ;;
  memory)
    m=$(php_cgroup_memory)
    [[ -n $m ]] || die "$LAB_PHP_HOST has no memory cgroup: run \`sudo bash e2e/lab/up.sh\`"
    echo "$m"
    ;;
  *) usage ;;
esac
