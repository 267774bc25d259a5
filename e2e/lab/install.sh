#!/usr/bin/env bash
# Installs what the lab needs from Debian's packages, through the project's one installer
# (scripts/apt-install.sh): only what is missing, and never a service started on the host.
set -euo pipefail

# curl: check.sh asks the web heads from a customer server, as the customer's PHP would.
# tcsh, fish, zsh: the login shells of the customer users bl-tcsh, bl-fish and bl-zsh (issue 9).
# netfilter-persistent, iptables-persistent: web2 restores its rules at "boot" from its own
# /etc/iptables/rules.v4 (issue 10: blocks that expire or are removed must not come back).
# php-fpm, php-cli, php-curl, nginx-light: php1, the customer's PHP server of story 2 (issue 12): Debian's
# nginx and php-fpm serving a shop whose code fetches feeds.lab.test with curl and file_get_contents.
PACKAGES=(openssh-server openssh-client iproute2 iptables sudo sshpass util-linux procps curl tcsh fish zsh
  netfilter-persistent iptables-persistent
  php-fpm php-cli php-curl nginx-light)

if [[ $EUID -ne 0 ]]; then
  echo "install.sh: needs root (try: sudo bash e2e/lab/install.sh)" >&2
  exit 1
fi

# iptables-persistent's postinst saves the host's own rules to /etc/iptables/rules.v{4,6} unless
# told not to (its debconf default is yes). The host's rules are not the lab's business, and a
# rules file there would be seen by every lab server (they share this filesystem): answer no
# before it is installed. Each lab server gets its own /etc/iptables (up.sh).
if [[ $(dpkg-query -W -f='${db:Status-Status}' iptables-persistent 2>/dev/null || true) != installed ]]; then
  debconf-set-selections <<'SEL'
iptables-persistent iptables-persistent/autosave_v4 boolean false
iptables-persistent iptables-persistent/autosave_v6 boolean false
SEL
fi

# qemu-system-x86, busybox-static, dropbear-bin: the lab VM (e2e/lab/vm/), Debian's own kernel booted
# under QEMU with a busybox root and dropbear as its SSH server (issue 13: netconsole on a real kernel).
PACKAGES+=(qemu-system-x86 busybox-static dropbear-bin)
# Customer servers have ping: the netconsole preflight pings the next hop to fill the neighbour table.
PACKAGES+=(iputils-ping)

# The project's one installer: only what is missing, and no service (no host-wide sshd) started.
exec bash "$(dirname "$0")/../../scripts/apt-install.sh" "Lab packages" "${PACKAGES[@]}"
