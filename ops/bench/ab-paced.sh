#!/usr/bin/env bash
# A/B paced runs of one release binary (run it for two binaries, alternately, to compare them):
#   ops/bench/ab-paced.sh BIN NAME
# Starts Trough from BIN on :18090 (SQLite in a scratch folder), a Pro tenant with an openai service on the
# mock upstream (../shared/bench: start.sh mock first), then 20 s paced Poisson and 20 s lock-step, each measured
# direct and through Trough; prints the wrk results and Trough's CPU ticks. Stops only what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd); port=${AB_PORT:-18090}; bin=$1; name=$2
work=/tmp/ab-$name-$$; rm -rf $work; mkdir -p $work; cd $work
admin_key=bench-operator-key-$(date +%s)-0123456789abcdef
TROUGH_PORT=$port TROUGH_ALLOW_PRIVATE_UPSTREAMS=true TROUGH_LOG_LEVEL=warning TROUGH_ADMIN_KEY=$admin_key \
    TROUGH_MIGRATIONS_DIR="$root/migrations" TROUGH_WEB_DIR="$root/web" "$bin" serve > $work/trough.log 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
source "$root/ops/bench/bench-tenant.sh"
bench_tenant "$port" "$admin_key" "$work"
cd $root
wrk -t1 -c10 -d5s --latency -s ops/bench/paced.lua "http://127.0.0.1:$port/v1/chat/completions" > /dev/null 2>&1
for p in poisson fixed; do
  if [ $p = fixed ]; then export PACING=fixed; else unset PACING; fi
  wrk -t1 -c10 -d20s --latency -s ops/bench/paced.lua "http://127.0.0.1:18080/v1/chat/completions" 2>&1 | grep BENCH_RESULT | sed "s/^/$name $p direct /"
  wrk -t1 -c10 -d20s --latency -s ops/bench/paced.lua "http://127.0.0.1:$port/v1/chat/completions" 2>&1 | grep BENCH_RESULT | sed "s/^/$name $p trough /"
done
cpu=$(awk '{print $14+$15}' /proc/$pid/stat); echo "$name cpu_ticks=$cpu"
