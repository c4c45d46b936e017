#!/usr/bin/env python3
"""bench/git_history.py: `almanac git-history file` against the real git-history on a
generated scrape, written to bench/results/git-history.md (docs/git-history.md explains).

    bench/git_history.py [--commits 10000] [--theirs-commits 1000] [--git-history CMD]

The repository (cached in build/bench-data/git-history/) holds one ~200 KB JSON file of
~1,000 items committed --commits times, a few percent of the items changing per commit and
an item appearing or vanishing now and then; it is packed with `git gc`. Almanac imports the
whole history; git-history (CMD, e.g. "env PYTHONPATH=gh:su python3 -c 'from
git_history.cli import cli; cli()'") imports the first --theirs-commits commits, since it is
much slower; both are compared per commit. Then 10 commits are added to a copy of the
repository and almanac re-runs incrementally.
"""
import argparse
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Scraper", "GIT_AUTHOR_EMAIL": "s@example.com",
       "GIT_COMMITTER_NAME": "Scraper", "GIT_COMMITTER_EMAIL": "s@example.com",
       "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
STATUSES = ["ok", "ok", "ok", "degraded", "offline", "maintenance"]


def station(rng, i):
    return {"id": i, "name": f"Station {i} – {rng.choice(['Nord', 'Süd', 'East', 'West'])}",
            "lat": round(rng.uniform(-60, 60), 6), "lon": round(rng.uniform(-180, 180), 6),
            "status": rng.choice(STATUSES), "bikes": rng.randint(0, 40),
            "docks": rng.randint(0, 40), "updated": "2024-01-01T00:00:00Z",
            "tags": rng.sample(["solar", "ebike", "covered", "24h", "card"], 2)}


def versions(count, seed=42):
    """Yields the file's text for each commit."""
    rng = random.Random(seed)
    items = [station(rng, i) for i in range(1000)]
    next_id = 1000
    for n in range(count):
        for item in rng.sample(items, 30):  # ~3% change
            item["bikes"] = rng.randint(0, 40)
            item["updated"] = f"2024-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
            if rng.random() < 0.1:
                item["status"] = rng.choice(STATUSES)
        if n % 10 == 5:
            items.pop(rng.randrange(len(items)))
        if n % 10 == 0:
            items.insert(rng.randrange(len(items)), station(rng, next_id))
            next_id += 1
        yield json.dumps(items, indent=1, ensure_ascii=False) + "\n"


def fast_import(repo, count, start=0, parent=None):
    """Commits `count` versions with git fast-import (one process, not one per commit)."""
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, env=ENV,
                            stdin=subprocess.PIPE)
    texts = versions(start + count)
    for _ in range(start):
        next(texts)
    for n, text in enumerate(texts, start):
        data = text.encode()
        when = 1700000000 + n * 600
        head = f"commit refs/heads/main\ncommitter Scraper <s@example.com> {when} +0100\n"
        head += f"data 6\nscrape\n"
        if n == start and parent:
            head += f"from {parent}\n"
        proc.stdin.write(head.encode())
        proc.stdin.write(b"M 100644 inline stations.json\n" + f"data {len(data)}\n".encode())
        proc.stdin.write(data + b"\n")
    proc.stdin.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True,
                          text=True).stdout.strip()


def make_repo(path, commits):
    marker = path / "done"
    if marker.exists() and marker.read_text() == str(commits):
        return
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    print(f"generating {commits} commits ...", file=sys.stderr)
    fast_import(path, commits)
    git(path, "gc", "-q")
    git(path, "reset", "-q", "--hard")
    marker.write_text(str(commits))


