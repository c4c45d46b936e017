#!/usr/bin/env python3
"""Write throughput of almanac's /-/insert against the sqlite3 CLI, in one run.

    bench/bench_write.py [--bin build/almanac] [--rows 100000] [--concurrent-rows 16000]

Scenarios (each into its own table of a fresh database, like Datasette's bench_insert.py:
rows {"a": "item-N", "b": N*7919 % 1000000, "c": N/7.0, "d": "category-(N%20)"}):
  batch100     100,000 rows, one client, batches of 100 (the default max_insert_rows)
  batch1000    100,000 rows, one client, batches of 1,000 (--setting max_insert_rows 1000)
  concurrent   16 clients on keep-alive connections, one row per request (Python threads;
               and, when `wrk` is installed, 16 wrk connections for 5 s)
  sqlite3-cli  the same 100,000 rows through the sqlite3 CLI in one transaction
Prints one JSON line per scenario and a summary table.
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from almanac_server import AlmanacServer  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "bench-secret"
COLUMNS = [{"name": "id", "type": "integer"}, {"name": "a", "type": "text"},
           {"name": "b", "type": "integer"}, {"name": "c", "type": "float"},
           {"name": "d", "type": "text"}]


def row(i):
    return {"a": "item-%d" % i, "b": (i * 7919) % 1000000, "c": i / 7.0, "d": "category-%d" % (i % 20)}


class Client:
    def __init__(self, url, token):
        host, port = url.split("//", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)
        self.headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    def post(self, path, body, expect):
        self.conn.request("POST", path, body=body, headers=self.headers)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != expect:
            raise SystemExit("HTTP {} {}: {}".format(resp.status, path, data[:300]))


def create(client, table):
    client.post("/bench/-/create", json.dumps({"table": table, "columns": COLUMNS, "pk": "id"}), 201)


def batched(url, token, table, rows, batch):
    client = Client(url, token)
    create(client, table)
    bodies = [json.dumps({"rows": [row(i) for i in range(n, min(n + batch, rows + 1))]}).encode()
              for n in range(1, rows + 1, batch)]
    path = "/bench/{}/-/insert".format(table)
    start = time.perf_counter()
    for body in bodies:
        client.post(path, body, 201)
    return time.perf_counter() - start


def concurrent(url, token, table, rows, clients):
    create(Client(url, token), table)
    path = "/bench/{}/-/insert".format(table)
    per_client = rows // clients
    bodies = [[json.dumps({"row": row(c * per_client + k + 1)}).encode() for k in range(per_client)]
              for c in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def work(c):
        client = Client(url, token)
        barrier.wait()
        for body in bodies[c]:
            client.post(path, body, 201)

    threads = [threading.Thread(target=work, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, per_client * clients


def wrk_concurrent(url, token, table, clients, seconds, tmp):
    """16 keep-alive connections from wrk (C, so the client is not the bottleneck), one row
    per request, for `seconds`; the rate is the rows that landed in the table."""
    create(Client(url, token), table)
    script = Path(tmp) / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.body = \'{"row": {"a": "item", "b": 7919, "c": 0.5, "d": "category-1"}}\'\n'
        'wrk.headers["Authorization"] = "Bearer %s"\n'
        'wrk.headers["Content-Type"] = "application/json"\n' % token)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", "%ds" % seconds,
                          "-s", str(script), url + "/bench/%s/-/insert" % table],
                         capture_output=True, text=True, check=True).stdout
    client = Client(url, token)
    client.conn.request("GET", "/bench/-/query.json?_shape=array&sql=select+count(*)+as+n+from+"
                        + table, headers=client.headers)
    count = json.loads(client.conn.getresponse().read())[0]["n"]
    non_2xx = [line for line in out.splitlines() if "Non-2xx" in line]
    if non_2xx:
        raise SystemExit("wrk saw errors: " + non_2xx[0])
    return count, seconds


def sqlite_cli(tmp, rows):
    db = Path(tmp) / "cli.db"
    script = ["PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;",
              "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL, d TEXT);",
              "BEGIN;"]
    for i in range(1, rows + 1):
        r = row(i)
        script.append("INSERT INTO t (a, b, c, d) VALUES ('%s', %d, %r, '%s');" % (r["a"], r["b"], r["c"], r["d"]))
    script.append("COMMIT;")
    sql = ("\n".join(script) + "\n").encode()
    start = time.perf_counter()
    subprocess.run(["sqlite3", str(db)], input=sql, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("ALMANAC_BIN", str(ROOT / "build" / "almanac")))
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--concurrent-rows", type=int, default=16000)
    ap.add_argument("--clients", type=int, default=16)
    a = ap.parse_args()
    token = root_token(SECRET)
    results = []
    with tempfile.TemporaryDirectory(prefix="almanac-bench-") as tmp:
        args = ["bench.db", "--create", "--secret", SECRET, "--root", "--setting", "max_insert_rows", "1000"]
        with AlmanacServer(args, cwd=tmp, binary=a.bin) as server:
            for name, batch in (("batch100", 100), ("batch1000", 1000)):
                seconds = batched(server.url, token, name, a.rows, batch)
                results.append({"scenario": name, "rows": a.rows, "seconds": round(seconds, 3),
                                "rows_per_s": round(a.rows / seconds)})
            seconds, n = concurrent(server.url, token, "concurrent", a.concurrent_rows, a.clients)
            results.append({"scenario": "concurrent-%d-clients-1-row" % a.clients, "rows": n,
                            "seconds": round(seconds, 3), "rows_per_s": round(n / seconds)})
            if shutil.which("wrk"):
                n, seconds = wrk_concurrent(server.url, token, "wrk", a.clients, 5, tmp)
                results.append({"scenario": "wrk-%d-connections-1-row" % a.clients, "rows": n,
                                "seconds": seconds, "rows_per_s": round(n / seconds)})
        seconds = sqlite_cli(tmp, a.rows)
        results.append({"scenario": "sqlite3-cli-one-transaction", "rows": a.rows,
                        "seconds": round(seconds, 3), "rows_per_s": round(a.rows / seconds)})
    for r in results:
        print(json.dumps(r))
    print()
    print("%-32s %10s %10s %12s" % ("scenario", "rows", "seconds", "rows/s"))
    for r in results:
        print("%-32s %10d %10.3f %12d" % (r["scenario"], r["rows"], r["seconds"], r["rows_per_s"]))


if __name__ == "__main__":
    main()
