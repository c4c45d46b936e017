"""bench/results/latest.md: the figures of one bench/run, the machine, and the targets."""
import os
import platform
import subprocess
import time

from . import servers


def _version(cmd):
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (res.stdout + res.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def machine(binary):
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return [
        f"- {os.cpu_count()} cores, {model}, {mem_kb / 1048576:.1f} GiB RAM (shared with other "
        "work: figures are noisy, ±15% between runs)",
        f"- kernel {platform.release()}, {_version(['sh', '-c', '. /etc/os-release; echo $PRETTY_NAME'])}",
        f"- almanac {_version([binary, '--version'])} (RelWithDebInfo), "
        f"{_version([servers.nginx_binary(), '-v'])}, sqlite3 {_version(['sqlite3', '--version']).split()[0]}, "
        f"{_version(['wrk', '-v'])}",
        f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
    ]


def _ratio(a, b):
    return a / b if b else float("nan")


def _mark(ok):
    return "met" if ok else "**not met**"


def http_rows(http):
    rows, targets = [], []
    # Issue 11's targets, each against nginx serving the same bytes.
    names = {"table": ("table page JSON (100 rows)", 0.5), "row": ("row JSON", 0.75),
             "query": ("`?sql=` query JSON (20 rows)", 0.5),
             "html": ("table page HTML (100 rows)", 0.25),
             "gzip": ("table page JSON gzip'd (100 rows)", 0.35)}
    for k, (label, target) in names.items():
        if k not in http:
            continue
        a, n = http[k]["almanac"], http[k]["nginx"]
        r = _ratio(a["rps"], n["rps"])
        err = f" ({a['errors'].strip()})" if a["errors"].strip() else ""
        rows.append(f"| {label}, {http[k]['bytes'] / 1024:.1f} KB | {a['rps']:,.0f} req/s, "
                    f"p50 {a['p50']:.2f} / p99 {a['p99']:.2f} ms{err} | {n['rps']:,.0f} req/s, "
                    f"p50 {n['p50']:.2f} / p99 {n['p99']:.2f} ms | {r:.2f}× |")
        targets.append((f"{label} ≥ {target}× nginx", r >= target, f"{r:.2f}×"))
    return rows, targets


def big_rows(big, label):
    rows, targets = [], []
    for k, what, sql in (("facet", "facet on the category column (`?_facet=d`)",
                          "GROUP BY d"),
                         ("count", "filtered count (`?b__lt=5000&_extra=count`, a full scan)",
                          "capped count(*) WHERE b < 5000")):
        f = big[k]
        r = _ratio(f["cold_ms"], f["cli_ms"])
        n = f" = {f['count']:,}" if f.get("count") is not None else ""
        rows.append(f"| {what}{n}, {label} rows | cold {f['cold_ms']:.1f} ms, cached "
                    f"{f['cached_ms']:.1f} ms | {f['cli_ms']:.1f} ms (`sqlite3`, {sql}) | "
                    f"{r:.2f}× (cold) |")
        targets.append((f"{k} {label} cold ≤ 1.3× sqlite3 CLI", r <= 1.3, f"{r:.2f}×"))
    return rows, targets


# What the profile shows and what would close the gap, for targets a run may miss (written from
# perf profiles on the 2-core VM; see docs/performance.md).
NOTES = {
    "table": "perf (2026-12-07, 120 µs of server CPU per 11.6 KB page): almanac's code 37% "
             "(JSON writing ~15%: string escaping, separators, numbers; routing and the "
             "permission check), SQLite 29%, libc 14% (memmove, malloc/free), kernel 15%. Rows "
             "already go from sqlite3_column_* straight into the body, in one read transaction "
             "with one file lock per request. The floor: bench/micro's BM_FloorTablePage, "
             "SQLite alone stepping the same 101 rows (memory-mapped; no JSON, no HTTP), takes "
             "~53 µs. nginx serves the page at ~100k req/s on these two cores, so 0.5× "
             "(~50k req/s) leaves ~40 µs of CPU a request for server, kernel and wrk together: "
             "less than SQLite alone needs. Not closable on this machine with SQLite as the "
             "engine.",
    "html": "The HTML page does all of the JSON page's work (the same rows, read through the "
            "page model) plus mustache rendering of 100 rows (~2,000 req/s since templates are "
            "parsed once and kept, and rows moved, not copied, into the template data). 0.25× "
            "of nginx here (~70k req/s for the 27 KB page) would be more requests per second "
            "than the JSON page alone reaches, and that one is bounded by SQLite (see the "
            "table page): not closable on this machine.",
    "gzip": "zlib (level 1, deflate state reused between pages) over each 11.6 KB page on top "
            "of all of the JSON page's work, against nginx sending stored compressed bytes. "
            "0.35× of nginx here (~76k req/s) would be more requests per second than the "
            "uncompressed JSON page reaches, which is bounded by SQLite (see the table page): "
            "not closable on this machine.",
    "query": "~50 µs of server CPU per 1.9 KB page; the floor (bench/micro's "
             "BM_FloorQueryPage: SQLite alone on the 20 rows) is ~13 µs, and the kernel's "
             "share of a small answer on loopback is ~15 µs (the row page's profile: the "
             "socket write wakes wrk, and the VM's paravirtual IRQ restore costs ~17% of all "
             "samples). 0.5× of nginx's ~100k req/s leaves ~40 µs a request for server, "
             "kernel and wrk (~10 µs: nginx and wrk together take ~20 µs a request): what is "
             "left for HTTP parsing, routing, permissions and JSON is a few µs. Not closable "
             "on this machine.",
    "row": "~33 µs of server CPU per request: kernel 45% (the socket write waking wrk: the "
           "VM's IRQ restore alone is 17%), almanac 23%, libc 15%, SQLite 15% (floor "
           "~5 µs, bench/micro's BM_FloorRowPage). 0.75× of nginx's ~100k req/s leaves ~27 "
           "µs a request for server, kernel and wrk together: less than the kernel's share "
           "plus wrk's. Not closable on this machine.",
    "count": "Only on the cold request, and only at 10M rows (1M: ~0.9×; cached: <1 ms): the "
             "first request after a start also opens the read and monitor connections, loads "
             "the schema, and touches each page of its scan for the first time through the "
             "1 GB memory map (a page fault per 4 KB page; the CLI reads with pread into its "
             "cache). Varies 1.1-1.5× between runs. Closing it: open connections and load "
             "the schema at startup, and read cold scans without the map (as CSV streams "
             "now do) or madvise(WILLNEED) the mapping.",
    "slow": "The slow queries run on the slow lane's threads at nice +5, but on 2 cores "
            "8 CPU-bound queries still take CPU time from the I/O threads whenever they are "
            "runnable; each slow query also spends its first --slow-lane-ms (20 ms) on an I/O "
            "thread before it moves.",
    "idle": "Anonymous memory is ~1 MB; the rest of RSS is shared library text mapped from "
            "the page cache (almanac, libstdc++, libc, libsqlite3: kernel fault-around maps "
            "64 KB per touched page), shared between processes of one binary: PSS is "
            "reported beside it, and bench/workers.py gives what one more worker costs "
            "(Private_Dirty).",
}


def _notes(targets):
    out = []
    keys = {"row JSON p99": "slow", "table page HTML": "html", "table page JSON gzip": "gzip",
            "table page": "table", "`?sql=`": "query", "row JSON": "row", "idle RSS": "idle",
            "count": "count", "facet": "count"}
    for name, ok, value in targets:
        if ok:
            continue
        for prefix, key in keys.items():
            if name.startswith(prefix):
                out.append(f"- **{name}** (measured {value}): {NOTES[key]}")
                break
    return out


def markdown(res, binary):
    args = res["args"]
    out = ["# bench/run: latest results", "",
           "Produced by `bench/run` (docs/performance.md). Ratios are almanac ÷ the limit "
           "(higher is better for throughput, lower for times).", "", "## Machine", ""]
    out += machine(binary)
    if res.get("load"):
        out.append("- load average when the run started: "
                   + ", ".join(f"{x:.2f}" for x in res["load"]) + " (1, 5, 15 min)")
    out += ["", "## Scenarios", "",
            f"wrk: 1 thread, {args['connections']} connections, {args['duration']} s per run, "
            "cycling through 1,000 distinct pages (bench/cycle.lua); nginx (Debian, one worker "
            "per core, sendfile) serves the exact bytes almanac produced for the same 1,000 "
            "pages.", "",
            "| scenario | almanac | limit measured alongside | ratio |",
            "| --- | --- | --- | --- |"]
    targets = []
    rows, t = http_rows(res["http"])
    out += rows
    targets += t
    if res.get("slow"):
        s = res["slow"]
        on, off = s["on"], s["off"]
        out.append(f"| row JSON beside {s['clients']} clients looping a ~0.8 s query "
                   f"(slow lane on) | {on['rps']:,.0f} req/s, p50 {on['p50']:.2f} / p99 "
                   f"{on['p99']:.2f} ms; slow queries: {on['slow_ok']} answered, "
                   f"{on['slow_errors']} errors, p50 {on['slow_p50_ms']:.0f} ms | without the "
                   f"slow lane (`--slow-lane-ms 0`): {off['rps']:,.0f} req/s, p50 "
                   f"{off['p50']:.2f} / p99 {off['p99']:.2f} ms; slow queries: {off['slow_ok']} "
                   f"answered, p50 {off['slow_p50_ms']:.0f} ms | |")
        targets.append((f"row JSON p99 beside {s['clients']} slow queries ≤ 50 ms",
                        on["p99"] <= 50, f"{on['p99']:.1f} ms"))
    rows, t = big_rows(res["big"], "1M")
    out += rows
    targets += t
    c = res["csv"]
    r = _ratio(c["mb_s"], c["cli_mb_s"])
    out.append(f"| CSV `_stream=on`, {c['rows']:,} rows | {c['mb_s']:.0f} MB/s, peak RSS "
               f"{c['peak_rss_mb']:.1f} MB | {c['cli_mb_s']:.0f} MB/s (`sqlite3 -csv` to "
               f"/dev/null) | {r:.2f}× |")
    targets.append(("CSV ≥ 0.5× sqlite3 -csv", r >= 0.5, f"{r:.2f}×"))
    targets.append(("CSV peak RSS < 64 MB", c["peak_rss_mb"] < 64, f"{c['peak_rss_mb']:.1f} MB"))
    i = res["insert"]
    r = _ratio(i["rows_s"], i["cli_rows_s"])
    out.append(f"| write API insert, 100k rows (batches of {i['batch']}) | {i['rows_s']:,.0f} "
               f"rows/s | {i['cli_rows_s']:,.0f} rows/s (`sqlite3`, one transaction, WAL) | "
               f"{r:.2f}× |")
    targets.append(("inserts ≥ 0.3× CLI", r >= 0.3, f"{r:.2f}×"))
    d = res["idle"]
    out.append(f"| idle RSS, startup time | RSS {d['idle_rss_mb']:.1f} MB (PSS "
               f"{d['idle_pss_mb']:.1f} MB, anonymous {d['idle_anon_mb']:.1f} MB), "
               f"{d['startup_ms']:.1f} ms (median {d['startup_median_ms']:.1f}) | — | |")
    targets.append(("idle RSS ≤ 10 MB", d["idle_rss_mb"] <= 10, f"{d['idle_rss_mb']:.1f} MB"))
    targets.append(("startup ≤ 10 ms", d["startup_ms"] <= 10, f"{d['startup_ms']:.1f} ms"))
    m = res["many"]
    out.append(f"| database page, 501 tables (one of 1M rows) | cold {m['cold_ms']:.1f} ms, "
               f"cached {m['cached_ms']:.1f} ms | — | |")
    if res.get("big10m"):
        rows, t = big_rows(res["big10m"], "10M")
        out += rows
        targets += t
    else:
        out.append("| facet / count, 10M rows | not run (opt-in: `bench/run --big10m`; "
                   "generating the data takes about a minute) | | |")
    out += ["", f"almanac peak RSS during the wrk runs: {res['http']['peak_rss_mb']:.1f} MB. "
            "Cold = the first request after the server started (its caches empty; the OS page "
            "cache is warm for both sides); cached = best of 5 repeats. Startup = exec until "
            "the first answered request, best of 5.", "", "## Targets", "",
            "| target | measured | |", "| --- | --- | --- |"]
    out += [f"| {name} | {value} | {_mark(ok)} |" for name, ok, value in targets]
    notes = _notes(targets)
    if notes:
        out += ["", "### Targets not met: what the profile shows, what would close it", ""]
        out += notes
    if res.get("micro"):
        out += ["", "## Micro-benchmarks (Google Benchmark)", "", "```", res["micro"], "```"]
    out += ["", f"Whole run: {res['elapsed_s']:.0f} s.", ""]
    return "\n".join(out)