def timed(command, cwd=None):
    """Runs `command`; returns (seconds, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {command}")
    return seconds, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10000)
    parser.add_argument("--theirs-commits", type=int, default=1000)
    parser.add_argument("--git-history", default=os.environ.get("GIT_HISTORY"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "git-history.md"))
    args = parser.parse_args()
    almanac = str(ROOT / "build" / "almanac")
    work = ROOT / "build" / "bench-data" / "git-history"
    repo = work / f"repo-{args.commits}"
    make_repo(repo, args.commits)
    hashes = git(repo, "rev-list", "--reverse", "main").split()
    pack_mb = sum(f.stat().st_size for f in (repo / ".git" / "objects").rglob("*")
                  if f.is_file()) / 1e6
    file_kb = (repo / "stations.json").stat().st_size / 1e3
    rows = []

    def ours(db, branch, count):
        db.unlink(missing_ok=True)
        seconds, rss = timed([almanac, "git-history", "file", str(db), "stations.json", "--repo",
                              str(repo), "--id", "id", "--branch", branch, "--silent"])
        return seconds, rss, count

    db = work / "ours.db"
    s, rss, n = ours(db, "main", len(hashes))
    rows.append(("almanac, all commits", n, s, rss))
    theirs_n = min(args.theirs_commits, len(hashes))
    s1, rss1, _ = ours(work / "ours-first.db", hashes[theirs_n - 1], theirs_n)
    rows.append((f"almanac, first {theirs_n} commits", theirs_n, s1, rss1))
    if args.git_history:
        theirs_db = work / "theirs.db"
        theirs_db.unlink(missing_ok=True)
        command = shlex.split(args.git_history) + [
            "file", str(theirs_db), str(repo / "stations.json"), "--repo", str(repo), "--id",
            "id", "--branch", hashes[theirs_n - 1], "--silent"]
        s2, rss2 = timed(command)
        rows.append((f"git-history 0.7a0, first {theirs_n} commits", theirs_n, s2, rss2))

    # Incremental: 10 more commits on a copy, then a re-run.
    copy = work / "repo-incremental"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(repo, copy)
    fast_import(copy, 10, start=len(hashes), parent=hashes[-1])
    git(copy, "reset", "-q", "--hard")
    incremental, inc_rss = timed([almanac, "git-history", "file", str(db), "stations.json",
                                  "--repo", str(copy), "--id", "id", "--silent"])
    write_report(args, rows, incremental, inc_rss, file_kb, pack_mb, len(hashes))


def write_report(args, rows, incremental, inc_rss, file_kb, pack_mb, commits):
    lines = ["# git-history import: almanac and git-history", "",
             f"Produced by `bench/git_history.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
             f" (2 shared cores; load average {os.getloadavg()[0]:.2f}).", "",
             f"Repository: {commits:,} commits of `stations.json` (~{file_kb:.0f} KB, ~1,000 "
             f"items, 30 changing per commit, one added every 10 commits and one removed every "
             f"10), packed by `git gc`: {pack_mb:.1f} MB of objects. Both tools run with "
             "`--id id` on a new database.", "",
             "| run | commits | time | commits/s | MB/s of JSON | peak RSS |",
             "| --- | --- | --- | --- | --- | --- |"]
    per_commit = {}
    for name, n, seconds, rss in rows:
        per_commit[name] = seconds / n
        rate, mbs = n / seconds, n * file_kb / 1e3 / seconds
        lines.append(f"| {name} | {n:,} | {seconds:.2f} s | {rate:,.{0 if rate >= 10 else 2}f} | "
                     f"{mbs:,.{0 if mbs >= 10 else 2}f} | {rss:.1f} MB |")
    lines.append(f"| almanac, incremental re-run with 10 new commits | 10 | {incremental:.3f} s "
                 f"| | | {inc_rss:.1f} MB |")
    theirs = [k for k in per_commit if k.startswith("git-history")]
    ours_first = [k for k in per_commit if k.startswith("almanac, first")]
    if theirs:
        lines += ["", f"Per commit on the same first commits: almanac is "
                  f"**{per_commit[theirs[0]] / per_commit[ours_first[0]]:,.0f}×** faster than "
                  f"git-history ({per_commit[theirs[0]] * 1000:.1f} ms against "
                  f"{per_commit[ours_first[0]] * 1000:.2f} ms)."]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
