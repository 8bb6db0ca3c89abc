#!/usr/bin/env python3
"""Latency of Trough's reporting API, for ops/bench/reporting.sh.

    reporting_load.py measure --base http://127.0.0.1:PORT --jar COOKIE_JAR --project PRJ --tenant TEN \
        [--requests 300] [--warmup 20] [--json OUT.json]

For each endpoint: WARMUP requests, then REQUESTS sequential requests on one keep-alive connection with the
session cookie, wall time per request (send to last body byte). Every answer must be 200, or the run fails.
Prints p50/p95/p99/max in ms (nearest rank), then times one raw events.csv export of the last day
(time to the response head, to the first body byte, and to the last byte). Standard library only.
"""
import argparse
import datetime
import http.client
import json
import math
import sys
import time


def session_cookie(jar_path):
    """The cookies of a curl cookie jar (Netscape format, `#HttpOnly_` lines included) as a Cookie header."""
    pairs = []
    with open(jar_path) as jar:
        for line in jar:
            line = line.rstrip("\n")
            if line.startswith("#HttpOnly_"):
                line = line[len("#HttpOnly_"):]
            elif not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) >= 7:
                pairs.append(f"{fields[5]}={fields[6]}")
    if not pairs:
        sys.exit(f"reporting_load.py: no cookie in {jar_path}")
    return "; ".join(pairs)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def endpoints(project, tenant):
    today = datetime.datetime.now(datetime.timezone.utc).date()
    ninety = today - datetime.timedelta(days=90)
    p = f"/api/projects/{project}"
    return [
        ("project summary", f"{p}/usage/summary"),
        ("daily, 30 days (default)", f"{p}/usage/daily"),
        ("daily, 90 days", f"{p}/usage/daily?from={ninety.isoformat()}&to={today.isoformat()}"),
        ("hourly, 48 hours", f"{p}/usage/hourly?hours=48"),
        ("breakdown by endpoint", f"{p}/usage/breakdown?by=endpoint"),
        ("breakdown by model", f"{p}/usage/breakdown?by=model"),
        ("breakdown by service", f"{p}/usage/breakdown?by=service"),
        ("breakdown by token", f"{p}/usage/breakdown?by=token"),
        ("tenant summary", f"/api/tenants/{tenant}/usage/summary"),
        ("tenant plan", f"/api/tenants/{tenant}/plan"),
        ("export.csv by day", f"{p}/usage/export.csv?by=day"),
    ]


class Client:
    def __init__(self, host, port, cookie, timeout):
        self.host, self.port, self.cookie, self.timeout = host, port, cookie, timeout
        self.connection = None

    def get(self, path):
        """(status, body, seconds) of one GET, on the kept-alive connection (reopened once if the server closed it)."""
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.connection.connect()
            try:
                started = time.perf_counter()
                self.connection.request("GET", path, headers={"Cookie": self.cookie, "Accept": "application/json"})
                response = self.connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                if response.will_close:
                    self.connection.close()
                    self.connection = None
                return response.status, body, elapsed
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def measure(args):
    host, _, port = args.base.removeprefix("http://").rstrip("/").partition(":")
    cookie = session_cookie(args.jar)
    client = Client(host, int(port or 80), cookie, args.timeout)
    results = []
    print(f"{'endpoint':<28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  bytes  path", flush=True)
    for name, path in endpoints(args.project, args.tenant):
        times = []
        size = 0
        for i in range(args.warmup + args.requests):
            status, body, elapsed = client.get(path)
            if status != 200:
                sys.exit(f"reporting_load.py: GET {path} answered {status}: {body[:500]!r}")
            if i >= args.warmup:
                times.append(elapsed * 1000)
            size = len(body)
        times.sort()
        row = {"name": name, "path": path, "requests": len(times), "bytes": size,
               "p50": percentile(times, 50), "p95": percentile(times, 95), "p99": percentile(times, 99),
               "max": times[-1], "mean": sum(times) / len(times)}
        results.append(row)
        print(f"{name:<28} {row['p50']:8.2f} {row['p95']:8.2f} {row['p99']:8.2f} {row['max']:8.2f}  {size:>5}  {path}", flush=True)

    # The raw export of the last day: streamed page by page, so time to the head, first byte and last byte.
    since = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = f"/api/projects/{args.project}/events.csv?from={since}"
    connection = http.client.HTTPConnection(host, int(port or 80), timeout=args.export_timeout)
    connection.connect()
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    head = time.perf_counter() - started
    if response.status != 200:
        sys.exit(f"reporting_load.py: GET {path} answered {response.status}: {response.read()[:500]!r}")
    first_byte = first_row = None
    size = lines = 0
    while chunk := response.read1(1 << 20):
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
        if first_row is None and lines >= 2:  # the header line is written before the first page is read
            first_row = time.perf_counter() - started
    total = time.perf_counter() - started
    connection.close()
    export = {"path": path, "rows": lines - 1, "bytes": size, "head_ms": head * 1000,
              "first_byte_ms": (first_byte or total) * 1000, "first_row_ms": (first_row or total) * 1000, "total_ms": total * 1000}
    print(f"events.csv since {since}: {export['rows']} rows, {size / 1e6:.1f} MB; head {export['head_ms']:.1f} ms, "
          f"first byte {export['first_byte_ms']:.1f} ms, first row {export['first_row_ms']:.1f} ms, "
          f"total {export['total_ms'] / 1000:.2f} s ({export['rows'] / total:,.0f} rows/s)", flush=True)

    slow = [row["name"] for row in results if row["p95"] >= args.target_ms]
    print(f"p95 target {args.target_ms:g} ms: " + ("met by every endpoint" if not slow else "MISSED by " + ", ".join(slow)), flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"endpoints": results, "events_csv": export, "requests": args.requests, "warmup": args.warmup}, out, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("measure")
    m.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    m.add_argument("--jar", required=True, help="curl cookie jar holding the session cookie")
    m.add_argument("--project", required=True)
    m.add_argument("--tenant", required=True)
    m.add_argument("--requests", type=int, default=300)
    m.add_argument("--warmup", type=int, default=20)
    m.add_argument("--timeout", type=float, default=60, help="seconds per request")
    m.add_argument("--export-timeout", type=float, default=600, help="seconds for the events.csv export")
    m.add_argument("--target-ms", type=float, default=100)
    m.add_argument("--json")
    args = parser.parse_args()
    if args.command == "measure":
        measure(args)


if __name__ == "__main__":
    main()
