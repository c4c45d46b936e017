"""Small git repositories for the git-history tests, built with the `git` command with fixed
names and dates (so commit hashes are the same on every machine), and a canonical dump of a
database for comparing ours with the real git-history's.

Each repository is a list of commits; a commit maps file names to content (a str, or a value
written as JSON) or to None (delete the file), with the committer date and offset."""
import json
import os
import sqlite3
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Scraper",
    "GIT_AUTHOR_EMAIL": "scraper@example.com",
    "GIT_COMMITTER_NAME": "Scraper",
    "GIT_COMMITTER_EMAIL": "scraper@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo, *args):
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(repo, files, date, message="scrape"):
    """Writes `files` (None deletes one) and commits them at `date` (ISO 8601 with offset)."""
    for name, content in files.items():
        path = Path(repo) / name
        if content is None:
            git(repo, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        path.write_text(text, "utf-8")
        git(repo, "add", name)
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=repo, env=env,
                   check=True)
    return git(repo, "rev-parse", "HEAD")


def make(repo, commits):
    """A repository at `repo` (branch main) with `commits`: [(date, {file: content})].
    Returns the commit hashes, oldest first."""
    Path(repo).mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    return [commit(repo, files, date) for date, files in commits]


# The main scrape: items added, changed, removed and re-added; keys reordered; nested values;
# non-ASCII keys and values; booleans and nulls; a second file for a second namespace; a file
# whose items sit under a key; offsets that are not whole hours.
ITEMS_1 = [{"id": 1, "name": "Gin", "price": 10, "tags": ["a"]},
           {"id": 2, "name": "Tonic", "price": 5}]
SCRAPE = [
    ("2021-01-01T10:00:00+05:30", {
        "items.json": ITEMS_1,
        "other.json": [{"code": "x", "n": 1}],
        "nested.json": {"incidents": [{"id": "552", "name": "Hawthorne Fire", "engines": 3}]},
    }),
    ("2021-01-02T10:00:00-07:00", {
        "items.json": [{"name": "Gin", "id": 1, "tags": ["a"], "price": 10},
                       {"id": 2, "name": "Tonic 2", "price": 5},
                       {"id": 3, "name": "Rüm", "origin": {"country": "Cuba", "a": 1}}],
    }),
    ("2021-01-03T10:00:00+00:00", {
        "items.json": [{"id": 1, "name": "Gin", "tags": ["a"], "price": 10.5},
                       {"id": 3, "name": "Rüm", "origin": {"country": "Cuba", "a": 1}}],
        "other.json": [{"code": "x", "n": 2}, {"code": "y", "n": 1}],
    }),
    ("2021-01-04T10:00:00+09:45", {
        "items.json": [{"id": 1, "name": "Gin", "tags": ["a"], "price": 10.5},
                       {"id": 2, "name": "Tonic 2", "price": 5},
                       {"id": 3, "name": "Rüm", "origin": {"country": "Cuba", "a": 1}},
                       {"id": 4, "näme": "Ωmega", "ok": True, "n": None}],
        "nested.json": {"incidents": [{"id": "552", "name": "Hawthorne Fire", "engines": 4},
                                      {"id": "556", "name": "Merlin Fire", "engines": 1}]},
    }),
    ("2021-01-05T10:00:00+01:00", {"other.json": [{"code": "y", "n": 1}]}),
    ("2021-01-06T10:00:00+01:00", {
        "items.json": [{"id": 1, "name": "Gin", "tags": ["a", "b"], "price": 10.5},
                       {"id": 2, "name": "Tonic 2", "price": 5},
                       {"id": 3, "name": "Rum", "origin": {"a": 1, "country": "Cuba"}},
                       {"id": 4, "näme": "Ωmega", "ok": True, "n": None}],
    }),
    ("2021-01-07T10:00:00-03:30", {
        "items.json": [{"id": 1, "name": "Gin", "tags": ["a", "b"], "price": 10.5, "abv": 40},
                       {"id": 2, "name": "Tonic 2", "price": 5},
                       {"id": 3, "name": "Rum", "origin": {"a": 1, "country": "Cuba"}},
                       {"id": 4, "näme": "Ωmega", "ok": False, "n": None}],
        "nested.json": {"incidents": [{"id": "556", "name": "Merlin Fire", "engines": 2}]},
    }),
]

def mixed(version):
    """150 items (more than sqlite-utils' batch of 100) whose columns mix types and nulls, with
    a column that first appears in the second batch."""
    items = []
    for i in range(150):
        item = {"id": i, "x": None if i % 3 == 0 else (i if i % 2 else i + 0.5), "y": None}
        if i >= 120:
            item["late"] = "text" if i % 2 else i
        if version and i % 7 == 0:
            item["x"] = f"#{i}"
        items.append(item)
    return items


