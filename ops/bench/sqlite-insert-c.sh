#!/usr/bin/env bash
# Builds ops/bench/sqlite-insert.c against SQLiteNIO's amalgamation (from a `swift build`'s checkouts) with its
# main compile options, and runs each mode twice on the migrations' schema (docs/benchmarks.md, 2026-12-08).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sqlite=$root/.build/checkouts/sqlite-nio/Sources/VaporCSQLite
[ -f "$sqlite/sqlite_nio_sqlite3.c" ] || { echo "sqlite-insert-c.sh: run swift build first (no $sqlite)" >&2; exit 1; }
out=$(mktemp -d /tmp/sqlite-insert-c.XXXXXX)
trap 'rm -rf "$out" /tmp/sqlite-insert-c.db*' EXIT
flags="-O2 -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_DQS=0 -DSQLITE_OMIT_DEPRECATED -DSQLITE_MAX_VARIABLE_NUMBER=250000 -DSQLITE_THREADSAFE=1"
gcc $flags -c "$sqlite/sqlite_nio_sqlite3.c" -o "$out/sqlite.o"
gcc -O2 -I "$sqlite/include" "$root/ops/bench/sqlite-insert.c" "$out/sqlite.o" -o "$out/bench" -lpthread -lm
echo "SQLite $(cat "$sqlite/version.txt" | tail -n 1)"
for mode in 0 1 2 0 1 2; do "$out/bench" "$mode" "$root"/migrations/sqlite/*.sql; done
