"""`almanac client insert/upsert/drop` beyond dclient: batches sized from the server's
settings, type detection over the whole file, streaming from a pipe, and retries that never
write a row twice."""
import json
import subprocess
import time

import pytest

from almanac_server import almanac_binary
from client_proxy import FaultProxy
from client_util import (SECRET, client_env, create_table, run_client, sql, token,
                         write_csv)


@pytest.fixture
def scratch(start_server, tmp_path):
    return start_server("scratch.db", "--create", "--secret", SECRET, "--root",
                        "--setting", "max_insert_rows", "5", cwd=tmp_path)


def insert(tmp_path, url, *args, stdin=None):
    return run_client(tmp_path, "insert", *args, "-i", url, "--token", token(), stdin=stdin)


def test_batches_follow_max_insert_rows(scratch, tmp_path):
    data = write_csv(tmp_path / "n.csv", ["n"], [[i] for i in range(12)])
    result = insert(tmp_path, scratch.url, "scratch", "n", str(data), "--create", "-v")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("POST ") == 3  # 5 + 5 + 2 rows
    # --batch-size can only go lower than the server allows.
    result = insert(tmp_path, scratch.url, "scratch", "n", str(data), "--batch-size", "50",
                    "-v")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("POST ") == 3
    assert sql(scratch, "scratch", "select count(*) as c from n") == [{"c": 24}]


def test_batches_stay_under_max_post_body_bytes(start_server, tmp_path):
    server = start_server("scratch.db", "--create", "--secret", SECRET, "--root",
                          "--setting", "max_post_body_bytes", "3000", cwd=tmp_path)
    data = write_csv(tmp_path / "big.csv", ["id", "text"], [[i, "x" * 900] for i in range(10)])
    result = insert(tmp_path, server.url, "scratch", "big", str(data), "--create", "-v")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("POST ") >= 4
    assert sql(server, "scratch", "select count(*) as c from big") == [{"c": 10}]


def test_types_are_detected_over_the_whole_file(scratch, tmp_path):
    # dclient looks at the first batch only; the float in row 150 would stay text there.
    rows = [[i, i * 2, f"00{i}"] for i in range(1, 150)] + [[150, 2.5, "x"]]
    data = write_csv(tmp_path / "t.csv", ["id", "value", "code"], rows)
    result = insert(tmp_path, scratch.url, "scratch", "t", str(data), "--create", "--pk", "id")
    assert result.returncode == 0, result.stderr
    columns = sql(scratch, "scratch", "select name, type from pragma_table_info('t')")
    assert columns == [{"name": "id", "type": "INTEGER"}, {"name": "value", "type": "REAL"},
                       {"name": "code", "type": "TEXT"}]
    assert sql(scratch, "scratch", "select typeof(value) as t, code from t where id = 3") == [
        {"t": "real", "code": "003"}]


def test_newline_json_is_detected_without_a_flag(scratch, tmp_path):
    data = tmp_path / "rows.ndjson"
    data.write_text('{"id": 1, "tags": ["a"]}\n{"id": 2, "tags": []}\n')
    result = insert(tmp_path, scratch.url, "scratch", "nd", str(data), "--create")
    assert result.returncode == 0, result.stderr
    assert sql(scratch, "scratch", "select * from nd") == [{"id": 1, "tags": '["a"]'},
                                                            {"id": 2, "tags": "[]"}]


