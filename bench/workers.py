#!/usr/bin/env python3
"""bench/workers.py: what one `almanac serve` worker costs a hosting box (docs/performance.md).

    bench/workers.py [--binary build/almanac] [--db build/demo.db] [--counts 1,10,100]
                     [--runs 20] [--page /demo/service_requests] [--out FILE]

Startup: a listening socket is bound first and handed to the worker as fd 3 (`serve --fd 3`,
as `almanac cloud` starts its workers), the request is sent at once (the kernel queues it
until the worker accepts) and the clock runs from just before the spawn until the answer's
first bytes: exec, loading, opening the databases and answering, nothing of a polling loop.
The worker is then killed and its CPU time read from wait4 (user + system until the answer,
the figure the machine's load does not inflate). `/bin/true` spawned the same way is the floor.

Footprint: N workers of the same binary, each answering its first page (an HTML table page:
templates, schema and a read connection loaded), then, once each has been idle long enough to
give back what it keeps for the next requests (serve's --idle-release-ms), /proc/PID/smaps_rollup
of each:
Private_Dirty is what one more idle worker costs (text and libraries are shared), RSS and PSS
summed over the N workers are what the box pays.
"""
import argparse
import os
import signal
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# As src/cloud/launcher.cc starts a worker (two threads of each kind).
IDLE_RELEASE_S = 10  # serve's --idle-release-ms default
WORKER_ARGS = ["--setting", "num_sql_threads", "2", "--io-threads", "2",
               "--keep-alive-timeout", "3600"]


def listening_socket():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    return s


def spawn(argv, listener):
    """argv with `listener` as fd 3 and stdout/stderr to /dev/null; the child's pid."""
    null = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, listener.fileno(), 3),
               (os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
    try:
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    finally:
        os.close(null)


def get(port, path, timeout=30):
    """One request on a new connection; the status line's code and the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
        c.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            data = c.recv(65536)
            if not data:
                break
            chunks.append(data)
    answer = b"".join(chunks)
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0, answer


def first_answer_ms(port, path):
    """Connects, sends, and returns when the first bytes of the answer arrive."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
        c.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        head = c.recv(16)
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit(f"{path}: {head!r}")


def kill_and_cpu_ms(pid):
    os.kill(pid, signal.SIGKILL)
    _, _, usage = os.wait4(pid, 0)
    return (usage.ru_utime + usage.ru_stime) * 1000


def startup(binary, db, runs, path):
    walls, cpus, floor = [], [], []
    for _ in range(runs):
        listener = listening_socket()
        port = listener.getsockname()[1]
        start = time.perf_counter()
        pid = spawn([binary, "serve", "--fd", "3", *WORKER_ARGS, str(db)], listener)
        first_answer_ms(port, path)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append(kill_and_cpu_ms(pid))
        listener.close()
        start = time.perf_counter()
        pid = os.posix_spawn("/bin/true", ["/bin/true"], os.environ)
        os.waitpid(pid, 0)
        floor.append((time.perf_counter() - start) * 1000)
    return {"wall_min": min(walls), "wall_median": statistics.median(walls),
            "cpu_min": min(cpus), "cpu_median": statistics.median(cpus),
            "true_min": min(floor), "true_median": statistics.median(floor)}


def smaps(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                out[parts[0][:-1]] = int(parts[1])
    return out


def footprint(binary, db, count, page):
    # A binary just linked has dirty page-cache pages, which smaps counts as Private_Dirty of
    # the one process mapping them: written back first.
    os.sync()
    workers = []
    try:
        for _ in range(count):
            listener = listening_socket()
            pid = spawn([binary, "serve", "--fd", "3", *WORKER_ARGS, str(db)], listener)
            workers.append((pid, listener))
        for pid, listener in workers:
            status, body = get(listener.getsockname()[1], page)
            if status != 200:
                sys.exit(f"{page}: HTTP {status}: {body[:300]!r}")
        # An idle worker gives back memory after --idle-release-ms (default 10 s) without
        # requests: its read connections, parsed templates and freed heap.
        time.sleep(IDLE_RELEASE_S + 1)  # let each worker go idle before reading its memory
        maps = [smaps(pid) for pid, _ in workers]
    finally:
        for pid, listener in workers:
            kill_and_cpu_ms(pid)
            listener.close()
    kb = lambda key: [m.get(key, 0) for m in maps]  # noqa: E731
    return {"count": count, "rss_mb": sum(kb("Rss")) / 1024, "pss_mb": sum(kb("Pss")) / 1024,
            "private_dirty_kb": statistics.median(kb("Private_Dirty")),
            "anon_kb": statistics.median(kb("Anonymous")),
            "rss_one_mb": statistics.median(kb("Rss")) / 1024,
            "pss_one_mb": statistics.median(kb("Pss")) / 1024}


def markdown(res, args):
    s = res["startup"]
    load = ", ".join(f"{x:.2f}" for x in res["load"])
    out = [f"`bench/workers.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load "
           f"average {load}; {Path(args.binary).name} serving {Path(args.db).name}, "
           f"`serve --fd 3 {' '.join(WORKER_ARGS)}`)", "",
           "| startup to first answer (`GET /-/versions.json`) | min | median |",
           "| --- | --- | --- |",
           f"| wall time, exec until the answer | {s['wall_min']:.1f} ms | "
           f"{s['wall_median']:.1f} ms |",
           f"| the worker's CPU time (user + system) until the answer | {s['cpu_min']:.1f} ms | "
           f"{s['cpu_median']:.1f} ms |",
           f"| floor: spawning `/bin/true` the same way | {s['true_min']:.1f} ms | "
           f"{s['true_median']:.1f} ms |", "",
           f"| workers (each after its first page, `{args.page}`) | Private_Dirty per worker "
           "| RSS per worker | PSS per worker | RSS, all | PSS, all |",
           "| --- | --- | --- | --- | --- | --- |"]
    for f in res["footprint"]:
        out.append(f"| {f['count']} | {f['private_dirty_kb'] / 1024:.2f} MB | "
                   f"{f['rss_one_mb']:.1f} MB | {f['pss_one_mb']:.2f} MB | "
                   f"{f['rss_mb']:.0f} MB | {f['pss_mb']:.0f} MB |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=str(ROOT / "build" / "almanac"))
    ap.add_argument("--db", default=str(ROOT / "build" / "demo.db"))
    ap.add_argument("--counts", default="1,10,100")
    ap.add_argument("--runs", type=int, default=20, help="startups measured")
    ap.add_argument("--startup-path", default="/-/versions.json")
    ap.add_argument("--page", default="/demo/service_requests")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()
    res = {"load": os.getloadavg(), "startup": startup(args.binary, args.db, args.runs,
                                                        args.startup_path)}
    res["footprint"] = [footprint(args.binary, args.db, int(n), args.page)
                        for n in args.counts.split(",")]
    text = markdown(res, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
