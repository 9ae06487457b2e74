#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: initdb into a temp
# folder, a free port on 127.0.0.1, an unprivileged user when run as root
# (initdb refuses root). PARLEY_TEST_POSTGRES_URL points at it for the
# command; the cluster is stopped and deleted afterwards, whatever happens.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "with-postgres: PostgreSQL is not installed (make test installs it)" >&2
    exit 1
fi

dir=$(mktemp -d /tmp/parley-pg.XXXXXX)
chmod 755 "$dir"
run_as=()
if [ "$(id -u)" = 0 ]; then
    id -u parley-test >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin parley-test
    chown parley-test "$dir"
    run_as=(runuser -u parley-test --)
fi

stop() {
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${run_as[@]}" "$pg_bin/initdb" -D "$dir/data" -U parley --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
# Durability is irrelevant for a throwaway test cluster: trade it for speed.
options="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -o "$options" \
    start >/dev/null || { cat "$dir/postgres.log" >&2; exit 1; }

# `$dir/pg stop` and `$dir/pg start`: for a test that takes the cluster
# away under load (server/tests/faults.rs) and brings it back.
{
    echo '#!/usr/bin/env bash'
    printf 'exec %s %q -D %q -l %q -w -m fast -o %q "$1"\n' "${run_as[*]}" "$pg_bin/pg_ctl" "$dir/data" "$dir/postgres.log" "$options"
} >"$dir/pg"
chmod 755 "$dir/pg"
export PARLEY_TEST_POSTGRES_CTL="$dir/pg"
export PARLEY_TEST_POSTGRES_URL="postgres://parley@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $port"
"$@"
