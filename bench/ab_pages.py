#!/usr/bin/env python3
"""bench/ab_pages.py: the JSON page scenarios of bench/run (table page, row, ?sql= query:
1,000 distinct pages each, wrk beside nginx serving the same bytes) for two almanac binaries
in one run, wrk runs interleaved (before, after, nginx; round after round) so that the
machine's load falls on all three. Besides req/s it reports each server's CPU time per
request (user + system, from /proc), which a loaded machine disturbs far less than req/s.
Checks that both binaries answer every page with the same bytes (after blanking the port in
URLs and the row page's query_ms).

    bench/ab_pages.py --before OLD_BINARY --after NEW_BINARY [--rounds 3] [--duration 3]
"""
import argparse
import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import data, scenarios, servers, wrk  # noqa: E402

KINDS = ("table", "row", "query", "html", "gzip")
LABELS = {"table": "table JSON", "row": "row JSON", "query": "query JSON", "html": "table HTML",
          "gzip": "table JSON gzip'd"}
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of process `pid` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def normalised(body, kind):
    if kind == "gzip":
        body = gzip.decompress(body)
    body = re.sub(rb"127\.0\.0\.1:\d+", b"HOST", body)
    return re.sub(rb'"query_ms": [0-9.e+-]+', b'"query_ms": 0', body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=3)
    ap.add_argument("--connections", type=int, default=8)
    args = ap.parse_args()
    binaries = {n: str(Path(getattr(args, n)).resolve()) for n in ("before", "after")}
    big = data.big_db()
    load_start = os.getloadavg()
    kinds = scenarios.page_paths()
    figures = {n: {k: [] for k in KINDS} for n in ("before", "after", "nginx")}
    same = {}
    with tempfile.TemporaryDirectory(prefix="almanac-ab-") as tmp:
        work = Path(tmp)
        copies = {}
        for name in ("before", "after"):
            (work / name).mkdir()
            copies[name] = data.working_copy(big, work / name)  # served as "big" by both
        with servers.Almanac(binaries["before"], [str(copies["before"])], work / "before") \
                as before, \
                servers.Almanac(binaries["after"], [str(copies["after"])], work / "after") \
                as after:
            www = work / "www"
            mirrored = {k: scenarios.mirror(after, v, www, k) for k, v in kinds.items()}
            for k, paths in kinds.items():
                ca, cb = servers.Client(before.url), servers.Client(after.url)
                headers = scenarios.HEADERS.get(k)
                same[k] = all(normalised(ca.get(p, headers)[2], k) ==
                              normalised(cb.get(p, headers)[2], k) for p in paths)
                ca.close()
                cb.close()
            with servers.Nginx(work / "nginx", www) as nginx:
                for _ in range(args.rounds):
                    for k, paths in kinds.items():
                        listed = scenarios.write_paths(work, f"almanac-{k}", paths)
                        for name, server in (("before", before), ("after", after)):
                            cpu = cpu_seconds(server.pid)
                            result = wrk.run(server.url, listed, args.duration, args.connections,
                                             headers=scenarios.HEADERS.get(k))
                            result["cpu_us"] = ((cpu_seconds(server.pid) - cpu) * 1e6 /
                                                max(result["requests"], 1))
                            figures[name][k].append(result)
                        listed = scenarios.write_paths(work, f"nginx-{k}", mirrored[k])
                        figures["nginx"][k].append(wrk.run(nginx.url, listed, args.duration,
                                                           args.connections,
                                                           headers=scenarios.HEADERS.get(k)))
    load_end = os.getloadavg()
    print(f"load average: start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}, "
          f"end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}; {args.rounds} rounds, "
          f"wrk -t1 -c{args.connections}, {args.duration} s per run\n")
    print("| page | nginx req/s | before req/s | ratio | CPU/request | after req/s | ratio "
          "| CPU/request | bodies identical |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for k in KINDS:
        ngx = sum(x["rps"] for x in figures["nginx"][k]) / args.rounds
        cells = []
        for name in ("before", "after"):
            runs = figures[name][k]
            rps = sum(x["rps"] for x in runs) / args.rounds
            cpu = sum(x["cpu_us"] for x in runs) / args.rounds
            per_round = ", ".join(f"{x['rps'] / n['rps']:.2f}"
                                  for x, n in zip(runs, figures["nginx"][k]))
            cells.append(f"{rps:,.0f} | {rps / ngx:.2f}× ({per_round}) | {cpu:.0f} µs")
        print(f"| {LABELS[k]} | {ngx:,.0f} | {cells[0]} | {cells[1]} | "
              f"{'yes' if same[k] else '**no**'} |")
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
