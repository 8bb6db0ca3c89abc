#!/usr/bin/env python3
# The event insert's cost in SQLite per event: a 200-row multi-row INSERT into request_events compiled every batch
# (what SQLiteNIO does) against the same statement cached, and against one JSON text per batch through json_each.
# The table and its indexes come from migrations/sqlite, with Trough's connection pragmas.
#   python3 ops/bench/sqlite-insert.py     (scratch databases in /tmp; docs/benchmarks.md, "What half of nginx takes")
import glob, json, os, sqlite3, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
migrations = sorted(glob.glob(os.path.join(root, "migrations/sqlite/*.sql")))
EVENT = {"tenant_id": "ten_abcdefghijklmnop", "project_id": "prj_abcdefghijklmnop", "service_id": "svc_abcdefghijklmnop",
         "token_id": "tok_abcdefghijklmnop", "method": "POST", "route": "/v1/chat/completions", "status": 200,
         "total_latency_us": 850, "upstream_latency_us": 120, "bytes_in": 180, "bytes_out": 620, "provider": "openai",
         "model": "gpt-4o-mini", "input_tokens": 42, "output_tokens": 17, "cached_input_tokens": 0, "cache_write_tokens": 0,
         "reasoning_tokens": 0, "units": 0, "cost_nanos": 16500, "cost_source": "usage", "streamed": 0}
ROWS, BATCHES = 200, 100

def open_db(path, cached):
    for f in (path, path + "-wal", path + "-shm"):
        if os.path.exists(f): os.remove(f)
    db = sqlite3.connect(path, cached_statements=100 if cached else 0, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
        db.execute("PRAGMA " + pragma)
    for migration in migrations:
        db.executescript(open(migration).read())
    return db

for mode in ["compiled", "cached", "json"] * 2:
    db = open_db(f"/tmp/sqlite-insert-{mode}.db", cached=mode == "cached")
    columns = [row[1] for row in db.execute("PRAGMA table_info(request_events)") if row[1] != "id"]
    names = ", ".join(columns)
    values_sql = f"INSERT INTO request_events ({names}) VALUES " + ", ".join(["(" + ", ".join("?" * len(columns)) + ")"] * ROWS)
    json_sql = f"INSERT INTO request_events ({names}) SELECT " + ", ".join(f"value->>{i}" for i in range(len(columns))) + " FROM json_each(?)"
    elapsed = 0.0
    for batch in range(BATCHES):
        rows = [[{**EVENT, "event_id": f"evt_{batch * ROWS + i:020d}", "occurred_at": 1764800000000 + i}.get(c) for c in columns] for i in range(ROWS)]
        statement, params = (json_sql, (json.dumps(rows),)) if mode == "json" else (values_sql, [v for row in rows for v in row])
        started = time.perf_counter()
        db.execute("BEGIN"); db.execute(statement, params); db.execute("COMMIT")
        elapsed += time.perf_counter() - started
    stored, cost = db.execute("SELECT COUNT(*), SUM(cost_nanos) FROM request_events").fetchone()
    print(f"{mode:8} SQLite {sqlite3.sqlite_version}: {elapsed / (ROWS * BATCHES) * 1e6:.2f} us/event ({stored} stored, {cost} nanos)")
    db.close()
    for f in glob.glob(f"/tmp/sqlite-insert-{mode}.db*"): os.remove(f)
