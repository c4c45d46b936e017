"""What `almanac git-history file` does beyond git-history: removals, unreadable versions,
items without ids, rewritten history, incremental runs, --items and --convert, keys that
differ only in normalisation or case, the progress bar."""
import os
import pty
import re
import sqlite3
import subprocess
import unicodedata
from pathlib import Path

import pytest

import repos
from conftest import run_almanac
from repos import dump

DAY = "2023-05-{:02d}T12:00:00+00:00"


def rows(db, sql):
    conn = sqlite3.connect(db)
    result = conn.execute(sql).fetchall()
    conn.close()
    return result


def scrape(tmp_path, *versions, name="data.json"):
    """A repository whose file `name` goes through `versions` (None deletes it)."""
    return repos.make(tmp_path / "repo",
                      [(DAY.format(i + 1), {name: v}) for i, v in enumerate(versions)])


def test_removed_items_are_recorded_with_when_they_came_back(almanac, repos_built, tmp_path):
    repo, hashes = repos_built["scrape"]
    db = tmp_path / "s.db"
    almanac("file", db, "items.json", "--id", "id", "--repo", repo)
    removed = rows(db, "select item.id, c1.hash, c2.hash from item_removed "
                       "join item on item._id = item_removed._item "
                       "join commits c1 on c1.id = item_removed._commit "
                       "left join commits c2 on c2.id = _restored_commit")
    assert removed == [(2, hashes[2], hashes[3])]


def test_an_item_still_gone_has_no_restored_commit(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1}, {"id": 2}], [{"id": 1}])
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--id", "id", "--repo", tmp_path / "repo")
    assert rows(db, "select _item, _commit, _restored_commit from item_removed") == [(2, 2, None)]


def test_invalid_json_stops_at_that_commit_unless_skipped(almanac, tmp_path):
    hashes = scrape(tmp_path, [{"id": 1, "v": 1}], '[{"id": 1, "v": ', [{"id": 1, "v": 3}])
    db = tmp_path / "d.db"
    repo = tmp_path / "repo"
    failed = run_almanac("file", db, "data.json", "--id", "id", "--repo", repo, check=False)
    assert failed.returncode == 1
    assert f"Commit {hashes[1]}" in failed.stderr and "Invalid JSON" in failed.stderr
    # The first commit was kept, nothing of the broken one.
    assert rows(db, "select hash from commits") == [(hashes[0],)]
    done = almanac("file", db, "data.json", "--id", "id", "--repo", repo, "--skip-invalid")
    assert f"Warning: Commit {hashes[1][:12]}: skipped this version" in done.stderr
    assert rows(db, "select v from item_version order by _id") == [(1,), (3,)]
    assert rows(db, "select count(*) from item_removed") == [(0,)]


def test_items_without_an_id_fail_or_are_skipped(almanac, tmp_path):
    hashes = scrape(tmp_path, [{"id": 1}, {"name": "no id"}])
    db = tmp_path / "d.db"
    repo = tmp_path / "repo"
    failed = run_almanac("file", db, "data.json", "--id", "id", "--repo", repo, check=False)
    assert failed.returncode == 1
    assert hashes[0] in failed.stderr and 'no "id"' in failed.stderr
    assert rows(db, "select name from sqlite_master where name = 'commits'") == []
    done = almanac("file", db, "data.json", "--id", "id", "--repo", repo, "--skip-invalid")
    assert 'skipped an item has no "id"' in done.stderr
    assert rows(db, "select id from item") == [(1,)]


def test_duplicate_ids_fail_without_the_flag(almanac, repos_built, tmp_path):
    repo, hashes = repos_built["edges"]
    failed = run_almanac("file", tmp_path / "d.db", "dupes.json", "--id", "id", "--repo", repo,
                         check=False)
    assert failed.returncode == 1
    assert hashes[0] in failed.stderr and "--ignore-duplicate-ids" in failed.stderr


