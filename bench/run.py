#!/usr/bin/env python3
"""bench/run: every benchmark scenario, almanac beside the limit for the same work measured in
the same run, written to bench/results/latest.md (see docs/performance.md).

    bench/run [--duration 3] [--connections 8] [--big10m] [--no-micro] [--out FILE]

Uses build/almanac (run `make build` first; built here when missing). Data is generated once
and cached under build/bench-data/. wrk runs with one thread on loopback and cycles through
1,000 distinct pages (bench/cycle.lua), so no response cache can stand in for the work.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import data, report, scenarios  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MICRO = ["alm_bench_json", "alm_bench_query", "alm_bench_floor"]


def ensure_binary(binary):
    if not Path(binary).exists():
        print("build/almanac missing: building the release preset ...", file=sys.stderr)
        subprocess.run(["cmake", "--preset", "release"], cwd=ROOT, check=True)
        subprocess.run(["cmake", "--build", "--preset", "release", "--target", "almanac"],
                       cwd=ROOT, check=True)
    for tool in ("wrk", "sqlite3"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (scripts/setup installs it)")
    if not Path(scenarios.servers.nginx_binary()).exists():
        sys.exit("nginx is not installed (scripts/setup installs it)")


def micro_benchmarks(min_time):
    """Builds the Google Benchmark targets in build/ (ALM_BUILD_BENCH=ON) and runs them."""
    print("micro-benchmarks ...", file=sys.stderr, flush=True)
    build = ROOT / "build"
    subprocess.run(["cmake", "--preset", "release", "-DALM_BUILD_BENCH=ON"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(build), "--target", *MICRO], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    out = []
    for name in MICRO:
        exe = build / "bench" / name
        res = subprocess.run([str(exe), f"--benchmark_min_time={min_time}"], check=True,
                             capture_output=True, text=True)
        out.append(f"$ {name}\n{res.stdout.strip()}")
    return "\n\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=str(ROOT / "build" / "almanac"))
    ap.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections (one thread)")
    ap.add_argument("--big10m", action="store_true",
                    help="also the 10,000,000-row scenarios (generating the data takes ~1 min)")
    ap.add_argument("--no-micro", action="store_true", help="skip the Google Benchmark part")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.md"))
    args = ap.parse_args()
    ensure_binary(args.binary)
    started = time.time()
    big = data.big_db()
    many = data.many_tables_db()
    big10 = data.big_db(10_000_000, fts=False) if args.big10m else None
    results = {"args": vars(args), "load": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="almanac-bench-") as tmp:
        work = Path(tmp)
        db = data.working_copy(big, work)
        results["http"] = scenarios.http_pages(args.binary, db, work, args.duration,
                                               args.connections)
        results["slow"] = scenarios.slow_neighbours(args.binary, db, work, args.duration,
                                                    args.connections)
        results["big"] = scenarios.facet_and_count(args.binary, db, work)
        results["csv"] = scenarios.csv_stream(args.binary, db, work)
        results["insert"] = scenarios.inserts(args.binary, work)
        results["idle"] = scenarios.idle(args.binary, db, work)
        many_copy = data.working_copy(many, work)
        results["many"] = scenarios.database_page(args.binary, many_copy, work)
        if big10:
            # Served in place (read-only work; copying 1 GB would dominate the run).
            link = work / "big10m.db"
            os.symlink(big10, link)
            results["big10m"] = scenarios.facet_and_count(args.binary, link, work,
                                                          label="10M")
    results["micro"] = None if args.no_micro else micro_benchmarks(0.2)
    results["elapsed_s"] = time.time() - started
    # The raw figures too, so a report can be redrawn without measuring again.
    raw = ROOT / "build" / "bench-results.json"
    raw.write_text(json.dumps(results, indent=1))
    text = report.markdown(results, args.binary)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
