#!/usr/bin/env python3
"""`almanac client` against a local `almanac serve`, in one run (issue 14's targets):

    bench/client_bench.py [--bin build/almanac] [--rows 1000000] [--runs 3]
    DCLIENT_SRC=/tmp/dclient-0.5a3 bench/client_bench.py   # also time the real dclient

  insert      `client insert` of a ROWS-row CSV (id,a,b,c,d) with --create --pk id, into a
              server started with --setting max_insert_rows 1000 (target: >= 150k rows/s);
              next to it the server alone: the same rows pre-encoded, posted by one keep-alive
              Python client, and dclient (100k rows, --batch-size 1000) when DCLIENT_SRC is set
  rows --all  `client rows DB T --all` (--csv and --nl, to /dev/null) against the server's own
              CSV stream (/db/t.csv?_stream=on) (target: >= 0.5x its rate, flat memory), and
              the server's JSON pages read by a minimal client (what --all is bound by)
Peak RSS of each client is measured by GNU time (/usr/bin/time, Debian package `time`). Prints a JSON line per measurement and a table.
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from almanac_server import AlmanacServer  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "client-bench-secret"


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("id,a,b,c,d\n")
        for i in range(1, rows + 1):
            f.write("%d,item-%d,%d,%r,category-%d\n" % (i, i, (i * 7919) % 1000000, i / 7.0, i % 20))


def timed(cmd, env=None, stdout=subprocess.DEVNULL):
    """(seconds, peak RSS in MB) of one command, the RSS from GNU time's %M (a forked child's
    own rusage would count the Python parent's pages); fails on a non-zero exit."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=stdout,
                            stderr=subprocess.PIPE, env=env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed: {result.stderr.decode()[-500:]}")
    return seconds, int(result.stderr.decode().strip().splitlines()[-1]) / 1024


def request(url, method, path, token, body=None):
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    conn.request(method, path, body=body, headers={"Authorization": "Bearer " + token})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def drop(url, token, table):
    request(url, "POST", f"/bench/{table}/-/drop", token, json.dumps({"confirm": True}))


def server_alone(url, token, rows):
    """The write API without the client: pre-encoded batches of 1,000, one keep-alive conn."""
    columns = [{"name": n, "type": t} for n, t in
               [("id", "integer"), ("a", "text"), ("b", "integer"), ("c", "float"), ("d", "text")]]
    request(url, "POST", "/bench/-/create", token,
            json.dumps({"table": "alone", "columns": columns, "pk": "id"}))
    bodies = [json.dumps({"rows": [{"id": i, "a": "item-%d" % i, "b": (i * 7919) % 1000000,
                                    "c": i / 7.0, "d": "category-%d" % (i % 20)}
                                   for i in range(n, min(n + 1000, rows + 1))]})
              for n in range(1, rows + 1, 1000)]
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    start = time.perf_counter()
    for body in bodies:
        conn.request("POST", "/bench/alone/-/insert", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 201, response.status
    seconds = time.perf_counter() - start
    drop(url, token, "alone")
    return seconds


def json_pages(url, token):
    """Every page of /bench/t.json read by a client that only finds the next token."""
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    path = "/bench/t.json?_shape=objects&_size=max"
    start = time.perf_counter()
    while True:
        conn.request("GET", path, headers={"Authorization": "Bearer " + token})
        body = conn.getresponse().read()
        match = re.search(rb'"next": "([^"]*)"', body[:300])
        if not match:
            return time.perf_counter() - start
        path = "/bench/t.json?_shape=objects&_size=max&_next=" + match.group(1).decode()


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "build" / "almanac"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    token = root_token(SECRET)
    results = []

    def report(name, rows, seconds, rss=None, note=""):
        entry = {"measure": name, "rows": rows, "seconds": round(seconds, 3),
                 "rows_per_s": round(rows / seconds), "peak_rss_mb": rss and round(rss, 1),
                 "note": note}
        results.append(entry)
        print(json.dumps(entry), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "big.csv"
        write_csv(csv_path, args.rows)
        env = dict(os.environ, XDG_CONFIG_HOME=str(Path(tmp) / "xdg"),
                   DCLIENT_CONFIG_DIR=str(Path(tmp) / "dclient"))
        with AlmanacServer(["bench.db", "--create", "--secret", SECRET, "--root",
                            "--setting", "max_insert_rows", "1000"], cwd=tmp,
                           binary=binary) as server:
            client = [binary, "client"]
            target = ["-i", server.url, "--token", token]
            report("server alone: pre-encoded POSTs of 1,000 rows", args.rows,
                   server_alone(server.url, token, args.rows))
            times, rss = [], []
            for run in range(args.runs):
                if run:
                    drop(server.url, token, "t")
                s, m = timed(client + ["insert", "bench", "t", str(csv_path), "--create",
                                       "--pk", "id", "--silent"] + target, env)
                times.append(s)
                rss.append(m)
            report("client insert (median)", args.rows, median(times), max(rss))
            dclient = os.environ.get("DCLIENT_SRC")
            if dclient:
                small = Path(tmp) / "small.csv"
                write_csv(small, 100_000)
                denv = dict(env, PYTHONPATH=dclient)
                s, m = timed(["/usr/bin/python3", "-m", "dclient", "insert", "bench", "d",
                              str(small), "--csv", "--create", "--pk", "id", "--batch-size",
                              "1000", "--silent"] + target, denv)
                report("dclient 0.5a3 insert (100k rows)", 100_000, s, m)
            stream = [], []
            for _ in range(args.runs):
                start = time.perf_counter()
                status, data = request(server.url, "GET", "/bench/t.csv?_stream=on", token)
                stream[0].append(time.perf_counter() - start)
                assert status == 200 and data.count(b"\n") == args.rows + 1
            report("server CSV stream (median)", args.rows, median(stream[0]))
            report("server JSON pages, minimal reader (median)", args.rows,
                   median([json_pages(server.url, token) for _ in range(args.runs)]))
            for fmt in ("--csv", "--nl"):
                runs = [timed(client + ["rows", "bench", "t", "--all", fmt] + target, env)
                        for _ in range(args.runs)]
                report(f"client rows --all {fmt} (median)", args.rows,
                       median([s for s, _ in runs]), max(m for _, m in runs))

    print()
    print(f"{'measure':48} {'rows':>9} {'seconds':>8} {'rows/s':>10} {'peak RSS':>9}")
    for r in results:
        rss = f"{r['peak_rss_mb']} MB" if r["peak_rss_mb"] else ""
        print(f"{r['measure']:48} {r['rows']:>9} {r['seconds']:>8} {r['rows_per_s']:>10} {rss:>9}")
    by = {r["measure"]: r["rows_per_s"] for r in results}
    csv_rate = by["server CSV stream (median)"]
    for fmt in ("--csv", "--nl"):
        rate = by[f"client rows --all {fmt} (median)"]
        print(f"rows --all {fmt}: {rate / csv_rate:.2f}x the CSV stream, "
              f"{rate / by['server JSON pages, minimal reader (median)']:.2f}x the JSON pages")
    print(f"insert: {by['client insert (median)']:,} rows/s "
          f"({by['client insert (median)'] / by['server alone: pre-encoded POSTs of 1,000 rows']:.2f}x "
          "the server alone)")


if __name__ == "__main__":
    main()
