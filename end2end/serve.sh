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
# /metrics is not part of the browser tests (server/tests/pipeline.rs).
export PARLEY_METRICS_ADDR=127.0.0.1:0
# Every browser test signs up from 127.0.0.1.
export PARLEY_SIGN_UPS_PER_HOUR=1000
# The markup test posts dozens of hostile samples as one new account; the
# limits themselves are tested in server/tests/forums.rs.
export PARLEY_POSTS_PER_MINUTE=1000
export PARLEY_NEW_ACCOUNT_POSTS_PER_DAY=1000
export PARLEY_NEW_ACCOUNT_LINKS=1000
target/release/parley seed-demo >/dev/null
# The server's log is kept beside its database for a failed run's
# post-mortem, and still reaches Playwright (which shows it on failure).
exec target/release/parley serve 2> >(tee -a "$data/server.log" >&2)
