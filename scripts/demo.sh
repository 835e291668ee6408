#!/usr/bin/env bash
# Brings both services up over mTLS and walks through the connection and
# datastore lifecycle against the local PostgreSQL. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
pnpm build
pnpm pki
exec node scripts/demo.mjs "$@"
