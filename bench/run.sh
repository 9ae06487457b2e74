#!/usr/bin/env bash
# Writes bench/RESULTS.md: the machine, the command, and what each
# benchmark printed. Run through `make bench` (which provides PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

out=bench/RESULTS.md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

cargo bench -p server --bench forums >"$tmp"
masking=$(mktemp)
trap 'rm -f "$tmp" "$masking"' EXIT
cargo bench -p server --bench masking >"$masking"

{
    echo "# Benchmark results"
    echo
    echo "Written by \`make bench\` (\`bench/run.sh\`: \`cargo bench -p server --bench forums\` and \`--bench masking\`,"
    echo "inside \`.ci/with-postgres.sh\` for the PostgreSQL figures). Do not edit by hand."
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- build: release profile; server and load generator in one process on the same 2 cores"
    echo
    echo "## A thread of 10,000 posts (issue 4)"
    echo
    echo "Goal: first page p50 under 5 ms. Server time is the \`server-timing\` header: from the"
    echo "request reaching the router until the page, rendered whole on the server, is ready."
    echo
    cat "$tmp"
    echo "## Masking personal data (issue 5)"
    echo
    cat "$masking"
} >"$out"
echo "bench: wrote $out"
