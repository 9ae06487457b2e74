#!/usr/bin/env bash
# Public pages under a flash crowd of readers (issue 19, item 3): the demo
# town served by the release `parley` on SQLite, and the same bytes served
# from disk by nginx, measured one after the other in the same run by wrk
# (its own process, one thread, 64 connections, no cookie: readers without
# an account). First with the page cache off (PARLEY_PAGE_CACHE_MS=0: every
# request rendered), then with the default. Prints a Markdown section for
# bench/RESULTS.md. Loopback only, bounded in time (PARLEY_BENCH_SECONDS
# per measurement, 10 by default).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${PARLEY_BENCH_SECONDS:-10}
conns=64
parley=target/release/parley
nginx=$(command -v nginx || echo /usr/sbin/nginx)
command -v wrk >/dev/null || { echo "page_cache: wrk is not installed (make bench installs it)" >&2; exit 1; }
[ -x "$parley" ] || { echo "page_cache: $parley is not built" >&2; exit 1; }

dir=$(mktemp -d)
server=""
ngx=""
stop() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    [ -n "$ngx" ] && kill "$ngx" 2>/dev/null && wait "$ngx" 2>/dev/null
    server=""
    ngx=""
}
trap 'stop; rm -rf "$dir"' EXIT

. bench/parley.sh
seed_demo_town

# The pages: the home page, an Arabic thread, a draft.
pages=(/en /ar/t/6 /en/drafts/1)

serve() { serve_parley PARLEY_PAGE_CACHE_MS="$1"; }

run_wrk() { wrk -t1 -c"$conns" -d"${secs}s" --latency "$1" 2>&1; }
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$1"; }
p99() { awk '$1=="99%" {print $2}' <<<"$1"; }
errors() { awk '/Non-2xx/ {n=$4} /Socket errors/ {e=$0} END {print (n ? n : 0)}' <<<"$1"; }

# nginx serving every page's bytes from disk, as the app sends them to a
# reader without cookies.
start_nginx() {
    local port
    port=$(free_port)
    for page in "${pages[@]}"; do
        mkdir -p "$dir/root$page"
        curl -fsS "$base$page" -o "$dir/root$page/index.html"
    done
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $dir/nginx.pid; error_log $dir/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; default_type text/html; sendfile on;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  server { listen 127.0.0.1:$port; root $dir/root; index index.html; } }
CONF
    "$nginx" -c "$dir/nginx.conf" -p "$dir" &
    ngx=$!
    sleep 0.5
    static="http://127.0.0.1:$port"
}

echo "### Public pages under a crowd of readers (issue 19, item 3)"
echo
echo "\`bench/page_cache.sh\` (in \`make bench\`): the demo town on SQLite, served by the release \`parley\`; the same"
echo "bytes served from disk by nginx (one worker); wrk in its own process, one thread, $conns connections, ${secs} s each,"
echo "requests without a cookie (readers without an account), one after the other in the same run. Goal: app ÷ nginx"
echo "at least 0.3."
echo
echo "| page | page cache | bytes | app req/s | app p99 | non-2xx | nginx req/s | app ÷ nginx |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for cache_ms in 0 1000; do
    serve "$cache_ms"
    [ "$cache_ms" = 0 ] && start_nginx
    label=$([ "$cache_ms" = 0 ] && echo "off (before)" || echo "on, ${cache_ms} ms")
    for page in "${pages[@]}"; do
        bytes=$(curl -fsS "$base$page" | wc -c)
        app=$(run_wrk "$base$page")
        ref=$(run_wrk "$static$page/")
        python3 - "$page" "$label" "$bytes" "$(rps "$app")" "$(p99 "$app")" "$(errors "$app")" "$(rps "$ref")" <<'PY'
import sys
page, label, size, a, p99, errs, b = sys.argv[1:]
ratio = float(a or 0) / float(b or 1)
print(f"| `{page}` | {label} | {size} | {a} | {p99} | {errs} | {b} | {ratio:.3f} |")
PY
    done
    kill "$server" && wait "$server" 2>/dev/null || true
    server=""
done
echo
