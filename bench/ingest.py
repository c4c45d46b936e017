#!/usr/bin/python3
"""Ingestion benchmark (issue 12): `almanac insert` against `sqlite3 .import` and Debian's
sqlite-utils 3.30, measured side by side in one run; written to bench/results/ingest.md.

    bench/ingest.py [--runs 3] [--rows 1000000] [--big-gb 1] [--sqlite-utils-rows 100000]
                    [--out bench/results/ingest.md]

Scenarios (data generated once, cached under build/bench-data/):
  * CSV, 1M rows x 5 columns (~43 MB): almanac (types detected, integer primary key) vs
    `sqlite3 :memory:`-free `.import --csv` into a new file (every column TEXT); target >= 1.5x.
  * The same records as NDJSON: almanac's rate; target >= 0.5x its CSV rate.
  * Debian's sqlite-utils 3.30 `insert --csv --detect-types --pk id` on the first
    --sqlite-utils-rows rows (it runs at a few thousand rows/s), reported in rows/s.
  * A --big-gb CSV (same shape): almanac's peak RSS; target < 64 MB.
  * `almanac memory` on a 50+ MB CSV answering a GROUP BY, against loading it (`select 1`).
Timings are wall-clock medians; the machine's load average is reported with them.
"""
import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "build" / "bench-data"
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"]


def rows(n, seed=12):
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        yield (i, f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.randint(0, 99999)}",
               rnd.choice(WORDS).title() + "ville", rnd.randint(0, 9999999) / 100,
               rnd.randint(0, 10000000))


def make_csv(path, n):
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write("id,name,city,score,count\n")
        for r in rows(n):
            f.write("%d,%s,%s,%s,%d\n" % r)
    tmp.rename(path)
    return path


def make_ndjson(path, n):
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        for r in rows(n):
            f.write('{"id": %d, "name": "%s", "city": "%s", "score": %s, "count": %d}\n' % r)
    tmp.rename(path)
    return path


def make_big_csv(path, gigabytes):
    """Repeats the 1M-row CSV's body with fresh ids until the file reaches the size."""
    if path.exists():
        return path
    target = int(gigabytes * 1e9)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write("id,name,city,score,count\n")
        next_id, size = 1, 0
        while size < target:
            chunk = []
            for r in rows(100000, seed=next_id):
                chunk.append("%d,%s,%s,%s,%d\n" % ((next_id,) + r[1:]))
                next_id += 1
            text = "".join(chunk)
            f.write(text)
            size += len(text)
    tmp.rename(path)
    return path


def timed(cmd, **kwargs):
    """(seconds, peak RSS in MB of the child) for one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if status != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    return seconds, usage.ru_maxrss / 1024


def median_run(make_cmd, runs):
    times, rss = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            t, r = timed(make_cmd(Path(tmp) / "bench.db"))
            times.append(t)
            rss.append(r)
    return statistics.median(times), max(rss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--big-gb", type=float, default=1.0, help="0 skips the big-file scenario")
    ap.add_argument("--sqlite-utils-rows", type=int, default=100000, help="0 skips it")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest.md"))
    ap.add_argument("--binary", default=str(ROOT / "build" / "almanac"))
    ap.add_argument("--only", choices=["memory"],
                    help="run one scenario and print it (bench/results/ingest.md is left alone)")
    args = ap.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    almanac = args.binary
    n = args.rows
    if not args.only:
        csv = make_csv(DATA / f"ingest-{n}.csv", n)
        ndjson = make_ndjson(DATA / f"ingest-{n}.ndjson", n)
        mb = csv.stat().st_size / 1e6
    lines = [f"# Ingestion benchmark ({time.strftime('%Y-%m-%d %H:%M')})", "",
             f"Command: `bench/ingest.py --runs {args.runs} --rows {n} --big-gb {args.big_gb} "
             f"--sqlite-utils-rows {args.sqlite_utils_rows}`; load average before: "
             f"{os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs.", "",
             "| scenario | time (median) | rows/s | MB/s | peak RSS | vs |",
             "| --- | --- | --- | --- | --- | --- |"]

    def row(name, seconds, rss, count, size_mb, versus=""):
        lines.append(f"| {name} | {seconds:.2f} s | {count / seconds:,.0f} | "
                     f"{size_mb / seconds:.1f} | {rss:.0f} MB | {versus} |")
        print(lines[-1], file=sys.stderr, flush=True)

    if not args.only:
        t_alm, rss_alm = median_run(
            lambda db: [almanac, "insert", db, "t", csv, "--pk", "id", "--silent"], args.runs)
        t_imp, rss_imp = median_run(lambda db: ["sqlite3", db, f".import --csv {csv} t"], args.runs)
        row(f"almanac insert, CSV {n:,} rows ({mb:.0f} MB), types detected", t_alm, rss_alm, n, mb,
            f"{t_imp / t_alm:.2f}x sqlite3 .import (target >= 1.5x)")
        row("sqlite3 .import --csv (all TEXT)", t_imp, rss_imp, n, mb)
        t_nl, rss_nl = median_run(
            lambda db: [almanac, "insert", db, "t", ndjson, "--pk", "id", "--silent"], args.runs)
        row(f"almanac insert, NDJSON {n:,} records ({ndjson.stat().st_size / 1e6:.0f} MB)", t_nl,
            rss_nl, n, ndjson.stat().st_size / 1e6,
            f"{t_alm / t_nl:.2f}x the CSV rate (target >= 0.5x)")
        if args.sqlite_utils_rows and shutil.which("sqlite-utils"):
            k = args.sqlite_utils_rows
            small = make_csv(DATA / f"ingest-{k}.csv", k)
            t_su, rss_su = median_run(lambda db: ["sqlite-utils", "insert", db, "t", small, "--csv",
                                                  "--detect-types", "--pk", "id"], 1)
            t_alm_k, _ = median_run(
                lambda db: [almanac, "insert", db, "t", small, "--pk", "id", "--silent"], args.runs)
            row(f"sqlite-utils 3.30 insert --csv --detect-types, {k:,} rows", t_su, rss_su, k,
                small.stat().st_size / 1e6,
                f"almanac: {(k / t_alm_k) / (k / t_su):.0f}x its rate on the same rows")
        elif args.sqlite_utils_rows:
            lines.append("| sqlite-utils 3.30 | not installed (apt-get install sqlite-utils) | | | | |")
    memory_csv = make_csv(DATA / "ingest-1200000.csv", 1200000)
    memory_mb = memory_csv.stat().st_size / 1e6
    t_load, _ = median_run(lambda db: [almanac, "memory", memory_csv, "select 1"], args.runs)
    t_mem, rss_mem = median_run(
        lambda db: [almanac, "memory", memory_csv,
                    "select city, count(*), avg(score) from t group by city"], args.runs)
    row(f"almanac memory, {memory_mb:.0f} MB CSV + GROUP BY", t_mem, rss_mem, 1200000, memory_mb,
        f"{t_mem / t_load:.2f}x the time to load it alone, {t_load:.2f} s (target <= 2x)")
    if args.big_gb and not args.only:
        big = make_big_csv(DATA / f"ingest-{args.big_gb:g}gb.csv", args.big_gb)
        big_rows = sum(1 for _ in open(big)) - 1
        t_big, rss_big = median_run(
            lambda db: [almanac, "insert", db, "t", big, "--pk", "id", "--silent"], 1)
        row(f"almanac insert, {big.stat().st_size / 1e9:.1f} GB CSV ({big_rows:,} rows)", t_big,
            rss_big, big_rows, big.stat().st_size / 1e6, "peak RSS target < 64 MB")
    if not args.only:
        Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