def wait_for_count(server, table, count, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sql(server, "scratch",
               f"select count(*) as c from sqlite_master where name = '{table}'")[0]["c"]:
            if sql(server, "scratch", f"select count(*) as c from [{table}]")[0]["c"] >= count:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("fmt,header,lines", [
    ("--nl", None, ['{"n": %d, "word": "w%d"}' % (i, i) for i in range(3)]),
    ("--csv", "n,word", ["%d,w%d" % (i, i) for i in range(3)]),
])
def test_stdin_streams_with_interval(scratch, tmp_path, fmt, header, lines):
    """`tail -f log | almanac client insert ... -`: rows reach the server while the writer is
    still writing, without waiting for the end of the input."""
    proc = subprocess.Popen([almanac_binary(), "client", "insert", "scratch", "live", "-",
                             fmt, "--create", "--interval", "0.2", "-i", scratch.url,
                             "--token", token()], stdin=subprocess.PIPE, text=True,
                            env=client_env(tmp_path), stderr=subprocess.PIPE)
    try:
        if header:
            proc.stdin.write(header + "\n")
        for line in lines[:2]:
            proc.stdin.write(line + "\n")
        proc.stdin.flush()
        assert wait_for_count(scratch, "live", 2), "the first rows did not arrive while open"
        proc.stdin.write(lines[2] + "\n")
        proc.stdin.flush()
        assert wait_for_count(scratch, "live", 3)
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert sql(scratch, "scratch", "select n, word from live order by n") == [
        {"n": i, "word": f"w{i}"} for i in range(3)]


def twenty_rows(tmp_path):
    return write_csv(tmp_path / "r.csv", ["id", "name"], [[i, f"n{i}"] for i in range(1, 21)])


@pytest.mark.parametrize("action", ["503", "drop_before", "drop_after"])
def test_a_lost_batch_is_written_once(scratch, tmp_path, action):
    """With a primary key in every row, the client finds out whether the batch was written
    (drop_after: it was) and carries on without writing it twice."""
    create_table(scratch, "scratch", {"table": "r", "columns": [
        {"name": "id", "type": "integer"}, {"name": "name", "type": "text"}], "pk": "id"})
    with FaultProxy(scratch.url, {2: action}) as proxy:
        result = insert(tmp_path, proxy.url, "scratch", "r", str(twenty_rows(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert sql(scratch, "scratch", "select count(*) as c, count(distinct id) as d from r") == [
        {"c": 20, "d": 20}]
    if action != "drop_after":
        assert "Retrying batch 2" in result.stderr


@pytest.mark.parametrize("action", ["503", "drop_before", "drop_after"])
def test_two_connections_write_every_row_once(scratch, tmp_path, action):
    """With --pk the batches go out on two connections at once; a lost one (whichever
    connection it was on) is still written exactly once, and nothing else is lost."""
    rows = [[i, f"n{i}"] for i in range(1, 61)]
    data = write_csv(tmp_path / "many.csv", ["id", "name"], rows)
    with FaultProxy(scratch.url, {3: action, 6: action}) as proxy:
        result = insert(tmp_path, proxy.url, "scratch", "two", str(data), "--create", "--pk",
                        "id")
    assert result.returncode == 0, result.stderr
    assert sql(scratch, "scratch", "select count(*) as c, count(distinct id) as d, "
               "min(id) as lo, max(id) as hi from two") == [{"c": 60, "d": 60, "lo": 1, "hi": 60}]
    if action == "503":  # no connection was closed: exactly the two connections were used
        assert len(proxy.post_ports) == 2


def test_without_pk_batches_keep_their_order(scratch, tmp_path):
    """A rowid table numbers rows as they arrive: without --pk one connection sends the
    batches one after the other, so the rowids follow the file."""
    data = write_csv(tmp_path / "ordered.csv", ["n"], [[i] for i in range(1, 41)])
    with FaultProxy(scratch.url, {}) as proxy:
        result = insert(tmp_path, proxy.url, "scratch", "ordered", str(data), "--create")
    assert result.returncode == 0, result.stderr
    assert len(proxy.post_ports) == 1
    assert [r["n"] for r in sql(scratch, "scratch", "select n from ordered order by rowid")] == \
        list(range(1, 41))


def test_upsert_resends_a_lost_batch(scratch, tmp_path):
    create_table(scratch, "scratch", {"table": "u", "columns": [
        {"name": "id", "type": "integer"}, {"name": "name", "type": "text"}], "pk": "id"})
    with FaultProxy(scratch.url, {3: "drop_after"}) as proxy:
        result = run_client(tmp_path, "upsert", "scratch", "u", str(twenty_rows(tmp_path)),
                            "-i", proxy.url, "--token", token())
    assert result.returncode == 0, result.stderr
    assert [p[0] for p in proxy.log] == [1, 2, 3, 4, 5]  # batch 3 sent again as POST 4
    assert sql(scratch, "scratch", "select count(*) as c from u") == [{"c": 20}]


def test_without_a_key_the_client_stops_and_says_what_was_written(scratch, tmp_path):
    """A rowid table cannot be checked: resending could duplicate rows, so the client stops
    with the count of rows known to be written."""
    create_table(scratch, "scratch", {"table": "plain", "columns": [
        {"name": "id", "type": "integer"}, {"name": "name", "type": "text"}]})
    with FaultProxy(scratch.url, {2: "drop_after"}) as proxy:
        result = insert(tmp_path, proxy.url, "scratch", "plain", str(twenty_rows(tmp_path)))
    assert result.returncode == 1
    assert "Stopped: the connection failed after batch 2 (rows 6-10)" in result.stderr
    assert "5 rows before it were written" in result.stderr
    assert sql(scratch, "scratch", "select count(*) as c from plain") == [{"c": 10}]


def test_gives_up_after_the_retries(scratch, tmp_path):
    with FaultProxy(scratch.url, {1: "503", 2: "503"}) as proxy:
        result = insert(tmp_path, proxy.url, "scratch", "g", str(twenty_rows(tmp_path)),
                        "--create", "--retries", "1")
    assert result.returncode == 1
    assert "Gave up after 2 attempts" in result.stderr


def test_drop_asks_unless_yes(scratch, tmp_path):
    create_table(scratch, "scratch", {"table": "doomed", "rows": [{"id": 1}, {"id": 2}]})
    refused = run_client(tmp_path, "drop", "scratch", "doomed", "-i", scratch.url, "--token",
                         token())
    assert refused.returncode == 1
    assert "Refusing to drop scratch/doomed without confirmation: pass --yes" in refused.stderr
    assert sql(scratch, "scratch", "select count(*) as c from doomed") == [{"c": 2}]
    dropped = run_client(tmp_path, "drop", "scratch", "doomed", "--yes", "-i", scratch.url,
                         "--token", token())
    assert dropped.returncode == 0, dropped.stderr
    assert json.loads(dropped.stdout)["ok"] is True
    assert sql(scratch, "scratch",
               "select count(*) as c from sqlite_master where name = 'doomed'") == [{"c": 0}]


def test_write_errors_show_the_server_message(scratch, tmp_path):
    data = write_csv(tmp_path / "x.csv", ["id"], [[1]])
    result = insert(tmp_path, scratch.url, "scratch", "missing", str(data))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Table not found")
