#!/usr/bin/env python3
# The event insert's cost in SQLite per event: a 200-row, 27-column multi-row INSERT compiled every batch (what
# SQLiteNIO does) against the same statement cached, and against one JSON text per batch through json_each.
#   python3 ops/bench/sqlite-insert.py     (scratch databases in /tmp; docs/benchmarks.md, "What half of nginx takes")
import sqlite3, time, json, os
cols = ["event_id","tenant_id","project_id","service_id","token_id","occurred_at","method","route","status","error_type","total_latency_micros","upstream_latency_micros","bytes_in","bytes_out","provider","model","input_tokens","output_tokens","cached_input_tokens","cache_write_tokens","reasoning_tokens","units","cost_nanos","cost_source","streamed","tags","service_tier"]
def mk(i):
    return [f"evt_{i:020d}","ten_abcdefghijklmnop","prj_abcdefghijklmnop","svc_abcdefghijklmnop","tok_abcdefghijklmnop",1764800000000+i,"POST","/v1/chat/completions",200,None,850,120,180,620,"openai","gpt-4o-mini",42,17,0,0,0,0,16500,"usage",0,None,None]
for mode in ["values","cached","json","values","cached","json"]:
    path=f"/tmp/sqlbench-{mode}.db"
    for f in [path, path+"-wal", path+"-shm"]:
        if os.path.exists(f): os.remove(f)
    db=sqlite3.connect(path, cached_statements=(100 if mode=="cached" else 0), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE request_events (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, tenant_id TEXT, project_id TEXT, service_id TEXT, token_id TEXT, occurred_at INTEGER, method TEXT, route TEXT, status INTEGER, error_type TEXT, total_latency_micros INTEGER, upstream_latency_micros INTEGER, bytes_in INTEGER, bytes_out INTEGER, provider TEXT, model TEXT, input_tokens INTEGER, output_tokens INTEGER, cached_input_tokens INTEGER, cache_write_tokens INTEGER, reasoning_tokens INTEGER, units INTEGER, cost_nanos INTEGER, cost_source TEXT, streamed INTEGER, tags TEXT, service_tier TEXT)")
    db.execute("CREATE INDEX a ON request_events (project_id, occurred_at)"); db.execute("CREATE INDEX b ON request_events (tenant_id, occurred_at)")
    values_sql = "INSERT INTO request_events (" + ",".join(cols) + ") VALUES " + ",".join(["(" + ",".join("?"*len(cols)) + ")"]*200)
    json_sql = "INSERT INTO request_events (" + ",".join(cols) + ") SELECT " + ",".join(f"value->>{i}" for i in range(len(cols))) + " FROM json_each(?)"
    batches=100; n=0; t_exec=0
    for b in range(batches):
        rows=[mk(n+i) for i in range(200)]; n+=200
        if mode in ("values","cached"):
            params=[v for r in rows for v in r]
            t=time.perf_counter(); db.execute("BEGIN"); db.execute(values_sql, params); db.execute("COMMIT"); t_exec+=time.perf_counter()-t
        else:
            text=json.dumps(rows)
            t=time.perf_counter(); db.execute("BEGIN"); db.execute(json_sql, (text,)); db.execute("COMMIT"); t_exec+=time.perf_counter()-t
    cnt=db.execute("select count(*), sum(cost_nanos), count(error_type) from request_events").fetchone()
    print(mode, sqlite3.sqlite_version, "us/event=%.2f" % (t_exec/n*1e6), cnt)