def test_an_item_that_is_not_an_object_is_an_error(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1}, 5])
    failed = run_almanac("file", tmp_path / "d.db", "data.json", "--id", "id", "--repo",
                         tmp_path / "repo", check=False)
    assert failed.returncode == 1 and "not a JSON object" in failed.stderr


def test_rewritten_history_is_refused_then_allowed(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1, "v": 1}], [{"id": 1, "v": 2}])
    repo = tmp_path / "repo"
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--id", "id", "--repo", repo)
    repos.git(repo, "reset", "-q", "--hard", "HEAD~1")
    replaced = repos.commit(repo, {"data.json": [{"id": 1, "v": 20}]}, DAY.format(9))
    failed = run_almanac("file", db, "data.json", "--id", "id", "--repo", repo, check=False)
    assert failed.returncode == 1
    assert "rewritten" in failed.stderr and "--allow-rewritten" in failed.stderr
    assert rows(db, "select count(*) from commits") == [(2,)]
    almanac("file", db, "data.json", "--id", "id", "--repo", repo, "--allow-rewritten")
    assert rows(db, "select hash from commits order by id")[-1] == (replaced,)
    assert rows(db, "select v from item") == [(20,)]


def test_incremental_runs_add_only_new_commits(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1, "v": 1}], [{"id": 1, "v": 2}])
    repo = tmp_path / "repo"
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--id", "id", "--repo", repo)
    before = dump(db)
    almanac("file", db, "data.json", "--id", "id", "--repo", repo)
    assert dump(db) == before
    for day in (10, 11):
        repos.commit(repo, {"data.json": [{"id": 1, "v": day}, {"id": day}]}, DAY.format(day))
    almanac("file", db, "data.json", "--id", "id", "--repo", repo)
    assert rows(db, "select _version, v from item_version where _item = 1") == [
        (1, 1), (2, 2), (3, 10), (4, 11)]
    assert rows(db, "select _item, _commit, _restored_commit from item_removed") == [(2, 4, None)]


def test_items_pointer_and_convert_sql_give_the_same_tables(almanac, repos_built, tmp_path):
    repo, _ = repos_built["scrape"]
    pointer, sql = tmp_path / "p.db", tmp_path / "s.db"
    almanac("file", pointer, "nested.json", "--id", "id", "--items", "/incidents", "--repo", repo)
    almanac("file", sql, "nested.json", "--id", "id", "--repo", repo, "--convert",
            "select value ->> 'id' as id, value ->> 'name' as name, value ->> 'engines' "
            "as engines from json_each(:content, '$.incidents')")
    assert dump(sql) == dump(pointer)


def test_items_pointer_to_an_object_is_one_item(almanac, tmp_path):
    scrape(tmp_path, {"stats": {"users": 10, "posts": 3}}, {"stats": {"users": 12, "posts": 3}})
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--items", "/stats", "--repo", tmp_path / "repo")
    assert rows(db, "select users, posts, _commit from item") == [(10, 3, 1), (12, 3, 2)]
    failed = run_almanac("file", tmp_path / "e.db", "data.json", "--items", "/nope", "--repo",
                         tmp_path / "repo", check=False)
    assert failed.returncode == 1 and "Nothing at /nope" in failed.stderr


def test_convert_rejects_other_parameters_and_writes(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1}])
    for sql, message in [("select :other as x", ":other"),
                         ("delete from sqlite_master", "--convert")]:
        failed = run_almanac("file", tmp_path / "d.db", "data.json", "--convert", sql, "--repo",
                             tmp_path / "repo", check=False)
        assert failed.returncode == 1 and message in failed.stderr, failed.stderr


def test_nfc_and_nfd_keys_are_one_column(almanac, tmp_path):
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    scrape(tmp_path, [{"id": 1, nfc: "x"}], [{"id": 1, nfd: "x"}], [{"id": 1, nfd: "y"}])
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--id", "id", "--repo", tmp_path / "repo")
    assert rows(db, "select name from columns order by id") == [("id",), (nfc,)]
    assert rows(db, f'select _version, "{nfc}" from item_version') == [(1, "x"), (2, "y")]


