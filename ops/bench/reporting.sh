#!/usr/bin/env bash
# Benchmarks the reporting API on PostgreSQL with 10 million request events: a throw-away PostgreSQL cluster,
# Trough on it (release build), one Pro tenant with a project, 4 services and 5 tokens made through the API,
# 10,000,000 events for that project and 1,000,000 for a second tenant inserted with SQL over the last 90 days,
# the hourly and daily rollups built from them with SQL, then p50/p95/p99/max of each reporting endpoint
# (ops/bench/reporting_load.py) and the time of a one-day raw events.csv export.
#
#   ops/bench/reporting.sh                                   # release build first, then everything (~15-25 min on 2 cores)
#   TROUGH_BIN=/path/to/trough ops/bench/reporting.sh        # skip the build, use this binary
#   TROUGH_BENCH_POSTGRES_URL='postgres://user@127.0.0.1:5432/empty_db?sslmode=disable' ops/bench/reporting.sh
#                                                            # an existing, empty database instead of a throw-away cluster
#   BENCH_EVENTS=1000000 BENCH_NOISE_EVENTS=100000 ops/bench/reporting.sh   # a quicker, smaller run
#
# Other knobs: BENCH_REQUESTS (300 per endpoint), BENCH_WARMUP (20), BENCH_LOAD_SESSIONS (parallel SQL sessions
# for the load, default: the number of cores), BENCH_KEEP_INDEXES=1 (insert with request_events' secondary
# indexes in place instead of dropping them around the load and rebuilding them), TROUGH_BENCH_PORT.
# Starts and stops only what it starts (by pid): the cluster (removed with its data folder), Trough, the SQL
# sessions. Loopback only. Results: /tmp/trough-bench-reporting/ (summary.txt, latency.json, explain.txt, logs).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=/tmp/trough-bench-reporting
rm -rf "$work"; mkdir -p "$work"
chmod 755 "$work"

events=${BENCH_EVENTS:-10000000}
noise_events=${BENCH_NOISE_EVENTS:-1000000}
requests=${BENCH_REQUESTS:-300}
warmup=${BENCH_WARMUP:-20}
sessions=${BENCH_LOAD_SESSIONS:-$(nproc)}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=${TROUGH_BENCH_PORT:-$(free_port)}
say() { echo "reporting.sh: $*" | tee -a "$work/summary.txt"; }
now() { date +%s.%N; }
since() { python3 -c 'import sys,time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$1"; }

# Everything this script starts, stopped on exit by pid.
pg_dir=
trough_pid=
load_pids=()
stop() {
    local status=$?
    for pid in "${load_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    if [ -n "$trough_pid" ]; then
        kill -TERM "$trough_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$trough_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$trough_pid" 2>/dev/null || true
        wait "$trough_pid" 2>/dev/null || true
    fi
    if [ -n "$pg_dir" ]; then
        as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
    return $status
}
trap stop EXIT

# 1. The binary.
if [ -n "${TROUGH_BIN:-}" ]; then
    binary=$TROUGH_BIN
else
    swift build -c release --product trough
    binary=$(swift build -c release --show-bin-path)/trough
fi
[ -x "$binary" ] || { echo "reporting.sh: no trough binary at $binary" >&2; exit 1; }

# 2. PostgreSQL: the given database, or a throw-away cluster on a free loopback port (as ops/test.sh does;
#    PostgreSQL refuses to run as root, so the cluster belongs to the 'postgres' user).
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
psql_bin=$pg_bin/psql
[ -x "$psql_bin" ] || psql_bin=$(command -v psql) || { echo "reporting.sh: psql not found" >&2; exit 1; }
pg_user=postgres
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi; }
if [ -n "${TROUGH_BENCH_POSTGRES_URL:-}" ]; then
    database_url=$TROUGH_BENCH_POSTGRES_URL
    pg_settings="the given server's own"
