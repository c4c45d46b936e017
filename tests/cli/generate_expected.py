#!/usr/bin/python3
"""Records sqlite-utils 4.2.1's results for every case in compat_cases.py into expected/.

    SQLITE_UTILS_SRC=/path/to/sqlite-utils-4.2.1 /usr/bin/python3 tests/cli/generate_expected.py

SQLITE_UTILS_SRC is a checkout of https://github.com/simonw/sqlite-utils at tag 4.2.1 (commit
28dc627); it runs on Debian 12's Python with Debian's python3-click, python3-click-default-group,
python3-sqlite-fts4, python3-tabulate, python3-dateutil and python3-pluggy (apt), through
PYTHONPATH. Run it again only to refresh the recordings; test_compat.py never needs sqlite-utils.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from compat_cases import CASES, DIFFERS
from runner import run_case

HERE = Path(__file__).resolve().parent


def main():
    src = os.environ.get("SQLITE_UTILS_SRC")
    if not src or not (Path(src) / "sqlite_utils" / "cli.py").exists():
        sys.exit("Set SQLITE_UTILS_SRC to a sqlite-utils 4.2.1 source checkout")
    env = dict(os.environ, PYTHONPATH=src)
    check = subprocess.run(["/usr/bin/python3", "-c", "import sqlite_utils; print(sqlite_utils.__file__)"],
                           env=env, capture_output=True, text=True, check=True)
    assert check.stdout.startswith(src), check.stdout
    command = ["/usr/bin/python3", "-m", "sqlite_utils"]
    out_dir = HERE / "expected"
    out_dir.mkdir(exist_ok=True)
    cases = dict(CASES)
    cases.update({name: steps for name, (steps, _, _) in DIFFERS.items()})
    for name, steps in sorted(cases.items()):
        result = run_case(steps, command, env)
        result["generated_by"] = ("sqlite-utils 4.2.1 via tests/cli/generate_expected.py "
                                  "(see its docstring)")
        (out_dir / f"{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(name, result["steps"])


if __name__ == "__main__":
    main()
