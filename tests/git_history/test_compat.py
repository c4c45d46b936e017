"""`almanac git-history file` writes what the real git-history writes: the same tables, schema
text, rows, view and indexes, over the repositories in repos.py (expected/ holds git-history's
output; generate_expected.py made it). Almanac's own additions are left out of the comparison
(the <ns>_removed table) and the documented differences are asserted one by one."""
import json
import sqlite3
from pathlib import Path

import pytest

from repos import dump, git
from scenarios import SCENARIOS, expand

EXPECTED = Path(__file__).resolve().parent / "expected"


def run_scenario(almanac, repos_built, tmp_path, name):
    scenario = SCENARIOS[name]
    repo, hashes = repos_built[scenario["repo"]]
    db = tmp_path / f"{name}.db"
    for run in scenario["runs"]:
        args = expand(run, "ours", hashes)
        almanac("file", db, args[0], *args[1:], "--repo", repo)
    return db, repo


def removed_tables(db):
    conn = sqlite3.connect(db)
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'table' and name like '%\\_removed' "
        "escape '\\'")]
    conn.close()
    return names


def with_git_commit_times(expected, repo):
    """git-history's commit_at, with git's own offsets: GitPython 3.1.30 reads +05:30 as
    +05:18 (fixed upstream in gitpython-developers/GitPython#1547); Almanac writes git's value."""
    correct = {}
    for line in git(repo, "log", "--all", "--format=%H %cI").splitlines():
        commit, at = line.split()
        correct[commit] = at
    fixed = 0
    for name, rows in expected["tables"].items():
        if not isinstance(rows, list):
            continue
        header = rows[0]
        hash_at = header.index("hash") if name == "commits" else (
            header.index("_commit_hash") if "_commit_hash" in header else None)
        if hash_at is None:
            continue
        at_at = header.index("commit_at" if name == "commits" else "_commit_at")
        for row in rows[1:]:
            if row[at_at] != correct[row[hash_at]]:
                assert not correct[row[hash_at]].endswith(":00"), row  # only odd offsets
                row[at_at] = correct[row[hash_at]]
                fixed += 1
    return fixed


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if not s.get("differs")])
def test_same_tables_as_git_history(almanac, repos_built, tmp_path, name):
    db, repo = run_scenario(almanac, repos_built, tmp_path, name)
    expected = json.loads((EXPECTED / f"{name}.json").read_text())
    with_git_commit_times(expected, repo)
    actual = dump(db, skip_tables=removed_tables(db))
    assert actual["schema"] == expected["schema"]
    for table, rows in expected["tables"].items():
        assert actual["tables"][table] == rows, table


def test_odd_offsets_are_written_as_git_has_them(almanac, repos_built, tmp_path):
    db, repo = run_scenario(almanac, repos_built, tmp_path, "scrape_id")
    expected = json.loads((EXPECTED / "scrape_id.json").read_text())
    assert with_git_commit_times(expected, repo) > 0  # git-history got some of them wrong
    rows = sqlite3.connect(db).execute("select commit_at from commits order by id").fetchall()
    assert [r[0] for r in rows] == [
        "2021-01-01T10:00:00+05:30", "2021-01-02T10:00:00-07:00", "2021-01-03T10:00:00+00:00",
        "2021-01-04T10:00:00+09:45", "2021-01-06T10:00:00+01:00", "2021-01-07T10:00:00-03:30"]


def versions(db, ns="item"):
    conn = sqlite3.connect(db)
    rows = conn.execute(f"select _version, _changed_columns from {ns}_version_detail "
                        "order by _item, _version").fetchall()
    conn.close()
    return [(v, sorted(json.loads(c))) for v, c in rows]


def test_a_number_written_as_5_0_is_not_a_new_version(almanac, repos_built, tmp_path):
    db, _ = run_scenario(almanac, repos_built, tmp_path, "numbers")
    expected = json.loads((EXPECTED / "numbers.json").read_text())
    theirs = [(r[expected["tables"]["item_version_detail"][0].index("_version")], r[-1])
              for r in expected["tables"]["item_version_detail"][1:]]
    # git-history records 5 -> 5.0 as a version in which nothing changed.
    assert theirs == [(1, ["id", "v", "w"]), (2, []), (3, ["v"])]
    assert versions(db) == [(1, ["id", "v", "w"]), (2, ["v"])]


def test_a_key_that_disappears_is_null_in_the_item_and_changes_once(almanac, repos_built,
                                                                     tmp_path):
    db, _ = run_scenario(almanac, repos_built, tmp_path, "vanish")
    expected = json.loads((EXPECTED / "vanish.json").read_text())
    item_header, *items = expected["tables"]["item"]
    # git-history keeps the stale value in `item` and records "b" as changed again in v3.
    assert items[0][item_header.index("b")] == 2
    assert expected["tables"]["item_changed"] == [
        ["item_version", "column"], [1, "a"], [1, "b"], [1, "id"], [2, "b"], [3, "a"], [3, "b"]]
    assert versions(db) == [(1, ["a", "b", "id"]), (2, ["b"]), (3, ["a"])]
    row = sqlite3.connect(db).execute("select a, b from item").fetchone()
    assert row == (2, None)