else
    [ -x "$pg_bin/initdb" ] || { echo "reporting.sh: PostgreSQL's initdb not found under /usr/lib/postgresql" >&2; exit 1; }
    id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home "$pg_user"
    pg_dir=$(mktemp -d /tmp/trough-bench-pg.XXXXXX)
    chmod 755 "$pg_dir"
    [ "$(id -u)" = 0 ] && chown "$pg_user" "$pg_dir"
    pg_port=$(free_port)
    as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync >"$pg_dir/initdb.log" 2>&1 \
        || { cat "$pg_dir/initdb.log" >&2; echo "reporting.sh: initdb failed" >&2; exit 1; }
    # Durability off (a throw-away cluster), room for the load's WAL; query settings stay at their defaults.
    pg_settings="shared_buffers=1GB maintenance_work_mem=1GB max_wal_size=20GB checkpoint_timeout=1h fsync=off synchronous_commit=off full_page_writes=off"
    pg_options="-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=100"
    for setting in $pg_settings; do pg_options+=" -c $setting"; done
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 -o "$pg_options" start >/dev/null \
        || { cat "$pg_dir/server.log" >&2; echo "reporting.sh: PostgreSQL did not start" >&2; exit 1; }
    as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres trough_bench
    database_url="postgres://postgres@127.0.0.1:$pg_port/trough_bench?sslmode=disable"
fi
sql() { "$psql_bin" "$database_url" -X -q -v ON_ERROR_STOP=1 "$@"; }
sql_value() { sql -At -c "$1"; }
say "PostgreSQL $(sql_value 'SHOW server_version'), settings: $pg_settings"

# 3. Trough on it, migrations applied, an operator key to move the tenant to Pro. Private upstreams are allowed only
#    so that creating services does not need DNS (nothing is proxied here).
admin_key=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
TROUGH_HOST=127.0.0.1 TROUGH_PORT=$port TROUGH_DATABASE_URL=$database_url \
    TROUGH_MASTER_KEY=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())') \
    TROUGH_ADMIN_KEY=$admin_key TROUGH_ALLOW_PRIVATE_UPSTREAMS=true TROUGH_LOG_LEVEL=warning \
    TROUGH_MIGRATIONS_DIR="$root/migrations" TROUGH_WEB_DIR="$root/web" TROUGH_DATA_DIR="$work" \
    "$binary" serve --migrate > "$work/trough.log" 2>&1 &
trough_pid=$!
for _ in $(seq 1 300); do curl -fs --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -fs --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/trough.log" >&2; echo "reporting.sh: Trough did not start" >&2; exit 1; }
[ "$(sql_value 'SELECT COUNT(*) FROM request_events')" = 0 ] || { echo "reporting.sh: the database already holds events; give an empty one" >&2; exit 1; }

