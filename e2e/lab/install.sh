#!/usr/bin/env bash
# Installs what the lab needs from Debian's packages. Idempotent: installs only what is missing,
# and runs `apt-get update` only then. Never starts a service on the host (see policy-rc.d below).
set -euo pipefail

# curl: check.sh asks the web heads from a customer server, as the customer's PHP would.
PACKAGES=(openssh-server openssh-client iproute2 iptables sudo sshpass util-linux procps curl)

if [[ $EUID -ne 0 ]]; then
  echo "install.sh: needs root (try: sudo bash e2e/lab/install.sh)" >&2
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "Lab packages: all present (${PACKAGES[*]})"
  exit 0
fi

echo "Lab packages: installing ${missing[*]}"

# openssh-server would start a host-wide sshd listening on every address. The lab runs its own
# daemons inside its namespaces only, so forbid service starts during the install.
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
echo "Lab packages: installed ${missing[*]}"
