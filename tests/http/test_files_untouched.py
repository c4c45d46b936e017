"""Serving never modifies a file: reads leave its bytes, modification time and journal mode
alone; a 0-byte file stays 0 bytes unless --create; the first write switches it to WAL and
works; `almanac insert` into a file a running server has open works and keeps its journal mode."""
import hashlib
import os
import sqlite3
import subprocess

import httpx

from almanac_server import AlmanacServer, almanac_binary

SECRET = "untouched-secret"
READS = ["/", "/.json", "/notes", "/notes.json", "/notes/items", "/notes/items.json",
         "/notes/items.csv", "/notes/items.json?_facet=kind",
         "/notes/items/1", "/notes/items/1.json", "/notes/-/query.json?sql=select+count(*)+from+items",
         "/notes/-/query.csv?sql=select+*+from+items", "/-/databases.json", "/notes/items.json?_sort=name"]


def make_database(path, journal_mode="delete"):
    conn = sqlite3.connect(path)
    conn.execute(f"pragma journal_mode={journal_mode}")
    conn.execute("create table items (id integer primary key, name text, kind text)")
    conn.executemany("insert into items values (?, ?, ?)",
                     [(i, f"item {i}", "ab"[i % 2]) for i in range(1, 51)])
    conn.commit()
    conn.close()


def snapshot(path):
    """What a reader must not change: the bytes, the mtime and the journal mode in the header."""
    data = path.read_bytes()
    # Header bytes 18 and 19: 1 for a rollback-journal database, 2 for WAL.
    return {"sha256": hashlib.sha256(data).hexdigest(), "mtime": path.stat().st_mtime_ns,
            "size": len(data), "header_versions": tuple(data[18:20]) if data else ()}


def journal_mode(path):
    """"wal" or "rollback", from the header (opening the file could create -wal/-shm files)."""
    header = path.read_bytes()[:100]
    return {(1, 1): "rollback", (2, 2): "wal"}[tuple(header[18:20])]


def side_files(path):
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


def read_everything(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        for path in READS:
            r = c.get(path)
            assert r.status_code == 200, (path, r.text[:300])


def test_reads_leave_a_rollback_journal_file_untouched(tmp_path):
    db = tmp_path / "notes.db"
    make_database(db)
    before = snapshot(db)
    assert before["header_versions"] == (1, 1)
    with AlmanacServer(["notes.db"], cwd=tmp_path) as server:
        read_everything(server)
        assert journal_mode(db) == "rollback"
        assert snapshot(db) == before
    assert snapshot(db) == before
    assert side_files(db) == []


def test_reads_leave_a_wal_file_untouched(tmp_path):
    db = tmp_path / "notes.db"
    make_database(db, "wal")
    before = snapshot(db)
    with AlmanacServer(["notes.db"], cwd=tmp_path) as server:
        read_everything(server)
    assert snapshot(db) == before
    assert journal_mode(db) == "wal"


def test_an_empty_file_stays_empty(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    with AlmanacServer(["empty.db"], cwd=tmp_path) as server:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            assert c.get("/empty.json").json()["tables"] == []
            assert c.get("/empty/-/query.json?sql=select+1").status_code == 200
            assert c.get("/empty").status_code == 200
    assert (tmp_path / "empty.db").stat().st_size == 0
    assert side_files(tmp_path / "empty.db") == []


def test_create_makes_a_database_of_an_empty_file(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    with AlmanacServer(["empty.db", "--create"], cwd=tmp_path) as server:
        assert httpx.get(server.url + "/empty.json", timeout=10).status_code == 200
    assert (tmp_path / "empty.db").stat().st_size > 0
    assert journal_mode(tmp_path / "empty.db") == "wal"


def token():
    return subprocess.run([almanac_binary(), "create-token", "root", "--secret", SECRET],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_the_first_write_switches_to_wal_and_works(tmp_path):
    db = tmp_path / "notes.db"
    make_database(db)
    with AlmanacServer(["notes.db", "--root", "--secret", SECRET], cwd=tmp_path) as server:
        read_everything(server)
        assert journal_mode(db) == "rollback"
        headers = {"Authorization": f"Bearer {token()}"}
        with httpx.Client(base_url=server.url, timeout=10, headers=headers) as c:
            r = c.post("/notes/items/-/insert", json={"rows": [{"id": 100, "name": "new"}]})
            assert r.status_code == 201, r.text
            assert journal_mode(db) == "wal"
            r = c.post("/notes/items/-/insert", json={"rows": [{"id": 101, "name": "newer"}]})
            assert r.status_code == 201, r.text
            rows = c.get("/notes/-/query.json?sql=select+name+from+items+where+id+>=+100").json()
            assert rows["rows"] == [{"name": "new"}, {"name": "newer"}]
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from items").fetchone()[0] == 52
    conn.close()


def test_a_write_into_an_empty_file_makes_it_a_database(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    with AlmanacServer(["empty.db", "--root", "--secret", SECRET], cwd=tmp_path) as server:
        headers = {"Authorization": f"Bearer {token()}"}
        r = httpx.post(server.url + "/empty/-/create", headers=headers, timeout=10,
                       json={"table": "t", "rows": [{"id": 1}], "pk": "id"})
        assert r.status_code == 201, r.text
    assert journal_mode(tmp_path / "empty.db") == "wal"


def test_almanac_insert_into_a_served_file_keeps_its_journal_mode(tmp_path):
    # A file open in a running `almanac serve` still takes `almanac insert`, keeps its journal
    # mode (nothing had to write through the server), and the server sees the new rows.
    db = tmp_path / "notes.db"
    make_database(db)
    (tmp_path / "more.csv").write_text("id,name,kind\n200,csv one,c\n201,csv two,c\n")
    with AlmanacServer(["notes.db"], cwd=tmp_path) as server:
        read_everything(server)
        result = subprocess.run([almanac_binary(), "insert", "notes.db", "items", "more.csv",
                                 "--csv"], cwd=tmp_path, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        assert journal_mode(db) == "rollback"
        r = httpx.get(server.url + "/notes/items.json?kind=c&_shape=array", timeout=10)
        assert [row["name"] for row in r.json()] == ["csv one", "csv two"]
        read_everything(server)
    assert journal_mode(db) == "rollback"
    assert side_files(db) == []
