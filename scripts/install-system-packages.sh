#!/usr/bin/env bash
# Installs, from Debian, the system packages Backline's build and tests need and this machine lacks.
# Idempotent: a machine that has them all is left alone (no apt-get update, no network).
set -euo pipefail

packages=(
  chromium           # the browser the Playwright end-to-end tests drive
  g++ make python3   # better-sqlite3 builds from source
  fonts-dejavu-core  # legible text in headless chromium screenshots
  openssh-client     # ssh-keygen and ssh -G: the SSH modules' tests compare against them
)
# The lab of test servers (sshd in network namespaces) installs its own: e2e/lab/install.sh.

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "System packages: all present."
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
