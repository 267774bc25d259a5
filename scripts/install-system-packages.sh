#!/usr/bin/env bash
# Installs, from Debian, the system packages Backline's build and tests need and this machine lacks.
# The lab of test servers installs its own (e2e/lab/install.sh), PostgreSQL its own (scripts/reporting/postgres.sh).
set -euo pipefail

exec bash "$(dirname "$0")/apt-install.sh" "System packages" \
  chromium `# the browser the Playwright end-to-end tests drive` \
  g++ make python3 `# better-sqlite3 builds from source` \
  fonts-dejavu-core `# legible text in headless chromium screenshots` \
  openssh-client `# ssh-keygen and ssh -G: the SSH modules' tests compare against them`
