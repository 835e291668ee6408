#!/usr/bin/env bash
# Installs what the workspace needs on a fresh machine: pnpm, the node modules,
# and the local PostgreSQL / MariaDB / Redis. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [[ $(pnpm --version) != "$PNPM_VERSION" ]]; then
  echo "[bootstrap] installing pnpm $PNPM_VERSION"
  npm install --global --silent "pnpm@$PNPM_VERSION"
fi
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3
bash scripts/ensure-services.sh