# 4. Two tenants through the API: the measured one (Pro, 4 services, 5 tokens) and a Free one for noise.
api="http://127.0.0.1:$port/api"
json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[int(k)] if k.isdigit() else v[k]
print(v)' "$@"; }
signup() {  # signup JAR EMAIL TENANT_NAME -> me.json on stdout
    curl -fsS --max-time 30 -c "$1" -H 'Content-Type: application/json' "$api/auth/signup" \
        -d "{\"email\":\"$2\",\"password\":\"benchmark password\",\"tenant_name\":\"$3\"}"
}
call() {  # call JAR CSRF METHOD PATH BODY
    curl -fsS --max-time 30 -b "$1" -H "X-CSRF-Token: $2" -H 'Content-Type: application/json' -X "$3" "$api$4" -d "$5"
}
me=$(signup "$work/jar" bench@example.com Bench)
csrf=$(json csrf_token <<<"$me")
tenant=$(json tenants 0 id <<<"$me")
curl -fsS --max-time 30 -X PATCH -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    "$api/admin/tenants/$tenant" -d '{"plan":"pro"}' >/dev/null
project=$(call "$work/jar" "$csrf" POST "/tenants/$tenant/projects" '{"name":"bench"}' | json id)
services=()
for spec in 'openai openai https://api.openai.com/v1' 'anthropic anthropic https://api.anthropic.com' \
            'gemini gemini https://generativelanguage.googleapis.com' 'sms generic https://api.twilio.com'; do
    read -r name kind url <<<"$spec"
    services+=("$(call "$work/jar" "$csrf" POST "/projects/$project/services" "{\"name\":\"$name\",\"kind\":\"$kind\",\"base_url\":\"$url\"}" | json id)")
done
tokens=()
for name in backend web-app batch-jobs support-bot staging; do
    tokens+=("$(call "$work/jar" "$csrf" POST "/projects/$project/tokens" "{\"name\":\"$name\"}" | json id)")
done
noise_me=$(signup "$work/noise-jar" noise@example.com Noise)
noise_csrf=$(json csrf_token <<<"$noise_me")
noise_tenant=$(json tenants 0 id <<<"$noise_me")
noise_project=$(call "$work/noise-jar" "$noise_csrf" POST "/tenants/$noise_tenant/projects" '{"name":"noise"}' | json id)
noise_service=$(call "$work/noise-jar" "$noise_csrf" POST "/projects/$noise_project/services" '{"name":"openai","kind":"openai","base_url":"https://api.openai.com/v1"}' | json id)
noise_token=$(call "$work/noise-jar" "$noise_csrf" POST "/projects/$noise_project/tokens" '{"name":"noise"}' | json id)
say "tenant $tenant (pro), project $project, services ${services[*]}, tokens ${tokens[*]}; noise tenant $noise_tenant, project $noise_project"

# 5. The events. One INSERT … SELECT FROM generate_series per slice, BENCH_LOAD_SESSIONS slices at once.
#    Times: 90 days up to now, a daily cycle (peak around 15:00 UTC, 4x the quietest hour). Services: openai 45 %,
#    anthropic 30 %, gemini 15 %, sms (generic, priced by cost rules) 10 %; 30 routes and 12 models; 5 tokens,
#    skewed; 98 % status 200, the rest 4xx/5xx (no usage, cost_source 'none') plus a few client disconnects.
cat > "$work/events.sql" <<'SQL'
SET synchronous_commit = off;
INSERT INTO request_events (event_id, tenant_id, project_id, service_id, token_id, occurred_at, method, route, status, error_type,
    total_latency_us, upstream_latency_us, bytes_in, bytes_out, provider, model, input_tokens, output_tokens, cached_input_tokens,
    cache_write_tokens, reasoning_tokens, units, cost_nanos, cost_source, streamed, tags)
SELECT event_id, :'tenant', :'project', (:'services'::text[])[s + 1], (:'tokens'::text[])[t], occurred_at, method, route, status, error_type,
       total_us, greatest(0, total_us - 200 - floor(rv * 3000)::bigint),
       200 + input * 4 + floor(ry * 2000)::bigint,
       300 + output * 4 + CASE cls WHEN 'e' THEN 18000 ELSE floor(rv * 1500)::bigint END,
       (ARRAY['openai', 'anthropic', 'gemini', 'generic'])[s + 1], model, input, output, cached, cache_write, reasoning, units,
       CASE source
           WHEN 'none' THEN 0
           WHEN 'rule' THEN units * (ARRAY[7900000, 0, 50000000, 0, 14000000, 0, 0, 0]::bigint[])[r - 22]
           WHEN 'usage' THEN CASE WHEN m = 12 THEN units * 100000
               ELSE ((input - cached) * (ARRAY[150, 2500, 2000, 1100, 3000, 800, 15000, 100, 1250, 20, 10, 0]::bigint[])[m]
                     + cached * (ARRAY[75, 1250, 500, 550, 300, 80, 1500, 25, 310, 0, 0, 0]::bigint[])[m]
                     + cache_write * (ARRAY[0, 0, 0, 0, 3750, 1000, 18750, 0, 0, 0, 0, 0]::bigint[])[m]
                     + output * (ARRAY[600, 10000, 8000, 4400, 15000, 4000, 75000, 400, 10000, 0, 0, 0]::bigint[])[m]) END
       END,
       source, cls = 'c' AND rw < 0.4,
       CASE WHEN rw >= 0.8 THEN (ARRAY['{"team":"search"}', '{"team":"support"}', '{"team":"search","env":"staging"}',
                                       '{"feature":"summaries"}'])[1 + floor((rw - 0.8) * 20)::int] END
FROM (
    SELECT *,
           CASE WHEN ok AND cls IN ('c', 'e') THEN CASE cls WHEN 'c' THEN 80 + floor(12000 * rz ^ 3)::bigint ELSE 10 + floor(2000 * rz ^ 2)::bigint END ELSE 0 END AS input,
           CASE WHEN ok AND cls = 'c' THEN 20 + floor(1500 * ru ^ 2)::bigint ELSE 0 END AS output,
           CASE WHEN ok AND cls = 'a' THEN 5 + floor(600 * rz ^ 2)::bigint WHEN ok AND cls = 'r' THEN 1 + floor(3 * rz ^ 3)::bigint ELSE 0 END AS units,
           CASE WHEN NOT ok OR cls = 'n' THEN 'none' WHEN cls = 'r' THEN 'rule' ELSE 'usage' END AS source,
           CASE WHEN status = 504 THEN 300000000
                WHEN status >= 500 THEN 500000 + floor(5000000 * ry)::bigint
                WHEN NOT ok THEN 20000 + floor(ry * 200000)::bigint
                ELSE CASE cls WHEN 'c' THEN 250000 + floor(8000000 * ry ^ 2)::bigint WHEN 'e' THEN 40000 + floor(400000 * ry ^ 2)::bigint
                              WHEN 'a' THEN 1000000 + floor(8000000 * ry)::bigint WHEN 'r' THEN 150000 + floor(600000 * ry)::bigint
                              ELSE 30000 + floor(300000 * ry)::bigint END
           END AS total_us
    FROM (
        SELECT *,
               (ARRAY['c','c','e','a','c','n','n','n','n','n',  'c','n','n','n','n','c',  'c','c','e','e','n','n',
                      'r','n','r','n','r','n','n','n'])[r] AS cls,
               status < 400 AND error_type IS NULL AS ok,
               CASE (ARRAY['c','c','e','a','c','n','n','n','n','n',  'c','c','n','n','n','c',  'c','c','e','e','c','n',
                           'n','n','n','n','n','n','n','n'])[r]
                   WHEN 'c' THEN CASE s WHEN 0 THEN 1 + width_bucket(rm, ARRAY[0.5, 0.75, 0.9]::float8[])
                                        WHEN 1 THEN 5 + width_bucket(rm, ARRAY[0.6, 0.9]::float8[])
                                        ELSE 8 + width_bucket(rm, ARRAY[0.7]::float8[]) END
                   WHEN 'e' THEN CASE s WHEN 0 THEN 10 ELSE 11 END
                   WHEN 'a' THEN 12
               END AS m
        FROM (
            SELECT *,
                   (ARRAY[0, 10, 16, 22])[s + 1] + 1 + CASE s
                       WHEN 0 THEN width_bucket(rr, ARRAY[0.55, 0.70, 0.85, 0.89, 0.93, 0.96, 0.975, 0.985, 0.995]::float8[])
                       WHEN 1 THEN width_bucket(rr, ARRAY[0.85, 0.91, 0.94, 0.97, 0.99]::float8[])
                       WHEN 2 THEN width_bucket(rr, ARRAY[0.55, 0.80, 0.90, 0.95, 0.99]::float8[])
                       ELSE width_bucket(rr, ARRAY[0.60, 0.75, 0.85, 0.93, 0.97, 0.985, 0.995]::float8[]) END AS r
            FROM (
                SELECT 'evt_' || lpad(i::text, 20, '0') AS event_id,
                       width_bucket(rs, ARRAY[0.45, 0.75, 0.90]::float8[]) AS s,
                       1 + floor(5 * rt ^ 1.6)::int AS t,
                       -- day d of 90 (uniform) and a time of day f with density ∝ 1/(1 - 0.6 cos): a daily cycle;
                       -- wrapped into [now - 90 days, now) so every time of day gets the same 90 days.
                       :t0::bigint + mod(mod(:s0::bigint + floor(rd * 90)::bigint * 86400000
                           + floor(86400000 * ((rf - 0.6 / (2 * pi()) * sin(2 * pi() * rf) + 0.625)
                                               - floor(rf - 0.6 / (2 * pi()) * sin(2 * pi() * rf) + 0.625)))::bigint,
                           7776000000) + 7776000000, 7776000000) AS occurred_at,
                       CASE WHEN rx < 0.98 THEN 200
                            ELSE (ARRAY[400, 401, 404, 429, 500, 502, 504])[1 + width_bucket((rx - 0.98) / 0.02, ARRAY[0.3, 0.35, 0.4, 0.7, 0.8, 0.9]::float8[])] END AS status,
                       CASE WHEN rx >= 0.9795 AND rx < 0.98 THEN 'client_disconnected'
                            WHEN rx >= 0.98 + 0.9 * 0.02 THEN 'upstream_timeout'
                            WHEN rx >= 0.98 + 0.8 * 0.02 AND rv < 0.5 THEN 'upstream_unavailable' END AS error_type,
                       rr, rm, rz, ry, rv, rw, ru
                FROM (SELECT i, random() AS rs, random() AS rr, random() AS rm, random() AS rt, random() AS rd, random() AS rf,
                             random() AS rx, random() AS ry, random() AS rz, random() AS rv, random() AS rw, random() AS ru
                      FROM generate_series(:first::bigint, :last::bigint) AS i) AS g
            ) AS a
        ) AS b
    ) AS c
) AS d,
LATERAL (SELECT (ARRAY['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/audio/transcriptions', '/v1/completions',
                       '/v1/moderations', '/v1/models', '/v1/files', '/v1/batches', '/v1/batches/*',
                       '/v1/messages', '/v1/messages/count_tokens', '/v1/messages/batches', '/v1/messages/batches/*', '/v1/models', '/v1/complete',
                       '/v1beta/models/*:generateContent', '/v1beta/models/*:streamGenerateContent', '/v1beta/models/*:embedContent',
                       '/v1beta/models/*:batchEmbedContents', '/v1beta/models/*:countTokens', '/v1beta/models',
                       '/2010-04-01/Accounts/*/Messages.json', '/2010-04-01/Accounts/*/Messages/*.json', '/v2/Services/*/Verifications',
                       '/v2/Services/*/VerificationCheck', '/2010-04-01/Accounts/*/Calls.json', '/2010-04-01/Accounts/*/Calls/*.json',
                       '/2010-04-01/Accounts/*/IncomingPhoneNumbers.json', '/2010-04-01/Accounts/*/Usage/Records.json'])[d.r] AS route,
                (ARRAY['POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'POST', 'POST', 'GET',
                       'POST', 'POST', 'POST', 'GET', 'GET', 'POST',
                       'POST', 'POST', 'POST', 'POST', 'POST', 'GET',
                       'POST', 'GET', 'POST', 'POST', 'POST', 'GET', 'GET', 'GET'])[d.r] AS method,
                (ARRAY['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'o3-mini', 'claude-sonnet-4-5', 'claude-3-5-haiku-20241022', 'claude-opus-4-1',
                       'gemini-2.0-flash', 'gemini-2.5-pro', 'text-embedding-3-small', 'text-embedding-004', 'whisper-1'])[d.m] AS model,
                CASE WHEN d.ok AND d.cls = 'c' AND d.ru < 0.3 THEN floor(d.input * 0.6)::bigint ELSE 0 END AS cached,
                CASE WHEN d.ok AND d.cls = 'c' AND d.s = 1 AND d.ru >= 0.3 AND d.ru < 0.4 THEN floor(d.input * 0.5)::bigint ELSE 0 END AS cache_write,
                CASE WHEN d.m = 4 THEN floor(d.output * 0.6)::bigint ELSE 0 END AS reasoning) AS l;
SQL

# Slices of [first, last] for the sessions, each inserting in the background; waits for all, fails if one did.
load() {  # load TENANT PROJECT SERVICES_ARRAY TOKENS_ARRAY FIRST COUNT
    local per=$(( ($6 + sessions - 1) / sessions )) from=$5 end=$(( $5 + $6 - 1 )) k=0
    load_pids=()
    while [ "$from" -le "$end" ]; do
        local to=$(( from + per - 1 )); [ "$to" -gt "$end" ] && to=$end
        sql -v tenant="$1" -v project="$2" -v services="$3" -v tokens="$4" -v first="$from" -v last="$to" \
            -v t0="$t0" -v s0="$s0" -f "$work/events.sql" > "$work/load-$1-$k.log" 2>&1 &
        load_pids+=($!)
        from=$(( to + 1 )); k=$(( k + 1 ))
    done
    local failed=0
    for pid in "${load_pids[@]}"; do wait "$pid" || failed=1; done
    load_pids=()
    [ "$failed" = 0 ] || { cat "$work"/load-*.log >&2; echo "reporting.sh: loading events failed" >&2; exit 1; }
}
array() { local IFS=,; echo "{$*}"; }

now_ms=$(python3 -c 'import time; print(int(time.time() * 1000))')
t0=$(( now_ms - 90 * 86400000 ))          # the oldest event time
s0=$(( t0 - t0 % 86400000 - t0 ))         # the start of t0's UTC day, relative to t0 (<= 0)
say "loading $events events for the project and $noise_events for the noise tenant, $sessions SQL sessions at once"
started=$(now)
if [ -z "${BENCH_KEEP_INDEXES:-}" ]; then
    # Inserting 11 M rows into request_events with its three secondary indexes (event_id unique, project/time,
    # tenant/time) in place is much slower than building them afterwards: drop them, remember their definitions.
    sql -At > "$work/indexes.sql" <<'SQL'
SELECT format('ALTER TABLE request_events ADD CONSTRAINT %I %s;', conname, pg_get_constraintdef(oid))
FROM pg_constraint WHERE conrelid = 'request_events'::regclass AND contype = 'u'
UNION ALL
SELECT pg_get_indexdef(indexrelid) || ';' FROM pg_index
WHERE indrelid = 'request_events'::regclass AND NOT indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid);
SQL
    sql -At > "$work/drop-indexes.sql" <<'SQL'
SELECT format('ALTER TABLE request_events DROP CONSTRAINT %I;', conname)
FROM pg_constraint WHERE conrelid = 'request_events'::regclass AND contype = 'u'
UNION ALL
SELECT format('DROP INDEX %s;', indexrelid::regclass) FROM pg_index
WHERE indrelid = 'request_events'::regclass AND NOT indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid);
SQL
    sql -f "$work/drop-indexes.sql"
