#!/usr/bin/env bash
# A/B throughput of release binaries, alternated (this VM drifts ±15 % within minutes: only interleaved,
# repeated runs mean anything):
#   ops/bench/ab-throughput.sh ROUNDS NAME=BIN [NAME=BIN ...]
# For each binary: Trough on :18090 (SQLite in a scratch folder), a Pro tenant with an openai service on the mock
# upstream (../shared/bench: start.sh mock first), a 3 s warm-up, then per round `wrk -t1 -c16 -d8s` with the
# shared chat.lua; prints req/s and Trough's CPU per request (user+system ticks from /proc/PID/stat). Stops only
# what it started. PERF_OUT=PREFIX also records a profile of each measured run (`perf record -F 999 -g`) to
# PREFIX-NAME-ROUND.data.
#
# SHAPES (default "plain") measures other requests than the harness's one, each per binary and round:
#   plain            the harness's small chat completion (Content-Length answer)
#   stream           the same, streamed (the mock's 7-event SSE answer, 1.7 KB)
#   anthropic-stream an Anthropic Messages stream (/proxy/anthropic/v1/messages-stream)
#   chunked          the plain answer sent chunked (held whole for its cost header)
#   chunked-stream   the stream sent chunked, as providers send streams
#   responses        an OpenAI Responses API stream (ops/bench/shapes/responses.sse: 20 events, 5.5 KB, chunked)
#   gemini           Gemini streamGenerateContent?alt=sse (ops/bench/shapes/gemini.sse: CRLF lines, chunked)
# The chunked shapes use a second nginx mock on :18084 (the harness's mock config with sub_filter, which sends
# every answer chunked, and the two files above), started and stopped here.
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

shapes=${SHAPES:-plain}
stream_body='{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello in one short sentence."}]}'
shape() {  # shape NAME: sets path and body (empty: chat.lua's own) for a shape
  case $1 in
    plain) path=/v1/chat/completions; body="";;
    stream) path=/v1/chat/completions-stream; body=$stream_body;;
    anthropic-stream) path=/proxy/anthropic/v1/messages-stream
      body='{"model":"claude-3-5-haiku-20241022","max_tokens":32,"stream":true,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}';;
    chunked) path=/proxy/chunked/chat/completions; body="";;
    chunked-stream) path=/proxy/chunked/chat/completions-stream; body=$stream_body;;
    responses) path=/proxy/chunked/responses-stream; body='{"model":"gpt-4o-mini","input":"Say hello in one short sentence.","stream":true}';;
    gemini) path='/proxy/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
      body='{"contents":[{"role":"user","parts":[{"text":"Say hello in one short sentence."}]}]}';;
    *) echo "ab-throughput.sh: unknown shape $1" >&2; exit 2;;
  esac
}

mock_dir=""
stop_mock() { [ -n "$mock_dir" ] && { nginx -p "$mock_dir" -c "$mock_dir/nginx.conf" -s stop 2>/dev/null; sleep 0.5; rm -rf "$mock_dir"; } || true; }
if [[ " $shapes " =~ \ (chunked|chunked-stream|responses|gemini)\  ]]; then
  mock_dir=/tmp/ab-chunked-mock-$$; mkdir -p "$mock_dir/mock/tmp"
  cp "$root/ops/bench/shapes/responses.sse" "$root/ops/bench/shapes/gemini.sse" "$mock_dir/"
  sed -e "s#@RUN_DIR@#$mock_dir#g" -e "s#@MOCK_PORT@#18084#g" -e "s#@MOCK_WORKERS@#1#g" \
      -e 's#^\(\s*server {\)#\1\n        sub_filter_types *; sub_filter "zzqq" "zzqq"; sub_filter_once off;#' \
      -e "s#^\(\s*\)location = /health {#\1location = /v1/responses-stream { types { } default_type text/event-stream; error_page 405 =200 \$uri; alias $mock_dir/responses.sse; }\n\1location = /v1beta/models/gemini-2.5-flash:streamGenerateContent { types { } default_type text/event-stream; error_page 405 =200 \$uri; alias $mock_dir/gemini.sse; }\n\1location = /health {#" \
      "$root/../shared/bench/conf/mock-upstream.conf.in" > "$mock_dir/nginx.conf"
  nginx -p "$mock_dir" -c "$mock_dir/nginx.conf" -e "$mock_dir/error.log"
  export BENCH_CHUNKED_PORT=18084
fi

pid=""
trap '[ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; stop_mock' EXIT
for round in $(seq 1 "$rounds"); do
  for pair in "$@"; do
    name=${pair%%=*}; bin=${pair#*=}
    start "$bin" "/tmp/ab-throughput-$name-$$"
    for shape_name in $shapes; do
      shape "$shape_name"
      export BENCH_BODY=$body; [ -n "$body" ] || unset BENCH_BODY
      url="http://127.0.0.1:$port$path"
      wrk -t1 -c16 -d3s -s "$lua" "$url" > /dev/null 2>&1
      before=$(ticks $pid)
      perf_pid=""
      if [ -n "${PERF_OUT:-}" ]; then perf record -q -F 999 -g -p $pid -o "$PERF_OUT-$name-$shape_name-$round.data" -- sleep 7 2>/dev/null & perf_pid=$!; fi
      line=$(wrk -t1 -c16 -d8s -s "$lua" "$url" 2>&1 | grep BENCH_RESULT)
      after=$(ticks $pid)
      [ -n "$perf_pid" ] && wait $perf_pid
      requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$line"); rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<< "$line")
      non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<< "$line")
      echo "round=$round $name shape=$shape_name rps=$rps cpu_us_per_req=$(python3 -c "print(round(($after-$before)/$tick*1e6/$requests,1))") non2xx=$non2xx"
    done
    kill -TERM $pid; wait $pid 2>/dev/null || true; pid=""
  done
done
