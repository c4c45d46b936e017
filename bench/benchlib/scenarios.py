"""The scenarios of bench/run. Each returns a dict of figures for almanac and for the limit
measured alongside (nginx serving the same bytes, or the sqlite3 CLI running the same SQL)."""
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from . import servers, wrk

ROOT = Path(__file__).resolve().parents[2]
PAGES = 1000  # distinct pages / rows each wrk run cycles through


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# Request headers of a page scenario (almanac's requests, wrk's and the mirrored bytes').
HEADERS = {"gzip": {"Accept-Encoding": "gzip"}}


def mirror(almanac, paths, www, name):
    """Fetches every path from almanac and saves the bytes as www/name/N.json; returns the
    list of nginx paths in the same order. The "gzip" scenario's bytes are stored compressed,
    as almanac sent them, and nginx serves them with `Content-Encoding: gzip` (servers.py)."""
    client = servers.Client(almanac.url)
    out = []
    (www / name).mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(paths):
        status, ctype, body = client.get(path, HEADERS.get(name))
        if status != 200:
            sys.exit(f"{path}: HTTP {status}: {body[:200]!r}")
        if name == "gzip" and client.last_encoding != "gzip":
            sys.exit(f"{path}: not gzip'd (Content-Encoding {client.last_encoding!r})")
        (www / name / f"{i}.json").write_bytes(body)
        out.append(f"/{name}/{i}.json")
    client.close()
    return out


def write_paths(workdir, name, paths):
    f = Path(workdir) / f"{name}.paths"
    f.write_text("\n".join(paths) + "\n")
    return f


def page_paths():
    """The 1,000 paths of each JSON page scenario, for the database served as "big"."""
    rng = random.Random(6)
    # 100-row table pages via keyset pagination (?_next=), rows, and parameterised ?sql=; the
    # same table pages as HTML, and as JSON gzip'd (Accept-Encoding: gzip).
    starts = rng.sample(range(0, 999_900), PAGES)
    return {
        "table": [f"/big/big.json?_next={n}" for n in starts],
        "html": [f"/big/big?_next={n}" for n in starts],
        "gzip": [f"/big/big.json?_next={n}" for n in starts],
        "row": [f"/big/big/{n + 1}.json" for n in starts],
        "query": [f"/big/-/query.json?sql=select+id,a,b,c,d+from+big+where+id+between+:lo+and+:hi"
                  f"&lo={n + 1}&hi={n + 20}" for n in starts],
    }


def http_pages(binary, db, workdir, duration, connections):
    """Table page (JSON, HTML, gzip'd JSON), row page and ?sql= JSON: almanac against nginx
    serving the same bytes."""
    kinds = page_paths()
    www = Path(workdir) / "www"
    results = {}
    with servers.Almanac(binary, [str(db)], workdir) as almanac:
        mirrored = {k: mirror(almanac, v, www, k) for k, v in kinds.items()}
        sizes = {k: sum((www / k / f"{i}.json").stat().st_size for i in range(PAGES)) / PAGES
                 for k in kinds}
        for k, paths in kinds.items():
            log(f"wrk almanac {k} ...")
            results[k] = {"almanac": wrk.run(almanac.url, write_paths(workdir, "a-" + k, paths),
                                             duration, connections, headers=HEADERS.get(k)),
                          "bytes": sizes[k]}
        rss = almanac.hwm_mb()
    with servers.Nginx(Path(workdir) / "nginx", www) as nginx:
        for k, paths in mirrored.items():
            log(f"wrk nginx {k} ...")
            results[k]["nginx"] = wrk.run(nginx.url, write_paths(workdir, "n-" + k, paths),
                                          duration, connections, headers=HEADERS.get(k))
    results["peak_rss_mb"] = rss
    return results


