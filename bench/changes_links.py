#!/usr/bin/env python3
"""The change feed and the backlinks index, in one run (docs/changes.md, docs/links.md).

    bench/changes_links.py [--bin build/almanac] [--rows 1000000] [--subscribers 1000]

  feed latency    commit -> SSE event: a client inserts one row at a time and times from the
                  moment it sends the request to the moment its SSE stream delivers the event
                  (an upper bound of commit -> event); p50/p99 over 500 inserts
  subscribers     RSS of the server before and after opening N idle SSE subscribers
  write overhead  inserts (batches of 100, one FK and one soft link per row) into a plain
                  database vs one with the feed and the links index on: rows/s and the ratio
  build           `almanac links rebuild` on a child table of --rows rows with 3 foreign keys:
                  links/s, and bytes per link on disk (dbstat)
  row page        /db/parent/ID.json?_extra=foreign_key_tables with 3 incoming foreign keys on
                  --rows child rows and no index on the FK columns: Datasette-style COUNT(*) vs
                  the index's stored counters, p50/p99
Prints one JSON line per figure.
"""
import argparse
import http.client
import json
import os
import socket
import sqlite3
import statistics
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


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def emit(**fields):
    print(json.dumps(fields), flush=True)


def serve(binary, tmp, db, config):
    (tmp / "config.json").write_text(json.dumps(config))
    return AlmanacServer([db, "--create", "-c", "config.json", "--secret", SECRET, "--root",
                          "--setting", "max_insert_rows", "1000"],
                         cwd=tmp, binary=binary).start()


class Http:
    def __init__(self, url):
        host, port = url.split("//", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=300)
        self.headers = {"Authorization": "Bearer " + root_token(SECRET),
                        "Content-Type": "application/json"}

    def call(self, method, path, body=None, expect=200):
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                          headers=self.headers)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != expect:
            raise SystemExit(f"HTTP {resp.status} {path}: {data[:300]}")
        return data


