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
pipeline=$(mktemp)
classify=$(mktemp)
trap 'rm -f "$tmp" "$masking" "$pipeline" "$classify"' EXIT
cargo bench -p server --bench pipeline >"$pipeline"
queue=$(mktemp)
trap 'rm -f "$tmp" "$masking" "$pipeline" "$classify" "$queue"' EXIT
cargo bench -p server --bench queue >"$queue"
surveys=$(mktemp)
trap 'rm -f "$tmp" "$masking" "$pipeline" "$classify" "$queue" "$surveys"' EXIT
cargo bench -p server --bench surveys >"$surveys"
target/release/parley classify-bench --train ../shared/data/sib200 --test ../shared/data/sib200 >"$classify"
classify_json=$(target/release/parley classify-bench --train ../shared/data/sib200 --test ../shared/data/sib200 --json)
classify_cv=$(target/release/parley classify-bench --train ../shared/data/sib200 --folds 5)
curve=$(bench/classify_curve.sh)
pages=$(mktemp)
trap 'rm -f "$tmp" "$masking" "$pipeline" "$classify" "$queue" "$surveys" "$pages"' EXIT
bench/page_cache.sh >"$pages"
intake=$(mktemp)
trap 'rm -f "$tmp" "$masking" "$pipeline" "$classify" "$queue" "$surveys" "$pages" "$intake"' EXIT
bench/intake.sh >"$intake"
tti=$(mktemp)
trap 'rm -f "$tmp" "$masking" "$pipeline" "$classify" "$queue" "$surveys" "$pages" "$intake" "$tti"' EXIT
bench/tti.sh >"$tti"

# Sections written by hand from separate runs (a heading that says
# "separate run") are kept: they follow what this run writes.
kept=$(mktemp)
trap 'rm -f "$tmp" "$masking" "$pipeline" "$classify" "$queue" "$surveys" "$pages" "$intake" "$tti" "$kept"' EXIT
[ -f "$out" ] && python3 - "$out" >"$kept" <<'PY'
import re, sys
keep_level, fenced = None, False
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("```"):
        fenced = not fenced
    heading = None if fenced else re.match(r"(#+) ", line)
    if heading:
        level = len(heading.group(1))
        if keep_level is not None and level <= keep_level:
            keep_level = None
        if keep_level is None and level >= 2 and "separate run" in line.lower():
            keep_level = level
    if keep_level is not None:
        sys.stdout.write(line)
PY
# Read before RESULTS.md is rewritten: the rewrite itself is not a change
# of the code measured.
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet -- . ':!bench/RESULTS.md' 2>/dev/null || echo ' (with uncommitted changes)')"

{
    echo "# Benchmark results"
    echo
    echo "Written by \`make bench\` (\`bench/run.sh\`: \`cargo bench -p server --bench forums\` and \`--bench masking\`,"
    echo "inside \`.ci/with-postgres.sh\` for the PostgreSQL figures). Do not edit by hand."
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- commit: $commit"
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- build: release profile; server and load generator in one process on the same 2 cores"
    echo "- commands: \`cargo bench -p server --bench forums\`, \`--bench masking\`, \`--bench pipeline\`, \`--bench queue\`, \`parley classify-bench\`, \`bench/page_cache.sh\`, \`bench/intake.sh\`, \`bench/tti.sh\`, \`bench/classify_curve.sh\`"
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
    cat "$pipeline"
    echo "### Themes: the classifier on SIB-200"
    echo
    echo "\`parley classify-bench --train ../shared/data/sib200 --test ../shared/data/sib200\`: one model per language trained on"
    echo "train (701 sentences, 7 topics), measured on dev (99). Goal (issue 19): mean accuracy over the six interface languages"
    echo "of at least 0.82; training all 12 languages in under 10 s."
    echo
    cat "$classify"
    echo
    echo "With \`--json\`:"
    echo
    echo '```json'
    echo "$classify_json"
    echo '```'
    echo
    echo "In 5-fold cross-validation on train alone (\`parley classify-bench --train ../shared/data/sib200 --folds 5\`: each"
    echo "language's 701 sentences dealt into 5 folds, each predicted by a model trained on the other 4; the training time"
    echo "is one fold's):"
    echo
    echo "$classify_cv"
    echo
    echo "$curve"
    echo
    cat "$queue"
    cat "$surveys"
    cat "$pages"
    cat "$intake"
    cat "$tti"
    echo
    cat "$kept"
} >"$out"
echo "bench: wrote $out"
