# Sourced by the bench scripts: bench_tenant PORT ADMIN_KEY DIR signs up on the Trough at PORT, makes the tenant
# Pro (the Free plan's 10,000 requests a month would end a run with 402s), adds a project whose openai and anthropic services are
# ../shared/bench's mock upstream (:18080), and exports BENCH_PROJECT_TOKEN, a token for it. DIR keeps the cookies.
bench_tenant() {
  local api="http://127.0.0.1:$1/api" admin_key=$2 dir=$3 csrf tenant project
  curl -fs -c "$dir/jar" -H 'Content-Type: application/json' "$api/auth/signup" \
      -d '{"email":"bench@example.com","password":"benchmark password","tenant_name":"Bench"}' > "$dir/me.json"
  csrf=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["csrf_token"])' "$dir/me.json")
  tenant=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["tenants"][0]["id"])' "$dir/me.json")
  post() { curl -fs -b "$dir/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' "$api$1" -d "$2"; }
  curl -fs -X PATCH -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' "$api/admin/tenants/$tenant" -d '{"plan":"pro"}' >/dev/null
  project=$(post "/tenants/$tenant/projects" '{"name":"bench"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
  post "/projects/$project/services" '{"name":"openai","kind":"openai","base_url":"http://127.0.0.1:18080/v1"}' >/dev/null
  # The same mock as an Anthropic service: /proxy/anthropic/v1/messages and /v1/messages-stream.
  post "/projects/$project/services" '{"name":"anthropic","kind":"anthropic","base_url":"http://127.0.0.1:18080"}' >/dev/null
  # With BENCH_CHUNKED_PORT (ab-throughput.sh's chunked mock): services "chunked" (openai) and "gemini" on it.
  if [ -n "${BENCH_CHUNKED_PORT:-}" ]; then
    post "/projects/$project/services" '{"name":"chunked","kind":"openai","base_url":"http://127.0.0.1:'"$BENCH_CHUNKED_PORT"'/v1"}' >/dev/null
    post "/projects/$project/services" '{"name":"gemini","kind":"gemini","base_url":"http://127.0.0.1:'"$BENCH_CHUNKED_PORT"'"}' >/dev/null
  fi
  BENCH_PROJECT_TOKEN=$(post "/projects/$project/tokens" '{"name":"bench"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
  export BENCH_PROJECT_TOKEN
}
