#!/usr/bin/env python3
"""The change feed and the backlinks index, in one run (docs/changes.md, docs/links.md).

    bench/changes_links.py [--bin build/almanac] [--rows 10000000] [--scale-links 100000000]
                           [--subscribers 1000] [--write-rows 50000] [--only feed,write,...]

  feed latency    commit -> SSE event: a client inserts one row at a time (500 inserts) and
                  takes three times per insert: request sent -> SSE event (an upper bound of
                  commit -> event), request sent -> response (the write and its fsync'd commit),
                  response -> event (how long after the client knew of the commit the event
                  came; 0 when it came first). Once on the machine as found, once beside CPU-bound
                  processes (as many as cores), to tell the feed from the load.
  subscribers     RSS of the server before and after opening N idle SSE subscribers
  write overhead  inserts (batches of 100, one FK and one soft link per row) into a plain
                  database vs one with the feed, the links index, both, and both with the link
                  changes merged after every write (links.merge_every 0), and with merge_every
                  1024 and 16384 (--write-configs picks some of them): rows/s, the ratio,
                  the bytes the server wrote per row (/proc/PID/io wchar: WAL frames,
                  checkpoints), the server's CPU time per row, and that of its writer thread and
                  of the links' merges; --write-rounds turns, medians.
                  Then counts and first pages read while link changes are pending
  write-big       (not in the default run) the same inserts into a copy of a child table of
                  --big-rows rows x 3 links to rows/10 parents, indexed first: rows/s without
                  and with the feed and links, bytes and CPU per row, the merges' CPU, what is
                  pending when the writes end and counts read then
  build           `almanac links rebuild` on a child table of --rows rows with 3 foreign keys:
                  links/s (the command's own timing, and wall time), bytes per link (dbstat)
  row page        /db/parent/ID.json?_extra=foreign_key_tables with 3 incoming foreign keys on
                  --rows child rows and no index on the FK columns: Datasette-style COUNT(*) vs
                  the index's stored counters, p50/p99
  scale           --scale-links links (child rows with 3 foreign keys each): build time, bytes
                  per link on disk, and under wrk load (8 connections, 10 s) the count
                  (/-/links/all.json) and the first page (/-/links.json?_size=10) p50/p99
Prints one JSON line per figure (bench/results/changes-links.md keeps a run).
"""
import argparse
import http.client
import multiprocessing
import json
import os
import random
import shutil
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

sys.path.insert(0, str(ROOT / "bench"))
from benchlib import wrk  # noqa: E402

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


def burn(stop):
    while not stop.is_set():
        sum(i * i for i in range(10000))