fi
load "$tenant" "$project" "$(array "${services[@]}")" "$(array "${tokens[@]}")" 1 "$events"
noise_services=$(array "$noise_service" "$noise_service" "$noise_service" "$noise_service")
noise_tokens=$(array "$noise_token" "$noise_token" "$noise_token" "$noise_token" "$noise_token")
load "$noise_tenant" "$noise_project" "$noise_services" "$noise_tokens" $(( events + 1 )) "$noise_events"
insert_seconds=$(since "$started")
say "events inserted in ${insert_seconds} s"
index_seconds=0
if [ -z "${BENCH_KEEP_INDEXES:-}" ]; then
    started_indexes=$(now)
    { echo "SET maintenance_work_mem = '1GB';"; cat "$work/indexes.sql"; } | sql
    index_seconds=$(since "$started_indexes")
    say "request_events indexes rebuilt in ${index_seconds} s: $(tr '\n' ' ' < "$work/indexes.sql")"
fi

# 6. The rollups, as the event writer would have made them: hourly from the events (one session per time slice),
#    daily from the hourly rows (the same sums, grouped by UTC day).
started_rollups=$(now)
cat > "$work/hourly.sql" <<'SQL'
SET synchronous_commit = off;
SET work_mem = '512MB';
INSERT INTO usage_hourly (tenant_id, project_id, bucket_at, service_id, token_id, route, provider, model, requests, errors, unpriced,
    input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, total_latency_us, bytes_in, bytes_out)
