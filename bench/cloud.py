#!/usr/bin/env python3
"""bench/cloud.py: the hosting mode's figures (issue 16), measured in one run and written to
bench/results/cloud.md.

    bench/cloud.py [--wakes 200] [--spaces 10000] [--active 200] [--duration 5] [--no-sandbox]

- cold start: a request to an idle space until its first response byte, sandbox included
  (--max-workers 1 and two spaces taken in turn, so every request wakes a worker); with the
  parts measured alone: bwrap's namespaces (/bin/true), and `almanac serve` from exec to its
  first answer on a Unix socket.
- warm proxy cost: wrk on a table page (HTML and JSON) through the front door, against the same
  page from `almanac serve` directly; the ratio of requests per second.
- density: front door RSS with --spaces spaces created and idle (no process per space), then
  --active spaces awake at once: RSS, PSS and private memory per worker and in total.
"""
import argparse
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
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


def start_cloud(data, *args, log=None):
    process = subprocess.Popen([BIN, "cloud", "--data", str(data), "-p", "0", *args],
                               stdout=subprocess.PIPE, stderr=log or subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    url = re.search(r"serving on (http://\S+?)/? ", line).group(1)

    def drain():
        for text in process.stdout:
            if log:
                log.write(text)
                log.flush()

    threading.Thread(target=drain, daemon=True).start()
    return process, url


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def create_spaces(data, names):
    tokens = {}
    for i in range(0, len(names), 500):
        out = subprocess.run([BIN, "cloud", "create-space", *names[i:i + 500], "--data",
                              str(data)], capture_output=True, text=True, check=True).stdout
        if len(names[i:i + 500]) == 1:
            tokens[names[i]] = out.strip()
        else:
            for line in out.splitlines():
                name, token = line.split()
                tokens[name] = token
    return tokens


def descendants(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                out.append(int(entry))
                out.extend(descendants(int(entry)))
    return out


def memory(pid):
    """(rss, pss, private) in KB from smaps_rollup."""
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    values[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        return 0, 0, 0
    private = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    return values.get("Rss", 0), values.get("Pss", 0), private


def wait_for_pool(client, size):
    """Until the front door has `size` pool workers ready (a wake after a quiet moment)."""
    deadline = time.monotonic() + 30
    while client.get("/").json().get("pool_ready", 0) < size:
        if time.monotonic() > deadline:
            raise RuntimeError("the pool did not refill")
        time.sleep(0.002)


def cold_start(data, wakes, sandbox_args, pool, prefix="cold"):
    names = [f"{prefix}-a", f"{prefix}-b"]
    tokens = create_spaces(data, names)
    log_path = data / f"{prefix}-front-door.log"
    log = open(log_path, "w")
    process, url = start_cloud(data, "--max-workers", "1", "--pool", str(pool), *sandbox_args,
                               log=log)
    times = []
    try:
        with httpx.Client(base_url=url, timeout=60) as c:
            for i in range(wakes + 2):
                name = names[i % 2]
                headers = {"Authorization": f"Bearer {tokens[name]}"}
                if pool:
                    wait_for_pool(c, pool)
                t0 = time.perf_counter()
                with c.stream("GET", f"/{name}/-/versions.json", headers=headers) as r:
                    next(r.iter_raw(), None)
                    elapsed = time.perf_counter() - t0
                    assert r.status_code == 200, r.status_code
                if i >= 2:
                    times.append(elapsed * 1000)
    finally:
        stop(process)
        log.close()
    # Where the time goes: the supervisor's hand-over (chown, mount, descriptors) and the
    # worker's own start (from the hand-over to listening), from their logs, each with its
    # phases ("name time, ..." in parentheses: µs for the hand-over, ms for the worker).
    handover, handover_phases = [], {}
    for total, parts in re.findall(r"handed to pre-started worker \d+ in (\d+) us(?: \(([^)]*)\))?",
                                   log_path.read_text())[2:]:
        handover.append(int(total) / 1000)
        for name, value in parse_phases(parts):
            handover_phases.setdefault(name, []).append(value / 1000)
    for given, answer in re.findall(r"woken, answer head \d+ us after the request \(worker given (\d+) us, then the worker's answer (\d+) us\)",
                                    log_path.read_text())[2:]:
        handover_phases.setdefault("front door: request → worker given (hand-over included)", []).append(int(given) / 1000)
        handover_phases.setdefault("front door: worker given → its answer's head", []).append(int(answer) / 1000)
    serving, serving_phases = [], {}
    for name in names:
        text = (data / "logs" / f"{name}.log").read_text(errors="replace")
        for total, parts in re.findall(r"serving ([\d.]+) ms after[^(\n]*(?:\(([^)]*)\))?",
                                       text)[1:]:
            serving.append(float(total))
            for phase, value in parse_phases(parts):
                serving_phases.setdefault(phase, []).append(value)
        for arrived, handled in re.findall(
                r"first request ([\d.]+) ms after it was handed the space, handled in ([\d.]+) ms",
                text)[1:]:
            serving_phases.setdefault("first request arrives (after hand-over)", []).append(float(arrived))
            serving_phases.setdefault("first request handled", []).append(float(handled))
    return times, handover, serving, handover_phases, serving_phases


def parse_phases(text):
    """[(name, number)] from "chown 120, mount space 800"."""
    out = []
    for part in (text or "").split(","):
        words = part.split()
        if len(words) >= 2:
            out.append((" ".join(words[:-1]), float(words[-1])))
    return out


def bwrap_alone(runs=50):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(["bwrap", "--unshare-user", "--unshare-ipc", "--unshare-pid",
                        "--unshare-net", "--unshare-uts", "--die-with-parent", "--ro-bind", "/usr",
                        "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                        "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev",
                        "/usr/bin/true"], check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def serve_alone(runs=50):
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        sock = f"{tmp}/s.sock"
        for _ in range(runs):
            t0 = time.perf_counter()
            p = subprocess.Popen([BIN, "serve", "--uds", sock, "--memory"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while True:
                try:
                    with httpx.Client(transport=httpx.HTTPTransport(uds=sock),
                                      base_url="http://x") as c:
                        c.get("/-/versions.json")
                    break
                except httpx.TransportError:
                    time.sleep(0.0005)
            times.append((time.perf_counter() - t0) * 1000)
            p.terminate()
            p.wait()
            if os.path.exists(sock):
                os.unlink(sock)
    return times


def wrk(url, duration, headers=(), cpu_of=()):
    """Requests per second; with `cpu_of` (groups of pids), also the CPU time each group spent
    per request meanwhile, in µs (from /proc: user + system)."""
    args = ["wrk", "-t1", "-c8", f"-d{duration}s", "--latency"]
    for h in headers:
        args += ["-H", h]
    before = [sum(cpu_seconds(pid) for pid in group) for group in cpu_of]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    after = [sum(cpu_seconds(pid) for pid in group) for group in cpu_of]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if not cpu_of:
        return rate
    count = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, [(a - b) / max(count, 1) * 1e6 for a, b in zip(after, before)]


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_table(path, rows=1000):
    db = sqlite3.connect(path)
    db.execute("create table t (id integer primary key, name text, score real, note text)")
    db.executemany("insert into t values (?, ?, ?, ?)",
                   [(i, f"name {i}", i * 0.5, "note " * 5) for i in range(rows)])
    db.commit()
    db.close()


def cpu_limited_group():
    """A cgroup (v1 cpu controller, as root) with a worker's CPU limit (one core), or None."""
    base = Path("/sys/fs/cgroup/cpu")
    if os.geteuid() != 0 or not (base / "cgroup.procs").exists():
        return None
    group = base / f"almanac-bench-{os.getpid()}"
    try:
        group.mkdir(exist_ok=True)
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("100000")
    except OSError:
        return None
    return group


def proxy_cost(data, duration, sandbox_args, rounds):
    """Requests per second through the front door and from `almanac serve` directly, taken in
    turn `rounds` times (medians: the machine is shared), and again with the direct server
    under a worker's CPU limit (one core), which isolates the proxy's own cost."""
    [token] = create_spaces(data, ["warm"]).values()
    db = data / "spaces" / "warm" / "data.db"
    make_table(db)
    shutil.copy(db, data / "direct.db")
    process, url = start_cloud(data, *sandbox_args)
    # A real-time task (the bench run under `chrt -f`) cannot join a CPU-limited cgroup: the
    # limited variant is then left out.
    realtime = os.sched_getscheduler(0) != os.SCHED_OTHER
    group = cpu_limited_group() if not sandbox_args and not realtime else None

    def serve_direct(name, limited):
        shutil.copy(db, data / f"{name}.db")
        p = subprocess.Popen([BIN, "serve", str(data / f"{name}.db"), "-p", "0",
                              "--setting", "num_sql_threads", "2", "--io-threads", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if limited:
            (group / "cgroup.procs").write_text(str(p.pid))
        return p, re.search(r"serving on (http://\S+)", p.stdout.readline()).group(1)

    direct, direct_url = serve_direct("direct", False)
    limited = limited_url = None
    if group:
        limited, limited_url = serve_direct("limited", True)
    auth = f"Authorization: Bearer {token}"
    try:
        httpx.get(f"{url}/warm/data/t", headers={"Authorization": f"Bearer {token}"})
        workers = [pid for pid in descendants(process.pid) if is_serve(pid)]
        results, cpu = {}, {}
        for kind, suffix in (("HTML", ""), ("JSON", ".json")):
            proxied, plain, capped = [], [], []
            door_us, worker_us, direct_us = [], [], []
            for _ in range(rounds):
                rate, (door, worker) = wrk(f"{url}/warm/data/t{suffix}?_size=50", duration, [auth],
                                           cpu_of=([process.pid], workers))
                proxied.append(rate)
                door_us.append(door)
                worker_us.append(worker)
                rate, (alone,) = wrk(f"{direct_url}/direct/t{suffix}?_size=50", duration,
                                     cpu_of=([direct.pid],))
                plain.append(rate)
                direct_us.append(alone)
                if limited:
                    capped.append(wrk(f"{limited_url}/limited/t{suffix}?_size=50", duration))
            results[kind] = (statistics.median(proxied), statistics.median(plain),
                             statistics.median(capped) if capped else None)
            cpu[kind] = (statistics.median(door_us), statistics.median(worker_us),
                         statistics.median(direct_us))
    finally:
        stop(process)
        for p in (direct, limited):
            if p:
                p.terminate()
                p.wait()
        if group:
            try:
                group.rmdir()
            except OSError:
                pass
    return results, cpu


def is_serve(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    return len(argv) > 1 and argv[1] == b"serve"


def density(data, spaces, active, sandbox_args):
    names = [f"d{i}" for i in range(spaces)]
    t0 = time.perf_counter()
    tokens = create_spaces(data, names)
    created_s = time.perf_counter() - t0
    process, url = start_cloud(data, *sandbox_args)
    try:
        with httpx.Client(base_url=url, timeout=60) as c:  # refused and unknown: start nothing
            for name in names[:200]:
                c.get(f"/{name}/-/versions.json")
                c.get(f"/x{name}/-/versions.json")
        idle_rss = memory(process.pid)[0]
        idle_children = len(descendants(process.pid))
        with httpx.Client(base_url=url, timeout=120) as c:
            for name in names[:active]:
                r = c.get(f"/{name}/-/versions.json",
                          headers={"Authorization": f"Bearer {tokens[name]}"})
                assert r.status_code == 200
        pids = descendants(process.pid)
        per = [memory(pid) for pid in pids]
        workers = [m for pid, m in zip(pids, per) if is_serve(pid)]
        front_rss = memory(process.pid)[0]
    finally:
        stop(process)
    return {"created_s": created_s, "idle_rss": idle_rss, "idle_children": idle_children,
            "front_rss_active": front_rss, "processes": len(pids), "workers": workers,
            "all": per}


def run_cold(args, sandbox_args, data, section):
    wakes, handover, serving, handover_phases, serving_phases = cold_start(
        data, args.wakes, sandbox_args, args.pool)
    if args.pool_only:
        unpooled = bw = sv = None
    else:
        unpooled = cold_start(data, args.wakes // 4, sandbox_args, 0, "nopool")[0]
        bw = bwrap_alone()
        sv = serve_alone()

    def row(what, values):
        if not values:
            return []
        return [f"| {what} | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} | {len(values)} |"]

    def phase_rows(prefix, phases):
        return [f"| {prefix}{name} | {percentile(v, 50):.2f} | {percentile(v, 99):.2f} | {len(v)} |"
                for name, v in phases.items()]

    section("Cold start (request to an idle space → first response byte)", [
        "| what | p50 ms | p99 ms | runs |", "| --- | --- | --- | --- |",
        *row(f"wake through the front door, pool of {args.pool}", wakes),
        *row("of which: supervisor hands the space over (chown, mount into the sandbox, descriptors)", handover),
        *phase_rows("&nbsp;&nbsp;hand-over: ", handover_phases),
        *row("of which: worker from hand-over to listening (`serve` setup, databases opened)", serving),
        *phase_rows("&nbsp;&nbsp;worker: ", serving_phases),
        *row("wake through the front door, no pool", unpooled),
        *row("bwrap namespaces alone (/bin/true)", bw),
        *row("`almanac serve` exec → first answer, no sandbox", sv)])


def run_proxy(args, sandbox_args, data, section):
    proxy, cpu = proxy_cost(data, args.duration, sandbox_args, args.rounds)
    rows, cpu_rows = [], []
    for kind, (p, d, c) in proxy.items():
        capped = f"{c:.0f} | {p / c:.2f}×" if c else "- | -"
        rows.append(f"| {kind} | {p:.0f} | {d:.0f} | {p / d:.2f}× | {capped} |")
        door, worker, direct = cpu[kind]
        cpu_rows.append(f"| {kind} | {door:.0f} | {worker:.0f} | {direct:.0f} |")
    section(f"Warm proxy cost (wrk -t1 -c8, table page of 50 rows; medians of {args.rounds} "
            f"rounds of {args.duration} s, taken in turn)", [
        "| page | through the front door req/s | `almanac serve` direct req/s | ratio | direct, "
        "with a worker's CPU limit (1 core) req/s | ratio |",
        "| --- | --- | --- | --- | --- | --- |", *rows, "",
        "CPU per request (µs, from /proc user + system over the same wrk runs):", "",
        "| page | front door | its worker | `almanac serve` direct |",
        "| --- | --- | --- | --- |", *cpu_rows])


def run_density(args, sandbox_args, data, section):
    dens = density(data, args.spaces, args.active, sandbox_args)
    workers = dens["workers"]
    total = [sum(m[i] for m in dens["all"]) for i in range(3)]
    section(f"Density ({args.spaces} spaces created, then {args.active} active)", [
        f"- {args.spaces} spaces created in {dens['created_s']:.1f} s; idle: front door RSS "
        f"**{dens['idle_rss'] / 1024:.1f} MB**, {dens['idle_children']} processes besides it "
        f"(the pool of {args.pool} pre-started workers, bwrap's two processes each; 200 spaces "
        "were asked for without a token and 200 unknown ones: none started anything).",
        f"- {args.active} spaces active: {len(workers)} `almanac serve` workers, "
        f"{dens['processes']} processes in all (bwrap's and the pool's too); front door RSS "
        f"{dens['front_rss_active'] / 1024:.1f} MB.",
        f"- per worker (median): RSS {statistics.median(m[0] for m in workers) / 1024:.1f} MB, "
        f"PSS {statistics.median(m[1] for m in workers) / 1024:.1f} MB, private "
        f"{statistics.median(m[2] for m in workers) / 1024:.1f} MB.",
        f"- every process of the {args.active} spaces together: RSS {total[0] / 1024:.0f} MB, "
        f"PSS {total[1] / 1024:.0f} MB, private {total[2] / 1024:.0f} MB."])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wakes", type=int, default=200)
    parser.add_argument("--spaces", type=int, default=10000)
    parser.add_argument("--active", type=int, default=200)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="proxy cost: rounds taken in turn")
    parser.add_argument("--no-sandbox", action="store_true")
    parser.add_argument("--pool", type=int, default=2)
    parser.add_argument("--pool-only", action="store_true",
                        help="cold start: only the wakes with the pool (no baselines)")
    parser.add_argument("--only", choices=["cold", "proxy", "density"], default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "cloud.md"))
    args = parser.parse_args()
    sandbox_args = ["--no-sandbox"] if args.no_sandbox else []
    lines = ["# almanac cloud: cold start, proxy cost, density", "",
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
             f"sandbox {'off' if args.no_sandbox else 'on'}, uid {os.geteuid()}, load average "
             f"{os.getloadavg()[0]:.1f} at the start. "
             "Figures from one run of bench/cloud.py; the machine is shared, so compare ratios.", ""]

    def section(title, body):
        lines.extend([f"## {title}", "", *body, ""])
        print("\n".join([f"## {title}", *body]), flush=True)

    with tempfile.TemporaryDirectory(prefix="almb-", dir="/tmp") as tmp:
        data = Path(tmp) / "d"
        data.mkdir()
        os.chmod(tmp, 0o711)
        os.chmod(data, 0o711)
        if args.only in (None, "cold"):
            run_cold(args, sandbox_args, data, section)
        if args.only in (None, "proxy"):
            run_proxy(args, sandbox_args, data, section)
        if args.only in (None, "density"):
            run_density(args, sandbox_args, data, section)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
