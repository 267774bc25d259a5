#!/usr/bin/env bash
# The project's one way to install Debian packages: `bash scripts/apt-install.sh WHAT package...`.
# Installs only what is missing (apt-get update only then), needs root for that, and lets no package
# start a service on this machine: Backline's tests run their own daemons (sshd in the lab's
# namespaces, PostgreSQL on its own port), never the host-wide ones a package would start.
set -euo pipefail

what=$1
shift

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]; }

missing=()
for package in "$@"; do
  installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "$what: all present ($*)"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "$what: missing ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "$what: installing ${missing[*]}"
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if ((created_policy)); then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