# Edge cases, one file each.
EDGES = [
    ("2022-03-01T08:00:00+00:00", {
        "reserved.json": [{"_id": 1, "_item": "Gin", "_version": "v1", "_commit": "c1",
                           "rowid": 5, "_id_": "x"}],
        "dupes.json": [{"id": 1, "v": "first"}, {"id": 1, "v": "second"}, {"id": 2, "v": "b"}],
        "compound.json": [{"a": 1, "b": "x", "v": 1}, {"a": 1, "b": "y", "v": 2}],
        "numbers.json": [{"id": 1, "v": 5, "w": "same"}],
        "vanish.json": [{"id": 1, "a": 1, "b": 2}],
        "ignore.json": [{"id": 1, "keep": "k1", "noise": 100}],
        "mixed.json": mixed(0),
    }),
    ("2022-03-02T08:00:00+00:00", {
        "reserved.json": [{"_id": 1, "_item": "Gin 2", "_version": "v1", "_commit": "c1",
                           "rowid": 5, "_id_": "x"}],
        "dupes.json": [{"id": 1, "v": "first 2"}, {"id": 1, "v": "second"}, {"id": 2, "v": "b"}],
        "compound.json": [{"a": 1, "b": "x", "v": 3}, {"a": 1, "b": "y", "v": 2}],
        "numbers.json": [{"id": 1, "v": 5.0, "w": "same"}],
        "vanish.json": [{"id": 1, "a": 1}],
        "ignore.json": [{"id": 1, "keep": "k1", "noise": 200}],
        "mixed.json": mixed(1),
    }),
    ("2022-03-03T08:00:00+00:00", {
        "numbers.json": [{"id": 1, "v": 6, "w": "same"}],
        "vanish.json": [{"id": 1, "a": 2}],
        "ignore.json": [{"id": 1, "keep": "k2", "noise": 300}],
    }),
]


# CSV and TSV: sniffed delimiters, quoted fields with commas and newlines, short records,
# columns that appear.
CSV = [
    ("2023-02-01T09:00:00+00:00", {
        "trees.csv": "TreeID,name\n1,Sophia\n2,Charlie",
        "trees.tsv": "TreeID\tname\n1\tSophia\n2\tCharlie\n",
        "quoted.csv": 'id,note,n\n1,"a, b",5\n2,"line1\nline2",\n3,x\n',
        "semi.csv": "id;name;kind\n1;Oak;tree\n2;Elm;tree\n3;Fern;plant\n",
    }),
    ("2023-02-02T09:00:00+00:00", {
        "trees.csv": "TreeID,name,age\n1,Sophia,5\n2,Charlie Brown,7\n3,Ada,1\n",
        "trees.tsv": "TreeID\tname\n1\tSophia\n2\tCharlie B.\n",
        "quoted.csv": 'id,note,n\n1,"a, b",5\n2,"line1\nline 2",\n3,x,9\n',
        "semi.csv": "id;name;kind\n1;Oak;tree\n2;Elm;tree\n3;Fern;fern\n",
    }),
    ("2023-02-03T09:00:00+00:00", {
        "trees.csv": "TreeID,name,age\r\n1,Sophia,6\r\n3,Ada,1\r\n",
    }),
]


def dump(db_path, skip_tables=()):
    """The database as plain data: sqlite_master and every table's rows, with `columns` ids
    replaced by names (git-history numbers columns in Python set order, which varies)."""
    conn = sqlite3.connect(db_path)
    master = [list(r) for r in conn.execute(
        "select type, name, tbl_name, sql from sqlite_master "
        "where name not like 'sqlite_autoindex%' order by rowid")
        if r[1] not in skip_tables and r[2] not in skip_tables]
    names = {}
    if conn.execute("select 1 from sqlite_master where name = 'columns'").fetchone():
        names = {i: [ns, n] for i, ns, n in conn.execute("select id, namespace, name from columns")}
    tables = {}
    for kind, name, _, _ in master:
        if kind not in ("table", "view"):
            continue
        try:
            cursor = conn.execute(f'select * from "{name}"')
        except sqlite3.OperationalError as e:  # git-history's view needs tables it may not make
            tables[name] = str(e)
            continue
        header = [d[0] for d in cursor.description]
        rows = [list(r) for r in cursor]
        if name == "columns":
            rows = sorted([r[1], r[2]] for r in rows)
            header = ["namespace", "name"]
        elif name.endswith("_changed") and header == ["item_version", "column"]:
            rows = sorted([r[0], names[r[1]][1]] for r in rows)
        elif name.endswith("_version_detail"):
            at = header.index("_changed_columns")
            for r in rows:
                r[at] = sorted(json.loads(r[at]))
        tables[name] = [header] + rows
    conn.close()
    return {"schema": master, "tables": tables}
