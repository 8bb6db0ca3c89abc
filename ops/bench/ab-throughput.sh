#!/usr/bin/env bash
# A/B throughput of release binaries, alternated (this VM drifts ±15 % within minutes: only interleaved,
# repeated runs mean anything):
#   ops/bench/ab-throughput.sh ROUNDS NAME=BIN [NAME=BIN ...]
# For each binary: Trough on :18090 (SQLite in a scratch folder), a Pro tenant with an openai service on the mock
# upstream (../shared/bench: start.sh mock first), a 3 s warm-up, then per round `wrk -t1 -c16 -d8s` with the
# shared chat.lua; prints req/s and Trough's CPU per request (user+system ticks from /proc/PID/stat). Stops only
# what it started. PERF_OUT=PREFIX also records a profile of each measured run (`perf record -F 999 -g`) to
# PREFIX-NAME-ROUND.data.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd); port=${AB_PORT:-18090}; rounds=$1; shift
lua=$root/../shared/bench/lua/chat.lua
tick=$(getconf CLK_TCK)
source "$root/ops/bench/bench-tenant.sh"

start() {  # start BIN DIR: starts Trough, sets pid and BENCH_PROJECT_TOKEN
  local bin=$1 work=$2 admin_key=bench-operator-key-$(date +%s)-0123456789abcdef
  rm -rf "$work"; mkdir -p "$work"
  (cd "$work" && TROUGH_PORT=$port TROUGH_ALLOW_PRIVATE_UPSTREAMS=true TROUGH_LOG_LEVEL=warning TROUGH_ADMIN_KEY=$admin_key \
      TROUGH_MIGRATIONS_DIR="$root/migrations" TROUGH_WEB_DIR="$root/web" exec "$bin" serve > "$work/trough.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  bench_tenant "$port" "$admin_key" "$work"
}

ticks() { awk '{print $14+$15}' /proc/$1/stat; }

pid=""
trap '[ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }' EXIT
for round in $(seq 1 "$rounds"); do
  for pair in "$@"; do
    name=${pair%%=*}; bin=${pair#*=}
    start "$bin" "/tmp/ab-throughput-$name-$$"
    wrk -t1 -c16 -d3s -s "$lua" "http://127.0.0.1:$port/v1/chat/completions" > /dev/null 2>&1
    before=$(ticks $pid)
    perf_pid=""
    if [ -n "${PERF_OUT:-}" ]; then perf record -q -F 999 -g -p $pid -o "$PERF_OUT-$name-$round.data" -- sleep 7 2>/dev/null & perf_pid=$!; fi
    line=$(wrk -t1 -c16 -d8s -s "$lua" "http://127.0.0.1:$port/v1/chat/completions" 2>&1 | grep BENCH_RESULT)
    after=$(ticks $pid)
    [ -n "$perf_pid" ] && wait $perf_pid
    requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$line"); rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<< "$line")
    echo "round=$round $name rps=$rps cpu_us_per_req=$(python3 -c "print(round(($after-$before)/$tick*1e6/$requests,1))")"
    kill -TERM $pid; wait $pid 2>/dev/null || true; pid=""
  done
done
