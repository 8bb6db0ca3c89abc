-- wrk script: the bench harness's chat.completions request at a set pace per connection, so that
-- CONNS connections × (1000 / PACE_MS) requests per second gives a steady target rate (e.g. 10 × 100 = 1,000/s).
-- Prints the same BENCH_RESULT line as shared/bench/lua/chat.lua.
local api_key = os.getenv("BENCH_API_KEY") or "sk-bench"
local project = os.getenv("BENCH_PROJECT_TOKEN") or "bench"
local pace_ms = tonumber(os.getenv("PACE_MS") or "10")

wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},' ..
           '{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":32,"temperature":0}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. api_key
wrk.headers["X-Project-Token"] = project

-- PACING=poisson (default): each connection waits an exponentially distributed time (mean PACE_MS) after each
-- answer, so the connections' requests arrive independently, like a steady 1,000/s from many clients (a Poisson
-- stream). PACING=fixed: exactly PACE_MS; the connections then stay in step and send in bursts of CONNS at once.
local pacing = os.getenv("PACING") or "poisson"
math.randomseed(os.time())

function delay()
  if pacing == "fixed" then
    return pace_ms
  end
  return math.floor(-math.log(1 - math.random()) * pace_ms + 0.5)
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d non2xx=%d\n",
    summary.requests, summary.duration, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status))
end
