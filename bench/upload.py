#!/usr/bin/python3
"""Upload benchmark: a CSV sent to `/<db>/-/upload.json` (multipart, streamed to a temporary
file, then ingest::Import on the writer) against `almanac insert` of the same file, measured
side by side in one run, with the server's peak RSS; written to bench/results/upload.md.

    bench/upload.py [--runs 3] [--rows 1000000] [--out bench/results/upload.md]

The CSV is bench/ingest.py's (1M rows x 5 columns, ~53 MB, cached under build/bench-data/).
Timings are wall-clock medians; the machine's load average is reported with them.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "support"))
from ingest import DATA, make_csv  # noqa: E402
from almanac_server import AlmanacServer  # noqa: E402

BINARY = os.environ.get("ALMANAC_BIN", str(ROOT / "build" / "almanac"))
SECRET = "bench-upload-secret"


def token():
    return subprocess.run([BINARY, "create-token", "root", "--secret", SECRET],
                          capture_output=True, text=True, check=True).stdout.strip()


def peak_kb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM")))


def time_insert(csv):
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([BINARY, "insert", f"{tmp}/x.db", "t", str(csv), "--silent"], check=True,
                       capture_output=True)
        return time.perf_counter() - start


def time_upload(csv):
    with tempfile.TemporaryDirectory() as tmp:
        with AlmanacServer(["x.db", "--create", "--secret", SECRET, "--root"], cwd=tmp) as s:
            before = peak_kb(s.process.pid)
            start = time.perf_counter()
            out = subprocess.run(["curl", "-sS", "--fail-with-body", "-H",
                                  "Authorization: Bearer " + token(), "-F", f"file=@{csv}",
                                  s.url + "/x/-/upload.json"], check=True, capture_output=True,
                                 text=True).stdout
            elapsed = time.perf_counter() - start
            assert '"ok": true' in out or '"ok":true' in out, out
            return elapsed, peak_kb(s.process.pid), before


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "upload.md"))
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    csv = make_csv(DATA / f"rows-{args.rows}.csv", args.rows)
    mb = csv.stat().st_size / 1e6
    load = os.getloadavg()[0]
    inserts, uploads, peaks, idles = [], [], [], []
    for _ in range(args.runs):  # interleaved, so that both see the same machine
        inserts.append(time_insert(csv))
        elapsed, peak, idle = time_upload(csv)
        uploads.append(elapsed)
        peaks.append(peak)
        idles.append(idle)
    insert, upload = statistics.median(inserts), statistics.median(uploads)
    lines = [
        f"# Upload benchmark ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Command: `bench/upload.py --runs {args.runs} --rows {args.rows}`"
        f"{' under chrt -f 20' if os.sched_getscheduler(0) == os.SCHED_FIFO else ''}; "
        f"load average before: {load:.2f}; {os.cpu_count()} CPUs.",
        "",
        "| scenario | time (median) | rows/s | MB/s | peak RSS | vs |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| almanac insert, CSV {args.rows:,} rows ({mb:.0f} MB) | {insert:.2f} s | "
        f"{args.rows / insert:,.0f} | {mb / insert:.1f} | | |",
        f"| curl -F file=@... /db/-/upload.json, same file | {upload:.2f} s | "
        f"{args.rows / upload:,.0f} | {mb / upload:.1f} | server {max(peaks) / 1024:.0f} MB "
        f"(idle {max(idles) / 1024:.0f} MB) | {insert / upload:.2f}x the insert rate |",
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
