"""Fixtures: the repositories of repos.py, built once per session, and `almanac(...)`, which
runs `almanac git-history` and fails the test when it exits non-zero."""
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "support"))
import repos  # noqa: E402
from almanac_server import almanac_binary  # noqa: E402


@pytest.fixture(scope="session")
def repos_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("repos")
    built = {}
    for name, commits in {"scrape": repos.SCRAPE, "edges": repos.EDGES, "csv": repos.CSV}.items():
        built[name] = (root / name, repos.make(root / name, commits))
    return built


def run_almanac(*args, cwd=None, check=True):
    result = subprocess.run([almanac_binary(), "git-history", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


@pytest.fixture
def almanac():
    return run_almanac
