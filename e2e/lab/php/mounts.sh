#!/bin/sh
# Makes the mount namespace it runs in php1's (php/lib.sh's php_mounts):
#   sh mounts.sh SOURCE TARGET ... [-- COMMAND ARG...]   (then execs COMMAND, when given)
# A SOURCE directory is bind-mounted on its TARGET; `cgroupfs:v1` or `cgroupfs:v2` mounts the
# machine's memory cgroup hierarchy on TARGET (/sys/fs/cgroup), which the fresh sysfs that
# `ip netns exec` mounts on /sys lacks: so php1 sees its cgroup (/backline-lab-php1) and its
# memory.max or memory.limit_in_bytes, as a server sees its own. Run as root, inside
# `ip netns exec ... unshare --mount --propagation private` or nsenter: never in the machine's own.
set -e
while [ $# -ge 2 ] && [ "$1" != -- ]; do
  case $1 in
    cgroupfs:v1)
      mount -t tmpfs -o mode=755,size=64k cgroup "$2"
      mkdir "$2/memory"
      mount -t cgroup -o memory cgroup "$2/memory"
      ;;
    cgroupfs:v2) mount -t cgroup2 cgroup2 "$2" ;;
    *) mount --bind "$1" "$2" ;;
  esac
  shift 2
done
if [ "${1:-}" = -- ]; then
  shift
  exec "$@"
fi
