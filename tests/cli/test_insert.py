"""`almanac insert` / `upsert` behaviour beyond sqlite-utils parity: errors name the line and
leave the database as it was, formats from extensions, the summary, exit statuses, and working
beside a running `almanac serve`."""
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))

from almanac_server import AlmanacServer, almanac_binary  # noqa: E402


def almanac(*args, stdin=None, cwd=None):
    return subprocess.run([almanac_binary(), *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=60)


def query(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_formats_from_extension_and_first_bytes(tmp_path):
    db = tmp_path / "d.db"
    (tmp_path / "a.tsv").write_text("id\tname\n1\tx\n")
    (tmp_path / "b.jsonl").write_text('{"id": 1}\n{"id": 2}\n')
    (tmp_path / "c.data").write_text("id;name\n1;x\n2;y\n")
    (tmp_path / "d.data").write_text('[{"id": 1}]')
    for name in ["a.tsv", "b.jsonl", "c.data", "d.data"]:
        result = almanac("insert", db, name.replace(".", "_"), tmp_path / name)
        assert result.returncode == 0, result.stderr
    assert query(db, "select * from a_tsv") == [(1, "x")]
    assert query(db, "select count(*) from b_jsonl") == [(2,)]
    assert query(db, "select * from c_data") == [(1, "x"), (2, "y")]
    assert query(db, "select * from d_data") == [(1,)]


def test_summary_and_counts(tmp_path):
    db = tmp_path / "d.db"
    result = almanac("insert", db, "t", "-", "--nl", "--pk", "id",
                     stdin='{"id": 1, "v": "a"}\n{"id": 2, "v": "b"}\n')
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.startswith("Inserted 2 rows into t (new table) in ")
    result = almanac("upsert", db, "t", "-", "--nl", stdin='{"id": 2, "v": "B"}\n{"id": 3}\n')
    assert result.stderr.startswith("Upserted into t: 1 inserted, 1 updated in ")
    result = almanac("insert", db, "t", "-", "--nl", "--ignore", stdin='{"id": 1}\n{"id": 9}\n')
    assert result.stderr.startswith("Inserted 1 rows into t, 1 skipped in ")
    assert almanac("insert", db, "t", "-", "--nl", "--ignore", "--silent",
                   stdin='{"id": 10}\n').stderr == ""


def test_errors_name_the_line_and_write_nothing(tmp_path):
    db = tmp_path / "d.db"
    rows = "".join(f"{i},x\n" for i in range(1, 200)) + "5,dup\n"
    result = almanac("insert", db, "t", "-", "--csv", "--pk", "id", stdin="id,v\n" + rows)
    assert result.returncode == 1
    assert result.stderr == ("Error: Line 201: UNIQUE constraint failed: t.id "
                             "(use --ignore or --replace, or upsert)\n")
    # The table the failed import would have created does not exist.
    assert query(db, "select name from sqlite_master") == []
    result = almanac("insert", db, "t", "-", "--csv", stdin="a,b\n1,2\n3,4,5\n")
    assert result.stderr == "Error: Line 3: 3 values, but the header names 2 columns\n"
    result = almanac("insert", db, "t", "-", "--csv", "--type", "a", "INTEGER",
                     stdin="a\n1\nx\n")
    assert result.stderr == "Error: Line 3: column a: x is not an integer\n"
    result = almanac("insert", db, "t", "-", "--nl", stdin='{"a": 1}\n{"a": }\n')
    assert result.returncode == 1 and result.stderr.startswith("Error: Line 2: Invalid JSON")
    result = almanac("insert", db, "t", tmp_path / "missing.csv")
    assert (result.returncode, result.stderr) == (1, f"Error: File not found: {tmp_path}/missing.csv\n")


def test_existing_rows_stay_when_a_later_record_fails(tmp_path):
    db = tmp_path / "d.db"
    almanac("insert", db, "t", "-", "--nl", "--pk", "id", stdin='{"id": 1, "v": "keep"}\n')
    result = almanac("insert", db, "t", "-", "--nl", "--replace",
                     stdin='{"id": 1, "v": "changed"}\n{"id": 2, "nope": 1}\n')
    assert result.returncode == 1
    assert "has no column named nope (use --alter to add it)" in result.stderr
    assert query(db, "select * from t") == [(1, "keep")]


def test_batch_size_commits_batches(tmp_path):
    db = tmp_path / "d.db"
    stdin = '{"id": 1}\n{"id": 2}\n{"id": 3}\n{"id": 1}\n'
    result = almanac("insert", db, "t", "-", "--nl", "--pk", "id", "--batch-size", "2", stdin=stdin)
    assert result.returncode == 1
    assert query(db, "select id from t") == [(1,), (2,)]  # the first batch was committed


def test_usage_errors_exit_2(tmp_path):
    assert almanac("insert", tmp_path / "d.db").returncode == 2
    assert almanac("insert", tmp_path / "d.db", "t", "-", "--no-such-flag").returncode == 2
    result = almanac("insert", tmp_path / "d.db", "t", "-", "--csv", "--nl", stdin="")
    assert (result.returncode, result.stderr) == (
        1, "Error: Use just one of --nl, --csv, --tsv, --lines or --text\n")
    result = almanac("insert", tmp_path / "d.db", "t", "-", "--convert", "x", stdin="")
    assert result.returncode == 1 and "Python" in result.stderr


def test_no_progress_bar_without_a_terminal(tmp_path):
    rows = "id\n" + "".join(f"{i}\n" for i in range(50000))
    result = almanac("insert", tmp_path / "d.db", "t", "-", "--csv", stdin=rows)
    assert "\r" not in result.stderr and result.stderr.count("\n") == 1


def test_encoding_errors(tmp_path):
    (tmp_path / "l.csv").write_bytes(b"name\ncaf\xe9\n")
    result = almanac("insert", tmp_path / "d.db", "t", tmp_path / "l.csv")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Line 2: the input is not valid UTF-8")
    result = almanac("insert", tmp_path / "d.db", "t", tmp_path / "l.csv", "--encoding", "cp1252")
    assert result.returncode == 0
    assert query(tmp_path / "d.db", "select name from t") == [("café",)]
    result = almanac("insert", tmp_path / "d.db", "t", tmp_path / "l.csv", "--encoding", "nope")
    assert result.stderr == "Error: Unknown encoding: nope\n"


def test_works_beside_a_running_server_and_keeps_the_journal_mode(tmp_path):
    db = tmp_path / "live.db"
    almanac("insert", db, "t", "-", "--nl", stdin='{"id": 1}\n')
    assert query(db, "pragma journal_mode") == [("delete",)]
    almanac("insert", db, "t", "-", "--nl", stdin='{"id": 2}\n')
    assert query(db, "pragma journal_mode") == [("delete",)]
    with AlmanacServer([str(db)], cwd=tmp_path) as server:
        result = almanac("insert", db, "t", "-", "--nl", stdin='{"id": 3}\n')
        assert result.returncode == 0, result.stderr
        import urllib.request
        body = json.loads(urllib.request.urlopen(server.url + "/live/t.json?_shape=array").read())
        assert [r["id"] for r in body] == [1, 2, 3]


def test_types_cover_every_row_even_past_the_sample(tmp_path):
    """Types come from the first records; a later value that does not fit them makes the import
    start again with every record typed, so the result is as if all were read first."""
    db = tmp_path / "d.db"
    body = "".join(f"{i},{i},00{i % 10}\n" for i in range(30000))
    result = almanac("insert", db, "t", "-", "--csv",
                     stdin="a,b,c\n" + body + "x,2.5,1\n")
    assert result.returncode == 0, result.stderr
    assert query(db, "select name, type from pragma_table_info('t')") == [
        ("a", "TEXT"), ("b", "REAL"), ("c", "TEXT")]
    assert query(db, "select a, b, c from t where rowid in (1, 30001)") == [
        ("0", 0.0, "000"), ("x", 2.5, "1")]
    assert query(db, "select count(*) from t") == [(30001,)]
    # A --type the data contradicts is still an error, however late.
    result = almanac("insert", db, "u", "-", "--csv", "--type", "a", "INTEGER",
                     stdin="a\n" + "1\n" * 30000 + "x\n")
    assert result.returncode == 1
    assert result.stderr == "Error: Line 30002: column a: x is not an integer\n"


def test_progress_bar_on_a_terminal(tmp_path):
    """stderr on a terminal: a bar with rows, MB/s and a percentage, erased before the summary."""
    import pty
    source = tmp_path / "big.csv"
    source.write_text("id,v\n" + "".join(f"{i},value {i}\n" for i in range(100000)))
    leader, follower = pty.openpty()
    proc = subprocess.Popen([almanac_binary(), "insert", str(tmp_path / "d.db"), "t", str(source)],
                            stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    text = out.decode()
    assert re.search(r"\r\x1b\[K(detecting types|inserting) \[#*-*\]\s+\d+%.*rows", text), text
    assert text.endswith("\r\x1b[KInserted 100,000 rows into t (new table) in "
                         + text.rsplit(" in ", 1)[1])
