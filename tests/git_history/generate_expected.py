"""Writes expected/<scenario>.json by running the real git-history over the test repositories.

    GIT_HISTORY="/path/to/git-history" /usr/bin/python3 tests/git_history/generate_expected.py

The committed files were made with git-history 0.7a0 (simonw/git-history 66281b8) on Debian 12's
python3-git 3.1.30 and click 8.1.3, with sqlite-utils 4.2.1 (simonw/sqlite-utils 56dd097) from
source, run as `PYTHONPATH=git-history:sqlite-utils python3 -c 'from git_history.cli import
cli; cli()'` with PYTHONHASHSEED=0. See README.md beside this file."""
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import repos  # noqa: E402
from scenarios import SCENARIOS, expand  # noqa: E402


def main():
    tool = shlex.split(os.environ["GIT_HISTORY"])
    out = HERE / "expected"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        built = {"scrape": repos.SCRAPE, "edges": repos.EDGES, "csv": repos.CSV}
        hashes = {name: repos.make(Path(tmp) / name, commits) for name, commits in built.items()}
        for name, scenario in SCENARIOS.items():
            repo = Path(tmp) / scenario["repo"]
            db = Path(tmp) / f"{name}.db"
            for run in scenario["runs"]:
                args = expand(run, "theirs", hashes[scenario["repo"]])
                args[0] = str(repo / args[0])
                subprocess.run([*tool, "file", str(db), *args, "--repo", str(repo), "--silent"],
                               check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            (out / f"{name}.json").write_text(
                json.dumps(repos.dump(db), indent=1, ensure_ascii=False) + "\n")
            print("wrote", name)


if __name__ == "__main__":
    main()