SELECT tenant_id, project_id, occurred_at - occurred_at % 3600000, COALESCE(service_id, ''), COALESCE(token_id, ''), route,
       COALESCE(provider, ''), COALESCE(model, ''), COUNT(*),
       COUNT(*) FILTER (WHERE status >= 400 OR error_type IS NOT NULL), COUNT(*) FILTER (WHERE cost_source = 'unpriced'),
       SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens),
       SUM(cost_nanos), SUM(total_latency_us), SUM(bytes_in), SUM(bytes_out)
FROM request_events
WHERE occurred_at >= :from::bigint AND occurred_at < :to::bigint
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
SQL
load_pids=()
span=$(( (now_ms - t0 + sessions * 86400000 - 1) / sessions / 86400000 * 86400000 ))
for k in $(seq 0 $(( sessions - 1 ))); do
    from=$(( k == 0 ? 0 : t0 - t0 % 86400000 + k * span ))
    to=$(( k == sessions - 1 ? 9000000000000000000 : t0 - t0 % 86400000 + (k + 1) * span ))
    sql -v from="$from" -v to="$to" -f "$work/hourly.sql" > "$work/hourly-$k.log" 2>&1 &
    load_pids+=($!)
done
failed=0
for pid in "${load_pids[@]}"; do wait "$pid" || failed=1; done
load_pids=()
[ "$failed" = 0 ] || { cat "$work"/hourly-*.log >&2; echo "reporting.sh: building usage_hourly failed" >&2; exit 1; }
sql <<'SQL'
SET synchronous_commit = off;
SET work_mem = '512MB';
INSERT INTO usage_daily (tenant_id, project_id, bucket_at, service_id, token_id, route, provider, model, requests, errors, unpriced,
    input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_nanos, total_latency_us, bytes_in, bytes_out)
