"""Benchmark databases, built once and cached in build/bench-data/ (rebuilt when the recipe
changes). Every run works on fresh copies in a temporary directory."""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "bench-data"
RECIPE_VERSION = "4"  # bump when the SQL below changes


def shared_dir():
    for candidate in (os.environ.get("ALMANAC_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "conformance" / "tools" / "big_db.sql").exists():
            return Path(candidate)
    sys.exit("conformance/tools/big_db.sql not found (set ALMANAC_SHARED_DIR)")


def big_table_sql(rows):
    """../shared/conformance/tools/big_db.sql with its row count set to `rows`."""
    sql = (shared_dir() / "conformance" / "tools" / "big_db.sql").read_text()
    if rows != 1_000_000:
        sql = sql.replace("i < 1000000", f"i < {rows}")
    return sql


# FTS over the big table (Datasette's content= form, so ?_search= works on /big/big), and a
# side table the benchmark writes to when it needs "a change" without touching `big`.
EXTRAS_SQL = """
CREATE VIRTUAL TABLE big_fts USING fts5(a, d, content='big', content_rowid='id');
INSERT INTO big_fts(big_fts) VALUES ('rebuild');
"""
TOUCH_SQL = "CREATE TABLE bench_touch (id INTEGER PRIMARY KEY, at TEXT);"


def _stamp(*parts):
    h = hashlib.sha256(RECIPE_VERSION.encode())
    for p in parts:
        h.update(p.encode())
    return h.hexdigest()[:16]


def _cached(name, recipe, build):
    """Path of cached database `name`, built with build(path) unless its stamp matches."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / name
    stamp_file = CACHE / (name + ".stamp")
    stamp = _stamp(recipe)
    if path.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return path
    print(f"building {path} (cached for later runs) ...", file=sys.stderr, flush=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    build(tmp)
    tmp.rename(path)
    stamp_file.write_text(stamp)
    return path


def _run_sqlite(path, sql):
    subprocess.run(["sqlite3", str(path)], input=sql.encode(), check=True,
                   stdout=subprocess.DEVNULL)


def big_db(rows=1_000_000, fts=True):
    name = "big.db" if rows == 1_000_000 else f"big{rows // 1_000_000}m.db"
    sql = big_table_sql(rows) + (EXTRAS_SQL if fts else "") + TOUCH_SQL
    return _cached(name, sql, lambda p: _run_sqlite(p, sql))


def many_tables_db(tables=500, rows=2000):
    """A file with hundreds of tables (the database page scenario): `tables` tables of `rows`
    rows each, plus one of 1,000,000 rows so an unbounded count would show."""
    def build(path):
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        for t in range(tables):
            con.execute(f"CREATE TABLE t{t:03d} (id INTEGER PRIMARY KEY, name TEXT, value REAL)")
            con.execute(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                        f"WHERE i < {rows}) INSERT INTO t{t:03d} (name, value) "
                        f"SELECT 'n' || i, i / 3.0 FROM n")
        con.commit()
        con.close()
        _run_sqlite(path, big_table_sql(1_000_000))
    return _cached("many.db", f"many {tables} {rows}", build)


def working_copy(source, workdir, name=None):
    target = Path(workdir) / (name or Path(source).name)
    shutil.copyfile(source, target)
    return target
