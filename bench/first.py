#!/usr/bin/env python3
"""First benchmark (issue 2, item 7): almanac against nginx serving the same bytes.

    bench/first.py [--duration 10] [--rounds 1] [--db big.db] [--binary build/almanac]

Builds nothing: it expects build/almanac. It makes the 1,000,000-row `big` table from
../shared/conformance/tools/make_big_db.sql (or uses --db), starts almanac on a free port,
saves the exact bytes of one table page (100 rows) and one row page, serves those files from
Debian's nginx (one worker, same content type, a config in a temporary directory), and runs
`wrk -t1 -c16 -dDs --latency` against almanac and nginx for each page, alternately. Prints
req/s, p50 and p99 and the ratio almanac/nginx, beside Datasette 1.0a37's figures from
../shared/research/datasette-reference.md (measured on this kind of machine).
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALMANAC_SHARED_DIR", ROOT.parent / "shared"))
if not (SHARED / "conformance").exists():
    SHARED = Path("/work/shared")
MAKE_BIG_DB = SHARED / "conformance" / "tools" / "make_big_db.sql"
CONTENT_TYPE = "application/json; charset=utf-8"

# Datasette 1.0a37 on the same kind of 2-core machine, wrk -t1 -c16 -d10s
# (../shared/research/datasette-reference.md): req/s, p50 ms, p99 ms.
DATASETTE = {
    "table": (238, 67, 91, "/big/big.json (row d)"),
    "row": (544, 29, 50, "/fixtures/facetable/1.json (row b)"),
}

PAGES = {"table": "/big/big.json", "row": "/big/big/500000.json"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_big_db(path):
    print(f"making {path} (1,000,000 rows) ...", file=sys.stderr)
    with open(MAKE_BIG_DB, "rb") as sql:
        subprocess.run(["sqlite3", str(path)], stdin=sql, stdout=subprocess.DEVNULL, check=True)


def start_almanac(binary, db, workdir):
    proc = subprocess.Popen([binary, "serve", str(db), "-h", "127.0.0.1", "-p", "0"],
                            cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    line = proc.stdout.readline()
    match = re.search(r"serving on (http://\S+)", line)
    if not match:
        proc.kill()
        sys.exit(f"almanac did not start: {line}{proc.stdout.read()}")
    return proc, match.group(1)


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers.get("content-type"), r.read()


def start_nginx(workdir, files):
    """nginx in the foreground, one worker, serving `files` (name -> bytes) as JSON."""
    root = workdir / "www"
    root.mkdir()
    for name, body in files.items():
        (root / name).write_bytes(body)
    os.chmod(workdir, 0o755)
    os.chmod(root, 0o755)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
user root;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {workdir}/client_body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
  keepalive_requests 1000000;
  types {{ }}
  default_type application/json;
  charset utf-8;
  charset_types application/json;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-p", str(workdir), "-e", str(workdir / "nginx-error.log"),
                             "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            fetch(base + "/" + next(iter(files)))
            return proc, base
        except OSError:
            if proc.poll() is not None:
                sys.exit("nginx did not start: " + proc.stdout.read().decode())
            time.sleep(0.05)  # polling for the port to open
    proc.kill()
    sys.exit("nginx did not answer")


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def wrk(url, duration):
    out = subprocess.run(["wrk", "-t1", "-c16", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        print(f"warning: {url}: {errors.group(0)}", file=sys.stderr)
    return rps, p50, p99


def vm_hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=str(ROOT / "build" / "almanac"))
    parser.add_argument("--db", help="an existing big.db (made when omitted)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds (median)")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: build first (make build)")
    for tool in ("wrk", "nginx", "sqlite3"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"{tool} is not installed")

    with tempfile.TemporaryDirectory(prefix="almanac-bench-") as tmp:
        workdir = Path(tmp)
        db = workdir / "big.db"
        if args.db:
            shutil.copy(args.db, db)
        else:
            make_big_db(db)
        almanac, almanac_base = start_almanac(args.binary, db, workdir)
        nginx = None
        try:
            files = {}
            for name, path in PAGES.items():
                status, ctype, body = fetch(almanac_base + path)
                assert status == 200 and ctype == CONTENT_TYPE, (path, status, ctype)
                files[f"{name}.json"] = body
                (workdir / f"{name}.json").write_bytes(body)
            (workdir / "nginx").mkdir()
            nginx, nginx_base = start_nginx(workdir / "nginx", files)
            for name in PAGES:
                status, ctype, body = fetch(f"{nginx_base}/{name}.json")
                assert status == 200 and ctype == CONTENT_TYPE and body == files[f"{name}.json"]

            results = {(name, server): [] for name in PAGES for server in ("almanac", "nginx")}
            for round_ in range(args.rounds):
                for name, path in PAGES.items():
                    print(f"round {round_ + 1}: {name} ...", file=sys.stderr)
                    results[(name, "almanac")].append(wrk(almanac_base + path, args.duration))
                    results[(name, "nginx")].append(wrk(f"{nginx_base}/{name}.json",
                                                        args.duration))
            rss_mb = vm_hwm_kb(almanac.pid) / 1024
        finally:
            for proc in (almanac, nginx):
                if proc and proc.poll() is None:
                    proc.terminate()
                    proc.wait(15)

    def median(rows, i):
        return statistics.median(r[i] for r in rows)

    print(f"\nwrk -t1 -c16 -d{args.duration}s --latency, {args.rounds} round(s), median; "
          f"almanac peak RSS {rss_mb:.0f} MB")
    header = (f"{'page':<6} {'bytes':>6} {'server':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'vs nginx':>9}   Datasette 1.0a37 (reference)")
    print(header)
    print("-" * len(header))
    for name, path in PAGES.items():
        ng = results[(name, "nginx")]
        for server in ("almanac", "nginx"):
            rows = results[(name, server)]
            rps, p50, p99 = median(rows, 0), median(rows, 1), median(rows, 2)
            ratio = f"{rps / median(ng, 0):.2f}x" if server == "almanac" else ""
            ds = ""
            if server == "almanac":
                d_rps, d_p50, d_p99, what = DATASETTE[name]
                ds = f"{d_rps} req/s, p50 {d_p50}, p99 {d_p99} ms: {what}"
            size = len(files[f"{name}.json"])
            print(f"{name:<6} {size:>6} {server:<8} {rps:>9.0f} {p50:>8.2f} {p99:>8.2f} "
                  f"{ratio:>9}   {ds}")
    print(f"pages: table = {PAGES['table']}, row = {PAGES['row']}")


if __name__ == "__main__":
    main()
