#!/usr/bin/env python3
"""bench/control_plane.py: the control plane's page times with 10,000 accounts and 10,000
spaces in control.db (issue 17's target: every control-plane page <= 5 ms p99), and the cost
of one password hash as the front door makes it. Writes bench/results/control_plane.md.

    bench/control_plane.py [--accounts 10000] [--spaces 10000] [--requests 300] [--wakes 50]

Then the sign-in to a cold space (issue 17's target: sign-in to the first table page of a cold
space <= 50 ms): a second `almanac cloud` as a user runs it (sandboxed, its default pool of
pre-started workers) with `--max-workers 1` and two spaces, so that the first table page of
one space after a sign-in always wakes it (and stops the other). Reported: the sign-in request
(its argon2id hash), the table page after it (the cold start included), and their sum.

The accounts are written into control.db directly (each with a copy of one real argon2id
hash: 10,000 hashes would take most of an hour and measure nothing new); the spaces are made by
`almanac cloud create-space` (one call for all) and given owners and members in control.db.
Times are client-side, over keep-alive HTTP on loopback, sequential requests, so each is one
page's latency through the front door.
"""
import argparse
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = os.environ.get("ALMANAC_BIN") or str(ROOT / "build" / "almanac")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def start_cloud(data, *args):
    args = args or ("--no-sandbox", "--pool", "0")
    process = subprocess.Popen([BIN, "cloud", "--data", str(data), "-p", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = None
    for line in process.stdout:
        match = re.search(r"serving on (http://\S+?)/? ", line)
        if match:
            url = match.group(1)
            break
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, url


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10000)
    parser.add_argument("--spaces", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--wakes", type=int, default=50)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="almcp-", dir="/tmp"))
    os.chmod(data, 0o711)
    try:
        # The first account through the API: a real hash, timed by the client.
        process, url = start_cloud(data)
        client = httpx.Client(base_url=url, timeout=60)
        started = time.perf_counter()
        made = client.post("/-/api/signup", json={"name": "bench", "password": "correct horse"})
        signup_ms = (time.perf_counter() - started) * 1000
        assert made.status_code == 201, made.text
        signin_ms = []
        for _ in range(5):
            started = time.perf_counter()
            assert client.post("/-/api/signin", json={"name": "bench",
                                                      "password": "correct horse"}).status_code == 200
            signin_ms.append((time.perf_counter() - started) * 1000)
        assert client.post("/-/api/spaces", json={"name": "bench-space"}).status_code == 201
        process.send_signal(signal.SIGTERM)
        process.wait()

        names = [f"s{i:05d}" for i in range(args.spaces)]
        started = time.perf_counter()
        for chunk in range(0, len(names), 2000):
            subprocess.run([BIN, "cloud", "create-space", *names[chunk:chunk + 2000], "--data",
                            str(data)], check=True, stdout=subprocess.DEVNULL)
        create_s = time.perf_counter() - started
        with sqlite3.connect(data / "control.db") as db:
            hash_ = db.execute("select password_hash from accounts where name='bench'").fetchone()[0]
            db.executemany("insert into accounts (name, password_hash, created_at) values (?, ?, 0)",
                           [(f"user{i:05d}", hash_) for i in range(args.accounts)])
            # Each space owned by one account; the bench account a member of 20 of them.
            db.execute("update spaces set owner_account_id = (select id from accounts where "
                       "name = 'user' || substr(spaces.name, 2)) where name like 's%'")
            db.execute("insert into memberships select id, owner_account_id, 'owner', 0 from spaces "
                       "where owner_account_id is not null and name != 'bench-space'")
            bench_id = db.execute("select id from accounts where name='bench'").fetchone()[0]
            db.executemany("insert or ignore into memberships select id, ?, 'admin', 0 from spaces "
                           "where name = ?", [(bench_id, f"s{i:05d}") for i in range(0, 2000, 100)])
            for i in range(50):
                db.execute("insert into audit_log (at, actor, space, action) values (?, 'bench', "
                           "'bench-space', 'role-change')", (i,))
            counts = (db.execute("select count(*) from accounts").fetchone()[0],
                      db.execute("select count(*) from spaces").fetchone()[0],
                      db.execute("select count(*) from memberships").fetchone()[0])
        process, url = start_cloud(data)
        client = httpx.Client(base_url=url, timeout=60)
        assert client.post("/-/api/signin", json={"name": "bench",
                                                  "password": "correct horse"}).status_code == 200
        client.post("/-/api/spaces/bench-space/tokens", json={"name": "t"})
        pages = ["/-/spaces", "/-/api/spaces", "/-/spaces/bench-space/members",
                 "/-/api/spaces/bench-space/members", "/-/spaces/bench-space/tokens",
                 "/-/spaces/bench-space/audit", "/-/spaces/s00100/members", "/-/signin"]
        rows = []
        for page in pages:
            for _ in range(20):
                client.get(page)
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(page)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (page, response.status_code)
            rows.append((page, statistics_row(times)))
        process.send_signal(signal.SIGTERM)
        process.wait()
        cold = sign_in_to_cold_space(data.parent / (data.name + "-cold"), args.wakes)
        load = open("/proc/loadavg").read().split()[:3]
        out = ROOT / "bench" / "results" / "control_plane.md"
        lines = [
            "# Control plane pages (bench/control_plane.py)",
            "",
            f"{time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, load "
            f"{' '.join(load)} at the end; control.db with {counts[0]} accounts, {counts[1]} "
            f"spaces, {counts[2]} memberships; `almanac cloud --no-sandbox --pool 0`; "
            f"{args.requests} sequential keep-alive requests a page, signed in.",
            "",
            f"- {args.spaces} spaces made by `create-space` (5 calls of 2,000 names): "
            f"{create_s:.1f} s",
            f"- sign-up (one argon2id hash, 2 passes over 19 MiB, plus the session): "
            f"{signup_ms:.0f} ms; sign-in: median {sorted(signin_ms)[2]:.0f} ms of 5",
            "",
            "| page | p50 ms | p99 ms | max ms |",
            "|---|---|---|---|",
        ]
        for page, (p50, p99, top) in rows:
            lines.append(f"| `{page}` | {p50:.2f} | {p99:.2f} | {top:.2f} |")
        lines += [
            "",
            f"Sign-in, then the first table page of a cold space ({args.wakes} rounds; "
            "sandboxed workers, the default pool, `--max-workers 1` with two spaces in turn):",
            "",
            "| step | p50 ms | p99 ms | max ms |",
            "|---|---|---|---|",
        ]
        for step, times in cold:
            p50, p99, top = statistics_row(times)
            lines.append(f"| {step} | {p50:.1f} | {p99:.1f} | {top:.1f} |")
        out.write_text("\n".join(lines) + "\n")
        print("\n".join(lines))
    finally:
        shutil.rmtree(data, ignore_errors=True)


def sign_in_to_cold_space(data, wakes):
    """[(step, times in ms)] for sign-in, the cold table page after it, and both."""
    data.mkdir(mode=0o711)
    try:
        process, url = start_cloud(data, "--max-workers", "1")
        client = httpx.Client(base_url=url, timeout=60)
        assert client.post("/-/api/signup", json={"name": "cold", "password": "correct horse"}
                           ).status_code == 201
        for space in ("cold-a", "cold-b"):
            assert client.post("/-/api/spaces", json={"name": space}).status_code == 201
            made = client.post(f"/{space}/data/-/create", json={
                "table": "t", "pk": "id", "rows": [{"id": i, "v": f"row {i}"} for i in range(50)]})
            assert made.status_code == 201, made.text
        signin, page, total = [], [], []
        for i in range(wakes):
            space = ("cold-a", "cold-b")[i % 2]
            fresh = httpx.Client(base_url=url, timeout=60)
            started = time.perf_counter()
            assert fresh.post("/-/api/signin", json={"name": "cold", "password": "correct horse"}
                              ).status_code == 200
            signed_in = time.perf_counter()
            assert fresh.get(f"/{space}/data/t").status_code == 200
            done = time.perf_counter()
            fresh.close()
            signin.append((signed_in - started) * 1000)
            page.append((done - signed_in) * 1000)
            total.append((done - started) * 1000)
        process.send_signal(signal.SIGTERM)
        process.wait()
        return [("sign-in (`POST /-/api/signin`: one argon2id hash)", signin),
                ("first table page of the cold space, after it", page),
                ("both", total)]
    finally:
        shutil.rmtree(data, ignore_errors=True)


def statistics_row(times):
    return percentile(times, 50), percentile(times, 99), max(times)


if __name__ == "__main__":
    main()