SELECT tenant_id, project_id, bucket_at - bucket_at % 86400000, service_id, token_id, route, provider, model, SUM(requests), SUM(errors),
       SUM(unpriced), SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens),
       SUM(cost_nanos), SUM(total_latency_us), SUM(bytes_in), SUM(bytes_out)
FROM usage_hourly
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
SQL
rollup_seconds=$(since "$started_rollups")
say "rollups built in ${rollup_seconds} s"
started_vacuum=$(now)
sql -c 'VACUUM ANALYZE request_events' -c 'VACUUM ANALYZE usage_hourly' -c 'VACUUM ANALYZE usage_daily' -c 'CHECKPOINT'
vacuum_seconds=$(since "$started_vacuum")
generation_seconds=$(since "$started")
say "VACUUM ANALYZE + CHECKPOINT in ${vacuum_seconds} s; data generation in total ${generation_seconds} s"

# 7. Row counts and sizes.
sql -A -F ' | ' > "$work/counts.txt" <<SQL
SELECT 'request_events' AS "table", COUNT(*) AS rows, COUNT(*) FILTER (WHERE project_id = '$project') AS bench_project,
       pg_size_pretty(pg_total_relation_size('request_events')) AS size FROM request_events
UNION ALL
SELECT 'usage_hourly', COUNT(*), COUNT(*) FILTER (WHERE project_id = '$project'), pg_size_pretty(pg_total_relation_size('usage_hourly')) FROM usage_hourly
UNION ALL
SELECT 'usage_daily', COUNT(*), COUNT(*) FILTER (WHERE project_id = '$project'), pg_size_pretty(pg_total_relation_size('usage_daily')) FROM usage_daily;
SQL
tee -a "$work/summary.txt" < "$work/counts.txt"
sql -A -F ' | ' -c "SELECT min(to_timestamp(occurred_at / 1000.0)) AS oldest, max(to_timestamp(occurred_at / 1000.0)) AS newest,
    round(100.0 * COUNT(*) FILTER (WHERE status >= 400 OR error_type IS NOT NULL) / COUNT(*), 2) AS error_percent,
    (SUM(cost_nanos) / 1e9)::numeric(14, 2) AS cost_usd FROM request_events WHERE project_id = '$project'" | tee -a "$work/summary.txt"

