# Sourced by the bench scripts that measure the release `parley` over HTTP
# (page_cache.sh, intake.sh, tti.sh). They set $parley and $dir first.

# A free TCP port on loopback.
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# serve_parley [NAME=value ...]: starts `parley serve` with those settings
# on a free port, its log in $dir/server.log, and waits until it answers.
# Sets $server (its pid) and $base (its address).
serve_parley() {
    local port
    port=$(free_port)
    env "$@" PARLEY_ADDR="127.0.0.1:$port" "$parley" serve >"$dir/server.log" 2>&1 &
    server=$!
    base="http://127.0.0.1:$port"
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
        sleep 0.1
    done
}

# The demo town in a fresh SQLite database in $dir, and the settings every
# bench shares (metrics on a free port, warnings only in the log).
seed_demo_town() {
    export PARLEY_DATABASE_URL="sqlite://$dir/parley.db"
    export PARLEY_METRICS_ADDR="127.0.0.1:0"
    export PARLEY_LOG=warn
    "$parley" seed-demo >/dev/null
}