def test_keys_differing_only_in_case_keep_the_first(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1, "Name": "a", "name": "b"}])
    db = tmp_path / "d.db"
    done = almanac("file", db, "data.json", "--id", "id", "--repo", tmp_path / "repo")
    assert 'dropped key "name"' in done.stderr
    assert rows(db, "select Name from item") == [("a",)]


def test_deleted_and_empty_versions_change_nothing(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1}], None, [{"id": 1}], "  \n", [{"id": 1}, {"id": 2}])
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--id", "id", "--repo", tmp_path / "repo")
    # git-history's rules: no commit row for the deletion; one for the empty version.
    assert rows(db, "select id from commits order by id") == [(1,), (2,), (3,), (4,)]
    assert rows(db, "select _item, _version, _commit from item_version") == [(1, 1, 1), (2, 1, 4)]
    assert rows(db, "select count(*) from item_removed") == [(0,)]


def test_file_paths_bare_repositories_and_other_branches(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1}], [{"id": 2}], name="sub/data.json")
    repo = tmp_path / "repo"
    repos.git(repo, "branch", "-m", "main", "master")  # no main: the checked-out branch
    almanac("file", tmp_path / "a.db", repo / "sub" / "data.json", "--repo", repo)
    almanac("file", tmp_path / "b.db", "sub/data.json", "--repo", repo)
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(tmp_path / "bare.git")],
                   check=True)
    almanac("file", tmp_path / "c.db", "sub/data.json", "--repo", tmp_path / "bare.git",
            "--branch", "master")
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db") == dump(tmp_path / "c.db")
    outside = run_almanac("file", tmp_path / "d.db", tmp_path / "a.db", "--repo", repo,
                          check=False)
    assert outside.returncode == 1 and "not inside the repository" in outside.stderr


def test_wal_and_usage_errors(almanac, tmp_path):
    scrape(tmp_path, [{"id": 1}])
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--repo", tmp_path / "repo", "--wal")
    assert rows(db, "pragma journal_mode") == [("wal",)]
    for args, message in [(["--csv", "--convert", "select 1"], "both --csv and --convert"),
                          (["--start-at", "a", "--start-after", "b"], "--start-at and"),
                          (["--items", "/x", "--convert", "select 1"], "--items")]:
        failed = run_almanac("file", db, "data.json", "--repo", tmp_path / "repo", *args,
                             check=False)
        assert failed.returncode == 2 and message in failed.stderr, failed.stderr
    unknown = run_almanac("file", db, "data.json", "--repo", tmp_path / "repo", "--start-at",
                          "nope", check=False)
    assert unknown.returncode == 1 and "nope" in unknown.stderr
    shared = run_almanac("file", db, "data.json", "--repo", tmp_path / "repo", "--namespace",
                         "Commits", check=False)
    assert shared.returncode == 1 and "names a shared table" in shared.stderr


def run_on_terminal(args):
    """Runs almanac with stderr on a pseudo-terminal; returns what it wrote there."""
    main, secondary = pty.openpty()
    from almanac_server import almanac_binary
    process = subprocess.Popen([almanac_binary(), "git-history", *map(str, args)],
                               stdout=subprocess.DEVNULL, stderr=secondary)
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(main)
    return process.returncode, output.decode()


def test_progress_bar_and_summary_on_a_terminal_only(almanac, tmp_path):
    scrape(tmp_path, *[[{"id": 1, "v": i}] for i in range(3)])
    repo = tmp_path / "repo"
    code, shown = run_on_terminal(["file", tmp_path / "a.db", "data.json", "--id", "id",
                                   "--repo", repo])
    assert code == 0
    assert re.search(r"\[#+\]  3/3  100%", shown), shown
    assert "Imported 3 commits, 1 new items, 3 item versions" in shown
    code, shown = run_on_terminal(["file", tmp_path / "b.db", "data.json", "--id", "id",
                                   "--repo", repo, "--silent"])
    assert code == 0 and shown == ""
    piped = almanac("file", tmp_path / "c.db", "data.json", "--id", "id", "--repo", repo)
    assert piped.stderr == "" and piped.stdout == ""


