"""almanac's insert/upsert (and the other data commands) against sqlite-utils 4.2.1's recorded
results (expected/, made by generate_expected.py): same tables, same CREATE TABLE text, same
rows, same success or failure — except the deliberate differences of docs/compat.md."""
import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "support"))

from almanac_server import almanac_binary  # noqa: E402
from compat_cases import CASES, DIFFERS  # noqa: E402
from runner import run_case  # noqa: E402


def expected(name):
    recorded = json.loads((HERE / "expected" / f"{name}.json").read_text())
    recorded.pop("generated_by")
    return recorded


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_sqlite_utils(name):
    ours = run_case(CASES[name], [almanac_binary()])
    assert ours == expected(name)


@pytest.mark.parametrize("name", sorted(DIFFERS))
def test_deliberate_difference(name):
    steps, why, check = DIFFERS[name]
    ours = run_case(steps, [almanac_binary()])
    assert ours != expected(name), f"sqlite-utils now agrees ({why}): move {name} to CASES"
    assert check(ours), (why, ours)


def test_every_case_has_a_recording():
    recorded = {p.stem for p in (HERE / "expected").glob("*.json")}
    assert recorded == set(CASES) | set(DIFFERS)
