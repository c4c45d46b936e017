"""What one visitor's SQL may build (docs/performance.md, "Hostile load"): a value over the
length cap, a huge printf() and a heap past --sqlite-heap-limit-mb each fail that query with
a clear JSON error; stored blobs larger than the cap still download; and a slow query moves
off the I/O threads (the slow lane), so cheap requests keep answering beside it."""
import concurrent.futures
import sqlite3

import httpx
import pytest

VALUE_MESSAGE = "The query built a string or blob larger than 16 MB, the limit for one value"
PRINTF_MESSAGE = ("printf() width or precision too large: the result could exceed 16 MB, "
                  "the limit for one value")


def query(server, sql, **params):
    return httpx.get(server.url + "/fixtures/-/query.json", params={"sql": sql, **params},
                     timeout=60)


def assert_error(response, status, message):
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    data = response.json()
    # (The query page's SQL errors also carry its empty "rows", as Datasette's do.)
    assert {k: data[k] for k in ("ok", "error", "errors", "status")} == {
        "ok": False, "error": message, "errors": [message], "status": status}


def assert_still_serving(server):
    r = httpx.get(server.url + "/fixtures/facetable/1.json", timeout=10)
    assert r.status_code == 200
    assert r.json()["rows"][0]["pk"] == 1


@pytest.mark.parametrize("sql", [
    "select length(randomblob(900000000))",
    "select length(zeroblob(900000000))",
    "select length(replace(hex(zeroblob(9000000)), '0', 'ab'))",
    "select group_concat(hex(zeroblob(1000000))) from facetable",
])
def test_values_over_the_length_cap_are_refused(server, sql):
    assert_error(query(server, sql), 400, VALUE_MESSAGE)
    assert_still_serving(server)


@pytest.mark.parametrize("sql", [
    "select printf('%.*c', 900000000, 'x')",
    "select format('%.*c', 900000000, 'x')",
    "select printf('%900000000d', 1)",
    "select printf('%.*f', 900000000, 1.5)",
])
def test_huge_printf_widths_are_refused(server, sql):
    assert_error(query(server, sql), 400, PRINTF_MESSAGE)
    assert_still_serving(server)


def test_printf_still_works(server):
    r = query(server, "select printf('%05.1f|%-3s|%,d', 3.14159, 'x', 1234567) as p")
    assert r.status_code == 200
    assert r.json()["rows"] == [{"p": "003.1|x  |1,234,567"}]


def test_where_fragments_are_capped_too(server):
    r = httpx.get(server.url + "/fixtures/facetable.json",
                  params={"_where": "length(randomblob(900000000)) > 0"}, timeout=60)
    assert_error(r, 400, VALUE_MESSAGE)


def test_stored_blobs_over_the_cap_still_download(start_server, tmp_path):
    big = bytes(range(256)) * (20 * 1024 * 1024 // 256)  # 20 MB, over the 16 MB cap
    with sqlite3.connect(tmp_path / "blobs.db") as conn:
        conn.execute("create table files (id integer primary key, data blob)")
        conn.execute("insert into files values (1, ?)", (big,))
    server = start_server("blobs.db", cwd=tmp_path)
    r = httpx.get(server.url + "/blobs/files/1.blob", params={"_blob_column": "data"},
                  timeout=60)
    assert r.status_code == 200
    assert r.content == big
    # The same value through a visitor's SQL is over the cap.
    r = httpx.get(server.url + "/blobs/-/query.json", timeout=60,
                  params={"sql": "select data from files"})
    assert_error(r, 400, VALUE_MESSAGE)
    r = httpx.get(server.url + "/blobs/-/query.json", timeout=60,
                  params={"sql": "select length(data) as n from files"})
    assert r.json()["rows"] == [{"n": len(big)}]


def test_the_value_cap_is_a_flag(start_server):
    server = start_server("fixtures.db", "--sql-value-limit-mb", "1")
    r = httpx.get(server.url + "/fixtures/-/query.json", timeout=60,
                  params={"sql": "select length(zeroblob(2000000))"})
    assert_error(r, 400, "The query built a string or blob larger than 1 MB, "
                         "the limit for one value")


def test_sqlite_heap_ceiling_fails_the_query_not_the_server(start_server):
    server = start_server("fixtures.db", "--sqlite-heap-limit-mb", "40")
    # Four 15 MB blobs held in one row at once: 60 MB of SQLite's heap.
    sql = ("select randomblob(15000000) a, randomblob(15000000) b, randomblob(15000000) c, "
           "randomblob(15000000) d")
    r = httpx.get(server.url + "/fixtures/-/query.json", params={"sql": sql}, timeout=60)
    assert_error(r, 503, "The query ran out of memory: SQLite's memory is limited to 40 MB "
                         "for the whole server")
    assert server.process.poll() is None
    assert_still_serving(server)


@pytest.mark.parametrize("flag,value", [("--sqlite-heap-limit-mb", "-1"),
                                        ("--sql-value-limit-mb", "0"),
                                        ("--slow-lane-ms", "x")])
def test_cap_flags_are_validated(fixtures_dir, flag, value):
    import subprocess
    from almanac_server import almanac_binary
    result = subprocess.run([str(almanac_binary()), "serve", "fixtures.db", flag, value],
                            cwd=fixtures_dir, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert flag in result.stderr


LOOP = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
TIME_LIMIT_MESSAGE = ("SQL query took too long. The time limit is controlled by the "
                      "sql_time_limit_ms setting.")


def test_slow_queries_leave_the_io_thread_to_cheap_requests(start_server):
    # One I/O thread: without the slow lane, the looping query would hold it for 5 s and every
    # row page below would wait for it.
    server = start_server("fixtures.db", "--io-threads", "1", "--slow-lane-ms", "5",
                          "--setting", "sql_time_limit_ms", "5000")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(query, server, LOOP)
        # Cheap requests sent while the loop runs are answered while it still runs.
        for _ in range(20):
            assert_still_serving(server)
        assert not slow.done()
        assert_error(slow.result(), 400, TIME_LIMIT_MESSAGE)


def test_queries_moved_to_the_slow_lane_answer_as_before(start_server):
    server = start_server("fixtures.db", "--slow-lane-ms", "1")
    sql = ("with recursive c(x) as (select 1 union all select x + 1 from c where x < 200000) "
           "select count(*) as n, sum(x) as s from c")
    r = query(server, sql)
    assert r.status_code == 200
    assert r.json()["rows"] == [{"n": 200000, "s": 200000 * 200001 // 2}]
    page = httpx.get(server.url + "/fixtures/facetable.json?_facet=state&_size=2", timeout=30)
    assert page.status_code == 200
    assert [f["value"] for f in page.json()["facet_results"]["results"]["state"]["results"]] \
        == ["CA", "MI", "MC"]
