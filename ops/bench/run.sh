#!/usr/bin/env bash
# Benchmarks Trough's proxy against the direct mock upstream, nginx and LiteLLM with ../shared/bench,
# with token auth, usage parsing, pricing and event writing all on (SQLite default, events really stored).
#
#   ops/bench/run.sh            # release builds, then: paced 1,000 req/s runs, then shared/bench/compare.sh (FLOOR=0: no NIO floor)
#
# Needs ../shared/bench beside the checkout (its setup.sh installs nginx-light, wrk and LiteLLM).
# Starts and stops only what it starts (by pid). Results: /tmp/trough-bench/ and the table printed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bench=${BENCH_HARNESS:-$root/../shared/bench}
[ -x "$bench/run.sh" ] || { echo "run.sh: no bench harness at $bench" >&2; exit 1; }
port=${TROUGH_BENCH_PORT:-18083}
work=/tmp/trough-bench
rm -rf "$work"; mkdir -p "$work"

command -v wrk >/dev/null && command -v nginx >/dev/null || "$bench/setup.sh"
swift build -c release --product trough
binary=$(swift build -c release --show-bin-path)/trough
# The floor: a bare SwiftNIO HTTP/1 proxy (ops/bench/nio-floor) measured in the same run, so the table shows what
# NIO's HTTP stack costs before any of Trough's work; and the relay, a SwiftNIO TCP relay that parses nothing (the
# ceiling of any NIO proxy here: NIO's event loop and the sockets alone). FLOOR=0 skips both.
if [ "${FLOOR:-1}" = 1 ]; then
    (cd ops/bench/nio-floor && swift build -c release --scratch-path "$root/.build-floor")
    floor_binary=$root/.build-floor/release/NIOFloor
    relay_binary=$root/.build-floor/release/NIORelay
fi

# Trough on the SQLite default in a scratch folder, private upstreams allowed (the mock is on loopback).
cd "$work"
admin_key=bench-operator-key-$(date +%s)-0123456789abcdef
TROUGH_PORT=$port TROUGH_ALLOW_PRIVATE_UPSTREAMS=true TROUGH_LOG_LEVEL=warning TROUGH_ADMIN_KEY=$admin_key \
    TROUGH_MIGRATIONS_DIR="$root/migrations" TROUGH_WEB_DIR="$root/web" \
    "$binary" serve > "$work/trough.log" 2>&1 &
trough_pid=$!
cd "$root"
stop() {
    kill -TERM "$trough_pid" 2>/dev/null || true
    wait "$trough_pid" 2>/dev/null || true
    if [ -n "${floor_pid:-}" ]; then kill -TERM "$floor_pid" 2>/dev/null || true; wait "$floor_pid" 2>/dev/null || true; fi
    if [ -n "${relay_pid:-}" ]; then kill -TERM "$relay_pid" 2>/dev/null || true; wait "$relay_pid" 2>/dev/null || true; fi
    [ -n "${mock_started:-}" ] && "$bench/stop.sh" mock
    return 0
}
trap stop EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# A tenant, a project with the mock as its openai service, and a project token.
source "$root/ops/bench/bench-tenant.sh"
bench_tenant "$port" "$admin_key" "$work"

if ! curl -fs http://127.0.0.1:18080/health >/dev/null; then "$bench/start.sh" mock; mock_started=1; fi

# 1. A steady 1,000 requests/s (10 connections × 100/s on average), direct and through Trough, with Trough's RSS.
paced() {  # paced NAME URL
    wrk -t1 -c10 -d"${PACED_DURATION:-20}s" --latency -s ops/bench/paced.lua "$2" > "$work/paced-$1.txt" 2>&1 &
    local wrk_pid=$! peak=0
    while kill -0 "$wrk_pid" 2>/dev/null; do
        rss=$(ps -o rss= -p "$trough_pid" | tr -d ' '); [ "${rss:-0}" -gt "$peak" ] && peak=$rss; sleep 0.5
    done
    wait "$wrk_pid" || true
    echo "$1 $(grep BENCH_RESULT "$work/paced-$1.txt") trough_rss_kb_peak=$peak"
}
# Poisson arrivals (independent clients, the default of paced.lua), then connections in lock-step (PACING=fixed:
# bursts of 10 requests at once every 10 ms).
paced warmup "http://127.0.0.1:$port/v1/chat/completions" > /dev/null
{
    paced direct http://127.0.0.1:18080/v1/chat/completions; paced trough "http://127.0.0.1:$port/v1/chat/completions"
    PACING=fixed paced direct-fixed http://127.0.0.1:18080/v1/chat/completions
    PACING=fixed paced trough-fixed "http://127.0.0.1:$port/v1/chat/completions"
} | tee "$work/paced.txt"

# 2. Maximum throughput against direct, nginx, LiteLLM, the NIO floor and the NIO relay in the same run.
targets=("trough=http://127.0.0.1:$port")
if [ -n "${floor_binary:-}" ]; then
    FLOOR_PORT=${FLOOR_PORT:-18095} FLOOR_UPSTREAM_PORT=18080 "$floor_binary" > "$work/floor.log" 2>&1 &
    floor_pid=$!
    for _ in $(seq 1 50); do curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:${FLOOR_PORT:-18095}/v1/chat/completions" && break; sleep 0.1; done
    targets+=("nio-floor=http://127.0.0.1:${FLOOR_PORT:-18095}")
    RELAY_PORT=${RELAY_PORT:-18096} RELAY_UPSTREAM_PORT=18080 "$relay_binary" > "$work/relay.log" 2>&1 &
    relay_pid=$!
    for _ in $(seq 1 50); do curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:${RELAY_PORT:-18096}/v1/chat/completions" && break; sleep 0.1; done
    targets+=("nio-relay=http://127.0.0.1:${RELAY_PORT:-18096}")
fi
"$bench/compare.sh" "${targets[@]}" | tee "$work/compare.txt"

echo "trough RSS after the load: $(ps -o rss= -p "$trough_pid" | tr -d ' ') KB" | tee -a "$work/compare.txt"
# Every request was recorded (the event writer drains within a second).
sleep 2
sqlite3 "$work/trough-data/trough.sqlite" 'SELECT COUNT(*), SUM(cost_nanos), SUM(cost_source = "usage") FROM request_events' | tee "$work/events.txt"
echo "results in $work"
