#!/usr/bin/env bash
# The whole test suite: unit, integration (real PostgreSQL, MariaDB, Redis) and
# end to end (both services as processes over mTLS). Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
pnpm check
exec pnpm exec jest ${CI:+--ci} "$@"