def _cli_ms(db, sql, repeat=3):
    """Best-of-`repeat` wall time of `sqlite3 db sql` (output discarded), and the first."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(["sqlite3", str(db), sql], check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


# Time limits high enough that a 10M-row facet completes instead of timing out at Datasette's
# default 200 ms (which would measure the limit, not the work).
LIMITS = ["--setting", "facet_time_limit_ms", "60000", "--setting", "sql_time_limit_ms", "60000"]


def _cold_and_cached(binary, db, workdir, path, cached_repeats=5):
    """First request after a fresh start (cold), then the best of the repeats (cached)."""
    with servers.Almanac(binary, [str(db), *LIMITS], workdir) as almanac:
        client = servers.Client(almanac.url)
        cold, status, body = client.timed_get(path)
        if status != 200:
            sys.exit(f"{path}: HTTP {status}: {body[:300]!r}")
        cached = min(client.timed_get(path)[0] for _ in range(cached_repeats))
        client.close()
    return cold, cached, json.loads(body)


FACET_SQL = ("select d as value, count(*) as count from big where d is not null "
             "group by d order by count desc, value limit 31")
# Datasette counts at most 10,001 rows; a filter matching ~5,000 rows still scans them all.
COUNT_SQL = "select count(*) from (select * from big where b < 5000 limit 10001)"


def facet_and_count(binary, db, workdir, table="big", label="1M"):
    """Facet on the category column and a filtered count: the first request after a restart
    (cold) and a repeat (cached), beside the sqlite3 CLI running the same SQL."""
    out = {}
    facet_path = f"/{db.stem}/{table}.json?_facet=d&_size=0"
    count_path = f"/{db.stem}/{table}.json?b__lt=5000&_size=0&_extra=count"
    # Warm the OS page cache once so cold means "almanac's caches are cold", as for the CLI.
    _cli_ms(db, f"select count(*) from {table}", 1)
    for name, path, sql in (("facet", facet_path, FACET_SQL.replace("big", table)),
                            ("count", count_path, COUNT_SQL.replace("big", table))):
        log(f"{name} {label} ...")
        cold, cached, body = _cold_and_cached(binary, db, workdir, path)
        if body.get("facets_timed_out"):
            sys.exit(f"{path}: facets timed out: {body['facets_timed_out']}")
        out[name] = {"cold_ms": cold, "cached_ms": cached, "cli_ms": _cli_ms(db, sql),
                     "count": body.get("count")}
    return out


def csv_stream(binary, db, workdir):
    """The whole table as streamed CSV against `sqlite3 -csv -header` into /dev/null."""
    log("csv stream ...")
    with servers.Almanac(binary, [str(db)], workdir) as almanac:
        client = servers.Client(almanac.url, timeout=600)
        start = time.perf_counter()
        status, _, body = client.get("/big/big.csv?_stream=on&_size=max")
        seconds = time.perf_counter() - start
        client.close()
        if status != 200:
            sys.exit(f"csv: HTTP {status}")
        hwm = almanac.hwm_mb()
    rows = body.count(b"\n") - 1
    nbytes = len(body)
    del body
    sql = "select id, a, b, c, d, day from big"
    cli_bytes = len(subprocess.run(["sqlite3", "-csv", "-header", str(db), sql], check=True,
                                   capture_output=True).stdout)
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        subprocess.run(["sqlite3", "-csv", "-header", str(db), sql], check=True, stdout=null)
    cli_seconds = time.perf_counter() - start
    return {"rows": rows, "mb_s": nbytes / seconds / 1e6, "peak_rss_mb": hwm,
            "cli_mb_s": cli_bytes / cli_seconds / 1e6, "seconds": seconds,
            "cli_seconds": cli_seconds}


def _row(i):
    return {"a": f"item-{i}", "b": (i * 7919) % 1000000, "c": i / 7.0, "d": f"category-{i % 20}"}


def inserts(binary, workdir, rows=100_000, batch=1000):
    """Write API inserts (batches of `batch` rows, one keep-alive client) against the sqlite3
    CLI inserting the same rows in one transaction."""
    log("inserts ...")
    sys.path.insert(0, str(ROOT / "tests" / "support"))
    from tokens import root_token  # noqa: E402 (needs the shared conformance tools)
    secret = "bench-secret"
    token = root_token(secret)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    columns = [{"name": "id", "type": "integer"}, {"name": "a", "type": "text"},
               {"name": "b", "type": "integer"}, {"name": "c", "type": "float"},
               {"name": "d", "type": "text"}]
    bodies = [json.dumps({"rows": [_row(i) for i in range(n, min(n + batch, rows + 1))]}).encode()
              for n in range(1, rows + 1, batch)]
    result = {"batch": batch}
    args = ["ins.db", "--create", "--root", "--secret", secret, "--setting", "max_insert_rows", str(batch)]
    with servers.Almanac(binary, args, workdir) as almanac:
        client = servers.Client(almanac.url)
        status, body = client.post("/ins/-/create", json.dumps(
            {"table": "t", "columns": columns, "pk": "id"}), headers)
        assert status == 201, body
        start = time.perf_counter()
        for b in bodies:
            status, body = client.post("/ins/t/-/insert", b, headers)
            assert status == 201, body[:300]
        result["rows_s"] = rows / (time.perf_counter() - start)
        client.close()
    script = ["PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;",
              "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL, d TEXT);",
              "BEGIN;"]
    for i in range(1, rows + 1):
        r = _row(i)
        script.append(f"INSERT INTO t (a, b, c, d) VALUES ('{r['a']}', {r['b']}, {r['c']!r}, "
                      f"'{r['d']}');")
    script.append("COMMIT;")
    cli_db = Path(workdir) / "cli.db"
    start = time.perf_counter()
    subprocess.run(["sqlite3", str(cli_db)], input=("\n".join(script) + "\n").encode(),
                   check=True, stdout=subprocess.DEVNULL)
    result["cli_rows_s"] = rows / (time.perf_counter() - start)
    return result


def idle(binary, db, workdir, runs=5):
    """Startup (exec until the first answered request; best of `runs`) and idle RSS after it."""
    log("startup / idle RSS ...")
    starts, rss, pss, anon = [], [], [], []
    for _ in range(runs):
        with servers.Almanac(binary, [str(db)], workdir) as almanac:
            starts.append(almanac.startup_ms)
            time.sleep(0.2)  # let the process settle before reading RSS (not a timing test)
            rss.append(almanac.rss_mb())
            pss.append(almanac.pss_mb())
            anon.append(almanac.anon_mb())
    return {"startup_ms": min(starts), "startup_median_ms": sorted(starts)[len(starts) // 2],
            "idle_rss_mb": min(rss), "idle_pss_mb": min(pss), "idle_anon_mb": min(anon)}


def database_page(binary, db, workdir):
    """The database page of a file with hundreds of tables (one of 1M rows): first request
    after a start, and a repeat."""
    log("database page, many tables ...")
    cold, cached, _ = _cold_and_cached(binary, db, workdir, f"/{db.stem}.json")
    return {"cold_ms": cold, "cached_ms": cached}


SLOW_SQL = ("with recursive c(x) as (select 1 union all select x + 1 from c where x < {n}) "
            "select count(*) from c")


def slow_neighbours(binary, db, workdir, duration, connections, slow_clients=8):
    """Row JSON pages while `slow_clients` clients each loop a query that takes just under
    sql_time_limit_ms (1 s): with the slow lane (the default) and without (--slow-lane-ms 0)."""
    import threading
    from urllib.parse import quote
    rng = random.Random(7)
    paths = write_paths(workdir, "a-row-slow",
                         [f"/big/big/{n}.json" for n in rng.sample(range(1, 1_000_000), PAGES)])
    out = {"clients": slow_clients}
    # Without the slow lane first: the calibration query runs on an I/O thread, at full priority.
    for lane, extra in (("off", ["--slow-lane-ms", "0"]), ("on", [])):
        with servers.Almanac(binary, [str(db), *extra], workdir) as almanac:
            if "slow_n" not in out:
                # Calibrate: how far the recursive count gets in ~800 ms on this machine now.
                client = servers.Client(almanac.url)
                n = 100_000
                ms, status, body = client.timed_get(
                    "/big/-/query.json?sql=" + quote(SLOW_SQL.format(n=n)))
                if status != 200:
                    sys.exit(f"slow query: HTTP {status}: {body[:300]!r}")
                out["slow_n"] = int(n * 800 / max(ms, 1.0))
                client.close()
            path = "/big/-/query.json?sql=" + quote(SLOW_SQL.format(n=out["slow_n"]))
            stop = threading.Event()
            done = {"ok": 0, "error": 0, "ms": []}

            def loop():
                c = servers.Client(almanac.url)
                while not stop.is_set():
                    ms, status, _ = c.timed_get(path)
                    done["ok" if status == 200 else "error"] += 1
                    done["ms"].append(ms)
                c.close()

            threads = [threading.Thread(target=loop) for _ in range(slow_clients)]
            for t in threads:
                t.start()
            log(f"wrk almanac row beside {slow_clients} slow queries, slow lane {lane} ...")
            out[lane] = wrk.run(almanac.url, paths, duration, connections)
            stop.set()
            for t in threads:
                t.join()
            out[lane]["slow_ok"], out[lane]["slow_errors"] = done["ok"], done["error"]
            ms = sorted(done["ms"])
            out[lane]["slow_p50_ms"] = ms[len(ms) // 2] if ms else 0
    return out