def feed_latency(server, client, first_id, label):
    host, port = server.url.split("//", 1)[1].split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(f"GET /feed/-/changes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                 f"{root_token(SECRET)}\r\n\r\n".encode())
    sock.recv(4096)  # the head and the first comment: the subscription is open
    received = {}
    arrived = threading.Condition()
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
                with arrived:
                    received[int(buffer[start:end])] = now
                    arrived.notify_all()
                buffer = buffer[end:]

    threading.Thread(target=read, daemon=True).start()
    to_event, to_response, after_response = [], [], []
    seq = json.loads(client.call("GET", "/feed/-/changes.json?_size=1"))["last_seq"]
    for i in range(first_id, first_id + 500):
        sent = time.perf_counter()
        client.call("POST", "/feed/t/-/insert", {"row": {"id": i, "v": "x"}}, 201)
        answered = time.perf_counter()
        seq += 1
        with arrived:
            arrived.wait_for(lambda: seq in received, timeout=5)
        to_event.append((received[seq] - sent) * 1000)
        to_response.append((answered - sent) * 1000)
        after_response.append(max(0.0, received[seq] - answered) * 1000)
    done.set()
    sock.close()
    emit(figure=f"feed latency, {label}", events=len(to_event), load=os.getloadavg()[0],
         sent_to_event_p50_ms=round(pct(to_event, 0.5), 2),
         sent_to_event_p99_ms=round(pct(to_event, 0.99), 2),
         sent_to_response_p50_ms=round(pct(to_response, 0.5), 2),
         sent_to_response_p99_ms=round(pct(to_response, 0.99), 2),
         response_to_event_p50_ms=round(pct(after_response, 0.5), 2),
         response_to_event_p99_ms=round(pct(after_response, 0.99), 2))


def feed(binary, tmp, subscribers):
    server = serve(binary, tmp, "feed.db", {"databases": {"feed": {"changes": True}}})
    try:
        client = Http(server.url)
        client.call("POST", "/feed/-/create", {"table": "t", "pk": "id", "columns": [
            {"name": "id", "type": "integer"}, {"name": "v", "type": "text"}]}, 201)
        feed_latency(server, client, 1, "machine as found")
        if os.sched_getscheduler(0) == os.SCHED_FIFO:
            # Under chrt the burners would inherit the real-time priority and starve the
            # server: this half only means something at normal priority.
            emit(figure="feed latency beside CPU-bound processes: skipped at real-time priority")
            burners = []
        else:
            burners = None
        stop = multiprocessing.Event()
        if burners is None:
            burners = [multiprocessing.Process(target=burn, args=(stop,))
                       for _ in range(os.cpu_count() or 2)]
            for b in burners:
                b.start()
            try:
                time.sleep(1)
                feed_latency(server, client, 1001, f"beside {len(burners)} CPU-bound processes")
            finally:
                stop.set()
                for b in burners:
                    b.join()
        host, port = server.url.split("//", 1)[1].split(":")
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
    finally:
        server.stop()


def wchar(pid):
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def named_threads_cpu(pid):
    """CPU seconds of the server's named threads (the writer, the links' merges)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if name in ("writer", "links-merge"):
            out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / os.sysconf(
                "SC_CLK_TCK")
    return out


def write_overhead(binary, tmp, rows, rounds, before=None, only=None):
    """Each configuration `rounds` times, in turns (so that the machine's load drifts over all of
    them alike); the median round of each is reported. With `before` (another binary), each turn
    runs both binaries one after the other, and each gets its own figure. "feed+links direct"
    is links.merge_every: 0 (a merge after every write; in builds before the side file, every
    link change written straight to the keyed index). `only`: the configurations to run."""
    soft = {"soft": [{"from": "child.ref", "to": "parent"}]}
    configs = [("plain", {}),
               ("feed", {"databases": {"w": {"changes": True}}}),
               ("links", {"databases": {"w": {"links": soft}}}),
               ("feed+links", {"databases": {"w": {"changes": True, "links": soft}}}),
               # the trade-off of merge_every: fewer index pages written vs more pending rows
               # for readers to scan
               ("feed+links_merge1k", {"databases": {"w": {"changes": True, "links": {
                   **soft, "merge_every": 1024}}}}),
               ("feed+links_merge16k", {"databases": {"w": {"changes": True, "links": {
                   **soft, "merge_every": 16384}}}}),
               ("feed+links_direct", {"databases": {"w": {"changes": True, "links": {
                   **soft, "merge_every": 0}}}})]
    if only:
        configs = [c for c in configs if c[0] in only]
    binaries = [("before", before), ("after", binary)] if before else [("", binary)]
    rates = {(label, name): [] for label, _ in binaries for name, _ in configs}
    written = {key: [] for key in rates}
    cpu = {key: [] for key in rates}
    threads = {key: {"writer": [], "links-merge": []} for key in rates}
    reads = {label: [] for label, _ in binaries}
    turns = [(round_, name, config, label, exe) for round_ in range(rounds)
             for name, config in configs for label, exe in binaries]
    for round_, name, config, label, exe in turns:
        key = (label, name)
        work = tmp / f"{name}-{round_}{label}"
        work.mkdir()
        server = serve(exe, work, "w.db", config)
        try:
            client = Http(server.url)
            client.call("POST", "/w/-/create", {"table": "parent", "pk": "id", "rows": [
                {"id": i, "name": f"p{i}"} for i in range(1, 1001)]}, 201)
            client.call("POST", "/w/-/create", {"table": "child", "pk": "id", "columns": [
                {"name": "id", "type": "integer"}, {"name": "parent", "type": "integer",
                                                    "fk_table": "parent"},
                {"name": "ref", "type": "text"}, {"name": "v", "type": "text"}]}, 201)
            start = time.perf_counter()
            before_bytes = wchar(server.process.pid)
            cpu_before = cpu_seconds(server.process.pid)
            threads_before = named_threads_cpu(server.process.pid)
            for b in range(rows // 100):
                batch = [{"id": b * 100 + i, "parent": 1 + (b * 100 + i) % 1000,
                          "ref": str(1 + (b * 7 + i) % 1000), "v": "x" * 20}
                         for i in range(100)]
                client.call("POST", "/w/child/-/insert", {"rows": batch}, 201)
            rates[key].append(rows / (time.perf_counter() - start))
            written[key].append((wchar(server.process.pid) - before_bytes) / rows)
            cpu[key].append((cpu_seconds(server.process.pid) - cpu_before) * 1e6 / rows)
            threads_after = named_threads_cpu(server.process.pid)
            for thread in threads[key]:
                threads[key][thread].append((threads_after.get(thread, 0) - threads_before.get(
                    thread, 0)) * 1e6 / rows)
            if name == "feed+links":
                reads[label].append(read_with_pending(client, work / "w.db"))
        finally:
            server.stop()
    for label, exe in binaries:
        median = {name: statistics.median(rates[(label, name)]) for name, _ in configs}
        emit(figure="write overhead, batches of 100, one FK + one soft link per row",
             binary=label or exe, rows=rows, rounds=rounds, load=os.getloadavg(),
             **{f"{name}_rows_s": round(v) for name, v in median.items()},
             **{f"{name}_overhead_pct": round((median["plain"] / v - 1) * 100, 1)
                for name, v in median.items() if name != "plain"},
             **{f"{name}_bytes_written_per_row": round(statistics.median(written[(label, name)]))
                for name, _ in configs},
             **{f"{name}_server_cpu_us_per_row": round(statistics.median(cpu[(label, name)]), 1)
                for name, _ in configs},
             # the writer thread and the merges' thread (builds that name them; 0 otherwise)
             **{f"{name}_{thread}_cpu_us_per_row": round(statistics.median(
                 threads[(label, name)][thread]), 2)
                for name, _ in configs for thread in ("writer", "links-merge")})
        for read in reads[label]:
            emit(figure="counts and first pages while link changes are pending",
                 binary=label or exe, **read)


def read_with_pending(client, db_path):
    """Counts and first pages of 200 parents, read as the write bench left the file: with the
    pending link changes not merged yet (how many is said)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    columns = [r[1] for r in conn.execute("pragma table_info(_almanac_link_pending)")]
    # Changes waiting: one row each in the first layout, a row per write (n changes) since; with
    # the index in a side file, the rows after the seq it merged through.
    side = Path(str(db_path) + "-links")
    if side.exists():
        conn.execute("attach ? as almanac_links", [f"file:{side}?mode=ro"])
        pending = conn.execute(
            "select sum(max(n, 0)) from _almanac_link_pending where seq > "
            "(select through from almanac_links._almanac_links_merged)").fetchone()[0] or 0
    else:
        pending = conn.execute("select sum(n) from _almanac_link_pending" if "n" in columns
                               else "select count(*) from _almanac_link_pending").fetchone()[0]
    conn.close()
    times = {"count": [], "page": []}
    for i in range(1, 201):
        for what, path in [("count", f"/w/-/links/all.json?target=parent/{i}"),
                           ("page", f"/w/-/links.json?target=parent/{i}&_size=10")]:
            start = time.perf_counter()
            client.call("GET", path)
            times[what].append((time.perf_counter() - start) * 1000)
    return {"pending_rows": pending,
            **{f"{what}_p50_ms": round(pct(v, 0.5), 2) for what, v in times.items()},
            **{f"{what}_p99_ms": round(pct(v, 0.99), 2) for what, v in times.items()}}


def make_big(path, rows, parents):
    """A parent table and a child table of `rows` rows with 3 foreign keys to it, made by
    SQLite itself (a recursive CTE), no index on the foreign-key columns."""
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        pragma journal_mode = wal;
        pragma synchronous = off;
        create table parent (id integer primary key, name text);
        create table child (id integer primary key, a integer references parent(id),
                            b integer references parent(id), c integer references parent(id),
                            v text);
        insert into parent select x, 'p' || x from
          (with recursive s(x) as (select 1 union all select x + 1 from s where x < {parents})
           select x from s);
        insert into child select x, 1 + x % {parents}, 1 + (x * 7) % {parents},
                                 1 + (x * 13) % {parents}, 'x' from
          (with recursive s(x) as (select 0 union all select x + 1 from s where x < {rows - 1})
           select x from s);
    """)
    conn.commit()
    conn.close()


def rebuild(binary, work, db):
    start = time.perf_counter()
    out = subprocess.run([binary, "links", "rebuild", db], cwd=work, capture_output=True,
                         text=True, check=True)
    wall = time.perf_counter() - start
    own = float(out.stdout.strip().split(" in ")[1].split(" s")[0])
    return own, wall, out.stdout.strip()


def index_bytes(path):
    """The index's pages: in the side file (`<db>-links`) when there is one, else (earlier
    builds) in the database file."""
    side = Path(str(path) + "-links")
    conn = sqlite3.connect(side if side.exists() else path)
    try:
        return conn.execute("select sum(pgsize) from dbstat where name in ('_almanac_links', "
                            "'_almanac_link_counts', '_almanac_link_kinds')").fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()


def build_and_row_page(binary, tmp, rows):
    work = tmp / "big"
    work.mkdir()
    start = time.perf_counter()
    make_big(work / "big.db", rows, 1000)
    emit(figure="made the child table", rows=rows, seconds=round(time.perf_counter() - start, 1))
    # Datasette-style counting first, before the index exists.
    page = "/big/parent/7.json?_extra=foreign_key_tables"
    server = AlmanacServer(["big.db", "--secret", SECRET, "--setting", "sql_time_limit_ms",
                            "600000"], cwd=work, binary=binary).start()
    try:
        client = Http(server.url)
        counted = []
        for _ in range(10):
            start = time.perf_counter()
            client.call("GET", page)
            counted.append((time.perf_counter() - start) * 1000)
    finally:
        server.stop()
    own, wall, out = rebuild(binary, work, "big.db")
    links = rows * 3
    size = index_bytes(work / "big.db")
    emit(figure="links rebuild", links=links, seconds=round(own, 2), wall_seconds=round(wall, 2),
         links_per_s=round(links / own), bytes_per_link=round(size / links, 1) if size else None,
         output=out)
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
    (work / "big.db").unlink()


def wait_merged(db_path, since):
    """Seconds from `since` until the side file has merged every pending row (polled)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.execute("attach ? as almanac_links", [f"file:{db_path}-links?mode=ro"])
    try:
        while time.perf_counter() - since < 600:
            last = conn.execute("select coalesce(max(seq), 0) from _almanac_link_pending "
                                "where n > 0").fetchone()[0]
            merged = conn.execute("select through from almanac_links._almanac_links_merged")
            if merged.fetchone()[0] >= last:
                break
            time.sleep(0.05)
    finally:
        conn.close()
    return time.perf_counter() - since