def feed(binary, tmp, subscribers):
    server = serve(binary, tmp, "feed.db", {"databases": {"feed": {"changes": True}}})
    try:
        client = Http(server.url)
        client.call("POST", "/feed/-/create", {"table": "t", "pk": "id", "columns": [
            {"name": "id", "type": "integer"}, {"name": "v", "type": "text"}]}, 201)
        host, port = server.url.split("//", 1)[1].split(":")
        sock = socket.create_connection((host, int(port)))
        sock.sendall(f"GET /feed/-/changes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                     f"{root_token(SECRET)}\r\n\r\n".encode())
        received = {}
        done = threading.Event()

        def read():
            buffer = b""
            while not done.is_set():
                chunk = sock.recv(65536)
                if not chunk:
                    return
                now = time.perf_counter()
                buffer += chunk
                while b"\nid: " in buffer:
                    start = buffer.index(b"\nid: ") + 5
                    end = buffer.find(b"\n", start)
                    if end < 0:
                        break
                    received[int(buffer[start:end])] = now
                    buffer = buffer[end:]

        threading.Thread(target=read, daemon=True).start()
        latencies = []
        for i in range(1, 501):
            sent = time.perf_counter()
            client.call("POST", "/feed/t/-/insert", {"row": {"id": i, "v": "x"}}, 201)
            deadline = time.monotonic() + 5
            while i not in received and time.monotonic() < deadline:
                time.sleep(0.0001)
            latencies.append((received[i] - sent) * 1000)
        done.set()
        emit(figure="feed latency (request sent -> SSE event)", p50_ms=round(pct(latencies, 0.5), 2),
             p99_ms=round(pct(latencies, 0.99), 2), events=len(latencies))
        before = rss_kb(server.process.pid)
        socks = []
        for _ in range(subscribers):
            s = socket.create_connection((host, int(port)))
            s.sendall(b"GET /feed/-/changes HTTP/1.1\r\nHost: x\r\n\r\n")
            socks.append(s)
        for s in socks:
            s.recv(4096)  # the head and the first comment: the subscription is open
        after = rss_kb(server.process.pid)
        emit(figure=f"{subscribers} idle SSE subscribers", rss_before_mb=round(before / 1024, 1),
             rss_after_mb=round(after / 1024, 1), added_mb=round((after - before) / 1024, 1),
             per_subscriber_kb=round((after - before) / max(1, subscribers), 1))
        for s in socks:
            s.close()
        sock.close()
    finally:
        server.stop()


def write_overhead(binary, tmp, rows):
    results = {}
    for name, config in [("plain", {}), ("feed+links", {"databases": {"w": {
            "changes": True,
            "links": {"soft": [{"from": "child.ref", "to": "parent"}]}}}})]:
        work = tmp / name
        work.mkdir()
        server = serve(binary, work, "w.db", config)
        try:
            client = Http(server.url)
            client.call("POST", "/w/-/create", {"table": "parent", "pk": "id", "rows": [
                {"id": i, "name": f"p{i}"} for i in range(1, 1001)]}, 201)
            client.call("POST", "/w/-/create", {"table": "child", "pk": "id", "columns": [
                {"name": "id", "type": "integer"}, {"name": "parent", "type": "integer",
                                                    "fk_table": "parent"},
                {"name": "ref", "type": "text"}, {"name": "v", "type": "text"}]}, 201)
            start = time.perf_counter()
            for b in range(rows // 100):
                batch = [{"id": b * 100 + i, "parent": 1 + (b * 100 + i) % 1000,
                          "ref": str(1 + (b * 7 + i) % 1000), "v": "x" * 20} for i in range(100)]
                client.call("POST", "/w/child/-/insert", {"rows": batch}, 201)
            results[name] = rows / (time.perf_counter() - start)
        finally:
            server.stop()
    emit(figure="write overhead, batches of 100, one FK + one soft link per row",
         plain_rows_s=round(results["plain"]), feed_links_rows_s=round(results["feed+links"]),
         overhead_pct=round((results["plain"] / results["feed+links"] - 1) * 100, 1))


def make_big(path, rows):
    conn = sqlite3.connect(path)
    conn.executescript("""
        pragma journal_mode = wal;
        create table parent (id integer primary key, name text);
        create table child (id integer primary key, a integer references parent(id),
                            b integer references parent(id), c integer references parent(id),
                            v text);
    """)
    conn.executemany("insert into parent values (?, ?)", ((i, f"p{i}") for i in range(1, 1001)))
    conn.executemany("insert into child values (?, ?, ?, ?, 'x')",
                     ((i, 1 + i % 1000, 1 + (i * 7) % 1000, 1 + (i * 13) % 1000)
                      for i in range(rows)))
    conn.commit()
    conn.close()


def build_and_row_page(binary, tmp, rows):
    work = tmp / "big"
    work.mkdir()
    make_big(work / "big.db", rows)
    # Datasette-style counting first, before the index exists.
    page = "/big/parent/7.json?_extra=foreign_key_tables"
    server = AlmanacServer(["big.db", "--secret", SECRET], cwd=work, binary=binary).start()
    try:
        client = Http(server.url)
        counted = []
        for _ in range(20):
            start = time.perf_counter()
            client.call("GET", page)
            counted.append((time.perf_counter() - start) * 1000)
    finally:
        server.stop()
    start = time.perf_counter()
    out = subprocess.run([binary, "links", "rebuild", "big.db"], cwd=work, capture_output=True,
                         text=True, check=True)
    seconds = time.perf_counter() - start
    links = rows * 3
    conn = sqlite3.connect(work / "big.db")
    try:
        size = conn.execute("select sum(pgsize) from dbstat where name in ('_almanac_links', "
                            "'_almanac_links_forward', '_almanac_link_counts')").fetchone()[0]
    except sqlite3.OperationalError:
        size = None
    conn.close()
    emit(figure="links rebuild", links=links, seconds=round(seconds, 2),
         links_per_s=round(links / seconds), bytes_per_link=round(size / links, 1) if size else None,
         output=out.stdout.strip())
    (work / "config.json").write_text(json.dumps({"databases": {"big": {"links": True}}}))
    server = AlmanacServer(["big.db", "-c", "config.json", "--secret", SECRET], cwd=work,
                           binary=binary).start()
    try:
        client = Http(server.url)
        indexed = []
        for _ in range(500):
            start = time.perf_counter()
            client.call("GET", page)
            indexed.append((time.perf_counter() - start) * 1000)
    finally:
        server.stop()
    emit(figure=f"row page, 3 incoming FKs, {rows:,} child rows, no FK indexes",
         count_p50_ms=round(pct(counted, 0.5), 2), count_p99_ms=round(pct(counted, 0.99), 2),
         index_p50_ms=round(pct(indexed, 0.5), 2), index_p99_ms=round(pct(indexed, 0.99), 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "build" / "almanac"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--write-rows", type=int, default=50_000)
    parser.add_argument("--subscribers", type=int, default=1000)
    args = parser.parse_args()
    emit(load=os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        feed(args.bin, tmp, args.subscribers)
        write_overhead(args.bin, tmp, args.write_rows)
        build_and_row_page(args.bin, tmp, args.rows)


if __name__ == "__main__":
    main()