# 8. Latency per endpoint (a fresh session: sign in again, in case the load outlasted anything).
curl -fsS --max-time 30 -c "$work/jar" -H 'Content-Type: application/json' "$api/auth/login" \
    -d '{"email":"bench@example.com","password":"benchmark password"}' >/dev/null
timeout 1200 python3 ops/bench/reporting_load.py measure --base "http://127.0.0.1:$port" --jar "$work/jar" \
    --project "$project" --tenant "$tenant" --requests "$requests" --warmup "$warmup" --json "$work/latency.json" \
    | tee -a "$work/summary.txt"

# 9. The plans of the reporting queries, for whoever reads a slow figure (values as the server binds them).
today=$(( now_ms - now_ms % 86400000 ))
month_start=$(python3 -c 'import datetime,sys; t=datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc); print(int(t.replace(day=1,hour=0,minute=0,second=0,microsecond=0).timestamp()*1000))' "$now_ms")
hour_now=$(( now_ms - now_ms % 3600000 ))
totals=$(for c in requests errors unpriced cost_nanos input_tokens output_tokens cached_input_tokens reasoning_tokens total_latency_us; do
    printf 'CAST(COALESCE(SUM(%s), 0) AS BIGINT) AS %s, ' "$c" "$c"; done)
totals=${totals%, }   # the server's SQLStore.totalsColumns
day_ago=$(( now_ms - 86400000 ))
{
    echo "\\echo -- month-to-date totals of the project (summary, breakdown totals)"
    echo "EXPLAIN (ANALYZE, BUFFERS) SELECT $totals FROM usage_daily WHERE project_id = '$project' AND tenant_id = '$tenant' AND bucket_at >= $month_start AND bucket_at < $(( today + 86400000 ));"
    echo "\\echo -- daily series, 90 days"
    echo "EXPLAIN (ANALYZE, BUFFERS) SELECT bucket_at, $totals FROM usage_daily WHERE project_id = '$project' AND tenant_id = '$tenant' AND bucket_at >= $(( today - 90 * 86400000 )) AND bucket_at < $(( today + 86400000 )) GROUP BY bucket_at ORDER BY bucket_at;"
    echo "\\echo -- hourly series, 48 hours"
    echo "EXPLAIN (ANALYZE, BUFFERS) SELECT bucket_at, $totals FROM usage_hourly WHERE project_id = '$project' AND tenant_id = '$tenant' AND bucket_at >= $(( hour_now + 3600000 - 48 * 3600000 )) AND bucket_at < $(( hour_now + 3600000 )) GROUP BY bucket_at ORDER BY bucket_at;"
    echo "\\echo -- breakdown by endpoint, this month"
    echo "EXPLAIN (ANALYZE, BUFFERS) SELECT route AS group_key, $totals FROM usage_daily WHERE project_id = '$project' AND tenant_id = '$tenant' AND bucket_at >= $month_start AND bucket_at < $(( today + 86400000 )) GROUP BY route ORDER BY cost_nanos DESC, requests DESC, group_key LIMIT 10;"
    echo "\\echo -- tenant totals by project, this month (tenant summary)"
    echo "EXPLAIN (ANALYZE, BUFFERS) SELECT project_id AS group_key, $totals FROM usage_daily WHERE tenant_id = '$tenant' AND bucket_at >= $month_start AND bucket_at < $(( today + 86400000 )) GROUP BY project_id;"
    echo "\\echo -- events.csv: the first page of the last day, and a page half-way through it (keyset cursor as the server writes it)"
    page="SELECT * FROM request_events WHERE project_id = '$project' AND tenant_id = '$tenant' AND occurred_at >= $day_ago AND occurred_at < $(( now_ms + 1000 ))"
    echo "EXPLAIN (ANALYZE, BUFFERS) $page ORDER BY occurred_at, id LIMIT 1000;"
    mid=$(sql_value "SELECT occurred_at || ' ' || id FROM request_events WHERE project_id = '$project' AND occurred_at >= $(( now_ms - 43200000 )) ORDER BY occurred_at, id LIMIT 1")
    read -r mid_at mid_id <<<"$mid"
    echo "EXPLAIN (ANALYZE, BUFFERS) $page AND (occurred_at > $mid_at OR (occurred_at = $mid_at AND id > $mid_id)) ORDER BY occurred_at, id LIMIT 1000;"
    echo "\\echo -- the same page with the cursor condition written so it bounds the index range (not what the server sends today):"
    echo "EXPLAIN (ANALYZE, BUFFERS) $page AND occurred_at >= $mid_at AND (occurred_at > $mid_at OR id > $mid_id) ORDER BY occurred_at, id LIMIT 1000;"
    echo "EXPLAIN (ANALYZE, BUFFERS) $page AND (occurred_at, id) > ($mid_at, $mid_id) ORDER BY occurred_at, id LIMIT 1000;"
} > "$work/explain.sql"
sql -e -f "$work/explain.sql" > "$work/explain.txt" 2>&1
echo "reporting.sh: query plans in $work/explain.txt; results in $work (summary.txt, latency.json)"
