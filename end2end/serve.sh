#!/usr/bin/env bash
# Starts the release build for the browser tests: a fresh SQLite database
# with the demo town, on PARLEY_E2E_PORT. Playwright stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
data=end2end/.e2e-data
rm -rf "$data"
mkdir -p "$data"
export PARLEY_DATABASE_URL="sqlite://$data/parley.db"
export PARLEY_ADDR="127.0.0.1:${PARLEY_E2E_PORT:-3107}"
export PARLEY_LOG="${PARLEY_LOG:-warn}"
# Every browser test signs up from 127.0.0.1.
export PARLEY_SIGN_UPS_PER_HOUR=1000
target/release/parley seed-demo >/dev/null
exec target/release/parley serve
