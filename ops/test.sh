#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need, starts a throw-away PostgreSQL on
# loopback (stopped again on exit, by its own pid file), then `swift test` against SQLite and PostgreSQL.
#
#   ops/test.sh                 # everything
#   ops/test.sh --filter Store  # extra arguments go to `swift test`
set -euo pipefail
cd "$(dirname "$0")/.."

ops/install-deps.sh --test

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/initdb" ] || { echo "test.sh: PostgreSQL's initdb not found under /usr/lib/postgresql" >&2; exit 1; }

# PostgreSQL refuses to run as root: the throw-away cluster belongs to the 'postgres' user.
pg_user=postgres
id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home "$pg_user"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi; }

pg_dir=$(mktemp -d /tmp/trough-pg.XXXXXX)
chmod 755 "$pg_dir"
[ "$(id -u)" = 0 ] && chown "$pg_user" "$pg_dir"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_pg() {
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop_pg EXIT

as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; echo "test.sh: initdb failed" >&2; exit 1; }
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c max_connections=500" start >/dev/null \
    || { cat "$pg_dir/server.log" >&2; echo "test.sh: PostgreSQL did not start" >&2; exit 1; }
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres trough_test

export TROUGH_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/trough_test?sslmode=disable"
echo "test.sh: PostgreSQL on 127.0.0.1:$pg_port"

# The official Python SDKs (SDK compatibility test), Selenium (browser test, with Debian's chromium) and
# jsonschema (the OpenAPI document against live answers).
venv=.build/test-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import openai, anthropic, google.genai, selenium, jsonschema' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'openai>=1.50' 'anthropic>=0.40' 'google-genai>=1.20' 'selenium>=4.20' 'jsonschema>=4.18'
fi
export TROUGH_TEST_PYTHON="$PWD/$venv/bin/python"

swift build --build-tests
swift test --skip-build "$@"
# The proxy has two request paths (the event loop's, and the router's for the rest; see EventLoopProxy):
# without arguments, the proxy and SDK tests run once more on the router's path.
if [ "$#" -eq 0 ]; then
    TROUGH_TEST_PROXY_PATH=router swift test --skip-build --filter "ProxyTests|SDKCompatibilityTests|LimitTests"
fi
