#!/usr/bin/env bash
# Installs what the lab needs from Debian's packages, through the project's one installer
# (scripts/apt-install.sh): only what is missing, and never a service started on the host.
set -euo pipefail

# curl: check.sh asks the web heads from a customer server, as the customer's PHP would.
# tcsh, fish, zsh: the login shells of the customer users bl-tcsh, bl-fish and bl-zsh (issue 9).
PACKAGES=(openssh-server openssh-client iproute2 iptables sudo sshpass util-linux procps curl tcsh fish zsh)

if [[ $EUID -ne 0 ]]; then
  echo "install.sh: needs root (try: sudo bash e2e/lab/install.sh)" >&2
  exit 1
fi

# The project's one installer: only what is missing, and no service (no host-wide sshd) started.
exec bash "$(dirname "$0")/../../scripts/apt-install.sh" "Lab packages" "${PACKAGES[@]}"
