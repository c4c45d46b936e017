#!/usr/bin/env python3
"""Replays the Datasette 1.0a37 conformance corpus against a fresh almanac (a CTest test).

Serves the conformance databases the way they were recorded (../shared/conformance/README.md),
replays golden-read.jsonl then golden-write.jsonl, and fails when
  - a record fails that is not in tests/compat/expected-failures-{read,write}.txt, or
  - a record listed there passes (the lists only ever shrink: remove it).
Prints the pass counts.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
from almanac_server import AlmanacServer, copy_conformance_fixtures  # noqa: E402


def replay(conformance, base, corpus, expected):
    cmd = [sys.executable, str(conformance / "replay"), "--base", base,
           "--expect-failures", str(expected), "--show", "50", str(conformance / corpus)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    ratchet_ok = "now passing" not in result.stdout
    if not ratchet_ok:
        print(f"{expected.name}: records listed as expected failures now pass; remove them")
    return result.returncode == 0 and ratchet_ok


def main():
    with tempfile.TemporaryDirectory(prefix="almanac-conformance-") as tmp:
        conformance = copy_conformance_fixtures(tmp)
        args = ["fixtures.db", "extra database.db", "scratch.db", "--create",
                "-c", "fixtures-config.json", "-m", "fixtures-metadata.json",
                "--secret", "conformance-secret", "--root"]
        with AlmanacServer(args, cwd=tmp) as server:
            ok_read = replay(conformance, server.url, "golden-read.jsonl",
                             HERE / "expected-failures-read.txt")
            ok_write = replay(conformance, server.url, "golden-write.jsonl",
                              HERE / "expected-failures-write.txt")
            alive = server.process.poll() is None
        if not alive:
            print("the server died during the replay")
        return 0 if ok_read and ok_write and alive else 1


if __name__ == "__main__":
    sys.exit(main())
