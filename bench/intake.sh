#!/usr/bin/env bash
# Feedback acknowledged per second (issue 19, item 4): the release `parley`
# on SQLite with synchronous=FULL and its analysis worker running, as in
# production; wrk in its own process posts the feedback form at 64
# connections, first as first-time visitors (no cookie: each request makes
# its anonymous participation), then as a returning visitor (one
# participation cookie). The per-address limit is off (every request comes
# from 127.0.0.1). Afterwards the rows are counted: every acknowledged
# submission must be stored. Prints a Markdown section for
# bench/RESULTS.md. Loopback only, bounded in time (PARLEY_BENCH_SECONDS
# per measurement, 10 by default).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${PARLEY_BENCH_SECONDS:-10}
conns=64
parley=target/release/parley
command -v wrk >/dev/null || { echo "intake: wrk is not installed (make bench installs it)" >&2; exit 1; }
[ -x "$parley" ] || { echo "intake: $parley is not built" >&2; exit 1; }

dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT

. bench/parley.sh
export PARLEY_FEEDBACK_PER_HOUR=0
export PARLEY_SQLITE_SYNCHRONOUS=full
seed_demo_town
serve_parley

action=$(curl -fsS "$base/en/feedback" | grep -o 'action="/api/send_feedback[0-9]*"' | head -1 | cut -d'"' -f2)
[ -n "$action" ] || { echo "intake: no feedback form" >&2; exit 1; }

# $1: the table whose rows are counted.
count() {
    python3 - "$dir/parley.db" "$1" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(f"SELECT COUNT(*) FROM {sys.argv[2]}").fetchone()[0])
PY
}

# The demo's first survey, its first page: the form's address.
survey_action=$(curl -fsS "$base/en/surveys/1" | grep -o 'action="/api/save_survey_section[0-9]*"' | head -1 | cut -d'"' -f2)
[ -n "$survey_action" ] || { echo "intake: no survey form" >&2; exit 1; }

# $1: a Cookie header or empty; $2: the form's fields before the numbered text.
post_script() {
    cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "$base"
wrk.headers["Accept"] = "application/json"
$( [ -n "$1" ] && echo "wrk.headers[\"Cookie\"] = \"$1\"" )
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, "$2" .. counter .. "+" .. math.random(1, 1000000000))
end
LUA
}

# A returning visitor's cookie: the one their first feedback gave them.
cookie=$(curl -fsS -o /dev/null -D - -X POST -H "Origin: $base" -H "Accept: application/json" \
    --data "locale=en&area=&theme=&text=My+first+feedback+about+the+footbridge+lights" "$base$action" \
    | awk 'tolower($1)=="set-cookie:" && $2 ~ /participant/ {sub(/;.*/, "", $2); print $2; exit}')
[ -n "$cookie" ] || { echo "intake: no participation cookie" >&2; exit 1; }

echo "### Feedback acknowledged over HTTP, wrk in its own process (issue 19, item 4)"
echo
echo "\`bench/intake.sh\` (in \`make bench\`): the release \`parley\` on SQLite (\`synchronous=FULL\`) with the demo town and"
echo "its analysis worker running; wrk in its own process, one thread, $conns connections, ${secs} s each, posting the"
echo "feedback form (JSON answer); the per-address limit off. Then the rows are counted. Goal: 5,000 per second, p99"
echo "under 200 ms, for both. Last, the first page of the demo's first survey (four questions and a free text, which"
echo "becomes an input item) sent by first-time visitors: each request a new respondent."
echo
echo "| visitors | acknowledged per second | p50 | p99 | non-2xx | socket errors | rows stored ÷ acknowledged |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
feedback_text="locale=en&area=&theme=&text=The+street+lights+on+Mill+Lane+have+been+out+for+a+week+"
survey_page="locale=en&survey=1&section=0&area=&answers%5Bq1%5D=fairly-safe&answers%5Bq2_lighting%5D=2&answers%5Bq2_help%5D=3&answers%5Bq2_fair%5D=4&answers%5Bq3_park%5D=park&answers%5Bq4%5D=The+underpass+by+the+station+needs+lights+"
for who in first-time returning "survey answers, first-time"; do
    script="$dir/$who.lua"
    case "$who" in
        first-time) post_script "" "$feedback_text" >"$script"; table=feedback; target=$action ;;
        returning) post_script "$cookie" "$feedback_text" >"$script"; table=feedback; target=$action ;;
        *) post_script "" "$survey_page" >"$script"; table=survey_responses; target=$survey_action ;;
    esac
    before=$(count $table)
    out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$script" "$base$target" 2>&1)
    sleep 1
    after=$(count $table)
    python3 - "$who" "$before" "$after" <<PY
import re, sys
out = """$out"""
who, before, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
total = int(re.search(r"(\d+) requests in", out).group(1))
seconds = float(re.search(r"requests in ([\d.]+)s", out).group(1))
non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
non = int(non.group(1)) if non else 0
errors = re.search(r"Socket errors: (.*)", out)
errors = errors.group(1).strip() if errors else "none"
p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1)
p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1)
acknowledged = total - non
stored = after - before
print(f"| {who} | {acknowledged / seconds:.0f} | {p50} | {p99} | {non} | {errors} | {stored} ÷ {acknowledged} |")
PY
done
echo