def write_big(binary, tmp, rows, write_rows, rounds):
    """The write overhead on a big index: a child table of `rows` rows with 3 foreign keys to
    rows/10 parents (so the links' targets spread over the whole reverse index), indexed once;
    then, on a copy per round, `write_rows` more rows inserted as in the write bench (batches of
    100, 3 links each to random parents), without and with the feed and the links."""
    work = tmp / "wbig"
    work.mkdir()
    parents = max(1000, rows // 10)
    make_big(work / "base.db", rows, parents)
    rebuild(binary, work, "base.db")
    side = work / "base.db-links"
    for path in (work / "base.db", side):  # the copies take the files alone, not their WALs
        conn = sqlite3.connect(path)
        conn.execute("pragma wal_checkpoint(truncate)")
        conn.close()
    configs = [("plain", {}), ("feed+links", {"databases": {"w": {"changes": True,
                                                                  "links": True}}})]
    rng = random.Random(7)
    figures = {name: {"rows_s": [], "cpu": [], "merge": [], "writer": [], "bytes": [],
                      "pending": [], "count_p50_ms": [], "count_p99_ms": [], "catch_up_s": []}
               for name, _ in configs}
    for round_ in range(rounds):
        for name, config in configs:
            run = work / f"{name}-{round_}"
            run.mkdir()
            shutil.copy(work / "base.db", run / "w.db")
            if name != "plain":
                shutil.copy(side, run / "w.db-links")
            server = serve(binary, run, "w.db", config)
            try:
                client = Http(server.url)
                pid = server.process.pid
                start = time.perf_counter()
                bytes_before, cpu_before = wchar(pid), cpu_seconds(pid)
                threads_before = named_threads_cpu(pid)
                for b in range(write_rows // 100):
                    batch = [{"id": rows + b * 100 + i, "a": rng.randint(1, parents),
                              "b": rng.randint(1, parents), "c": rng.randint(1, parents),
                              "v": "x"} for i in range(100)]
                    client.call("POST", "/w/child/-/insert", {"rows": batch}, 201)
                f = figures[name]
                f["rows_s"].append(write_rows / (time.perf_counter() - start))
                f["bytes"].append((wchar(pid) - bytes_before) / write_rows)
                f["cpu"].append((cpu_seconds(pid) - cpu_before) * 1e6 / write_rows)
                threads_after = named_threads_cpu(pid)
                for thread, key in (("writer", "writer"), ("links-merge", "merge")):
                    f[key].append((threads_after.get(thread, 0) - threads_before.get(thread, 0))
                                  * 1e6 / write_rows)
                if name != "plain":
                    read = read_with_pending(client, run / "w.db")
                    f["pending"].append(read["pending_rows"])
                    f["count_p50_ms"].append(read["count_p50_ms"])
                    f["count_p99_ms"].append(read["count_p99_ms"])
                    f["catch_up_s"].append(wait_merged(run / "w.db", time.perf_counter()))
            finally:
                server.stop()
            shutil.rmtree(run)
    median = {name: {k: statistics.median(v) for k, v in f.items() if v}
              for name, f in figures.items()}
    emit(figure=f"write overhead on a big index: {rows:,} rows x 3 links to {parents:,} "
                "parents, then batches of 100 rows x 3 links", write_rows=write_rows,
         rounds=rounds, load=os.getloadavg(),
         **{f"{name}_rows_s": round(m["rows_s"]) for name, m in median.items()},
         overhead_pct=round((median["plain"]["rows_s"] / median["feed+links"]["rows_s"] - 1)
                            * 100, 1),
         **{f"{name}_bytes_written_per_row": round(m["bytes"]) for name, m in median.items()},
         **{f"{name}_server_cpu_us_per_row": round(m["cpu"], 1) for name, m in median.items()},
         **{f"{name}_writer_cpu_us_per_row": round(m["writer"], 2)
            for name, m in median.items()},
         merge_cpu_us_per_row=round(median["feed+links"]["merge"], 2),
         pending_after_writes=median["feed+links"]["pending"],
         # read right after the writes, with those changes pending
         count_p50_ms=median["feed+links"]["count_p50_ms"],
         count_p99_ms=median["feed+links"]["count_p99_ms"],
         # from the end of those reads until nothing is pending
         catch_up_s=round(median["feed+links"]["catch_up_s"], 2))


def scale(binary, tmp, links):
    work = tmp / "scale"
    work.mkdir()
    rows = links // 3
    parents = max(1000, rows // 100)
    start = time.perf_counter()
    make_big(work / "scale.db", rows, parents)
    emit(figure="made the scale table", rows=rows, parents=parents,
         seconds=round(time.perf_counter() - start, 1))
    own, wall, out = rebuild(binary, work, "scale.db")
    size = index_bytes(work / "scale.db")
    emit(figure=f"scale: {rows * 3:,} links", build_seconds=round(own, 1),
         wall_seconds=round(wall, 1), links_per_s=round(rows * 3 / own),
         index_bytes=size, bytes_per_link=round(size / (rows * 3), 1) if size else None,
         file_bytes=(work / "scale.db").stat().st_size,
         twelve_billion_links_tb=round(size / (rows * 3) * 12e9 / 1e12, 2) if size else None)
    (work / "config.json").write_text(json.dumps({"databases": {"scale": {"links": True}}}))
    server = AlmanacServer(["scale.db", "-c", "config.json", "--secret", SECRET], cwd=work,
                           binary=binary).start()
    try:
        rng = random.Random(1)
        for name, template in [
                ("count", "/scale/-/links/all.json?target=parent/{}"),
                ("first page", "/scale/-/links.json?target=parent/{}&_size=10")]:
            paths = work / f"{name}.txt"
            paths.write_text("\n".join(template.format(rng.randint(1, parents))
                                       for _ in range(5000)) + "\n")
            result = wrk.run(server.url, paths, 10, connections=8)
            emit(figure=f"scale: {name} under wrk load (8 connections)", rps=round(result["rps"]),
                 p50_ms=result["p50"], p99_ms=result["p99"], errors=result["errors"])
    finally:
        server.stop()
    (work / "scale.db").unlink()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "build" / "almanac"))
    parser.add_argument("--before", default=None,
                        help="another binary: --only write runs both, interleaved")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--scale-links", type=int, default=100_000_000)
    parser.add_argument("--write-rows", type=int, default=50_000)
    parser.add_argument("--write-rounds", type=int, default=3)
    parser.add_argument("--write-configs", default=None,
                        help="the write bench's configurations, comma-separated (default: all)")
    parser.add_argument("--big-rows", type=int, default=3_000_000,
                        help="write-big: the rows (x 3 links) already indexed")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--only", default="feed,write,build,scale")
    parser.add_argument("--dir", default=None, help="where the databases go (default: a temp dir)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    emit(load=os.getloadavg())
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        tmp = Path(tmp)
        if "feed" in only:
            feed(args.bin, tmp, args.subscribers)
        if "write" in only:
            write_overhead(args.bin, tmp, args.write_rows, args.write_rounds, args.before,
                           args.write_configs.split(",") if args.write_configs else None)
        if "write-big" in only:
            write_big(args.bin, tmp, args.big_rows, args.write_rows, args.write_rounds)
        if "build" in only:
            build_and_row_page(args.bin, tmp, args.rows)
        if "scale" in only:
            scale(args.bin, tmp, args.scale_links)


if __name__ == "__main__":
    main()