def test_every_flag_is_documented(almanac):
    help_text = almanac("file", "--help").stdout
    flags = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    docs = (Path(__file__).resolve().parents[2] / "docs" / "git-history.md").read_text()
    assert sorted(f for f in flags if f"`{f}" not in docs) == []


def test_history_with_merges_is_walked_as_git_rev_list_walks_it(almanac, tmp_path):
    repo = tmp_path / "repo"
    c = lambda files, day: repos.commit(repo, files, DAY.format(day))  # noqa: E731
    repos.make(repo, [(DAY.format(1), {"data.json": [{"id": 1, "v": 1}]})])
    repos.git(repo, "checkout", "-q", "-b", "side")
    c({"data.json": [{"id": 1, "v": 2}]}, 2)
    repos.git(repo, "checkout", "-q", "main")
    c({"other.txt": "x"}, 3)
    c({"data.json": [{"id": 1, "v": 3}]}, 9)  # committed with a clock ahead of the merge
    repos.git(repo, "merge", "-q", "--no-commit", "-s", "ours", "side")
    c({"data.json": [{"id": 1, "v": 4}]}, 5)  # a merge that changes the file
    repos.git(repo, "checkout", "-q", "-b", "side2")
    c({"data.json": [{"id": 1, "v": 6}]}, 7)
    repos.git(repo, "checkout", "-q", "main")
    c({"data.json": [{"id": 1, "v": 5}]}, 6)
    repos.git(repo, "merge", "-q", "--no-commit", "-X", "theirs", "side2")
    c({}, 8)  # takes side2's file: follows side2 alone, so day 6's commit is not listed
    expected = repos.git(repo, "rev-list", "--reverse", "main", "--", "data.json").split()
    db = tmp_path / "d.db"
    almanac("file", db, "data.json", "--id", "id", "--repo", repo)
    assert [h for (h,) in rows(db, "select hash from commits order by id")] == expected
    assert len(expected) == 5


def test_csv_versions_read_as_git_history_reads_them(almanac, tmp_path):
    # A BOM (git-history would name the first column "\ufeffid"), a quoted Windows line ending
    # kept as written, values as text, items removed and re-added as with JSON.
    scrape(tmp_path, '\ufeffid,note\r\n1,"a\r\nb"\r\n2,x\r\n', "id,note\r\n1,c\r\n",
           "id,note\n1,c\n2,y\n", name="data.csv")
    db = tmp_path / "d.db"
    almanac("file", db, "data.csv", "--csv", "--id", "id", "--repo", tmp_path / "repo")
    assert rows(db, "select _version, id, note from item_version order by _id") == [
        (1, "1", "a\r\nb"), (1, "2", "x"), (2, None, "c"), (2, None, "y")]
    assert rows(db, "select _item, _commit, _restored_commit from item_removed") == [(2, 2, 3)]


def test_a_csv_record_longer_than_its_header_stops_or_is_skipped(almanac, tmp_path):
    hashes = scrape(tmp_path, "id,n\n1,5\n", "id,n\n1,6,oops\n", "id,n\n1,7\n", name="d.csv")
    db = tmp_path / "d.db"
    repo = tmp_path / "repo"
    failed = run_almanac("file", db, "d.csv", "--csv", "--id", "id", "--repo", repo,
                         check=False)
    assert failed.returncode == 1
    assert hashes[1] in failed.stderr and "CSV line 2 has 3 values" in failed.stderr
    done = almanac("file", db, "d.csv", "--csv", "--id", "id", "--repo", repo, "--skip-invalid")
    assert f"Warning: Commit {hashes[1][:12]}" in done.stderr
    assert rows(db, "select n from item_version order by _id") == [("5",), ("7",)]
    bad = run_almanac("file", db, "d.csv", "--dialect", "tabs", "--repo", repo, check=False)
    assert bad.returncode == 2 and "--dialect" in bad.stderr
