"""CSV export: the same rows as the JSON page, whole tables with _stream=on (beyond
max_returned_rows, through a bounded buffer), the download and header options, the
max_csv_mb cap and the caching headers, as Datasette 1.0a37 sends them."""
import csv
import io
import sqlite3
import threading

import httpx
import pytest

from almanac_server import AlmanacServer

ROWS = 2500  # more than max_returned_rows (1000)


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    """A database with a table bigger than max_returned_rows, served with a 1 MB CSV cap."""
    root = tmp_path_factory.mktemp("csvbig")
    conn = sqlite3.connect(root / "data.db")
    conn.execute("create table items (id integer primary key, name text, score real, note text)")
    conn.executemany(
        "insert into items values (?, ?, ?, ?)",
        [(i, f"item {i}", i / 8, None if i % 3 else 'say "hi", then\nleave') for i in range(1, ROWS + 1)])
    conn.execute("create table wide (id integer primary key, body text)")
    conn.executemany("insert into wide values (?, ?)", [(i, "x" * 1000) for i in range(1, 3001)])
    conn.commit()
    conn.close()
    with AlmanacServer(["data.db", "--setting", "max_csv_mb", "1"], cwd=root) as running:
        yield running


@pytest.fixture
def big(big_server):
    with httpx.Client(base_url=big_server.url, timeout=30) as c:
        yield c


def parse(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_stream_returns_every_row_beyond_max_returned_rows(big):
    response = big.get("/data/items.csv?_stream=on")
    assert response.status_code == 200
    rows = parse(response.text)
    assert rows[0] == ["id", "name", "score", "note"]
    assert len(rows) == ROWS + 1
    assert [int(r[0]) for r in rows[1:]] == list(range(1, ROWS + 1))
    assert rows[3] == ["3", "item 3", "0.375", 'say "hi", then\nleave']
    assert rows[1] == ["1", "item 1", "0.125", ""]


def test_stream_equals_concatenated_pages(big):
    streamed = big.get("/data/items.csv?_stream=1&_sort_desc=score").text
    page = big.get("/data/items.csv?_size=max&_sort_desc=score").text
    assert streamed.startswith(page)
    assert len(parse(page)) == 1001


def test_csv_without_stream_is_one_page(big):
    assert len(parse(big.get("/data/items.csv").text)) == 101
    assert len(parse(big.get("/data/items.csv?_size=7").text)) == 8
    wide = big.get("/data/wide.csv?_size=500").text  # ~500 KB: several chunks
    assert len(parse(wide)) == 501
    assert wide.endswith("500," + "x" * 1000 + "\r\n")


def test_rows_end_with_crlf_and_quote_like_python(big):
    body = big.get("/data/items.csv?_size=3").text
    assert body == ('id,name,score,note\r\n1,item 1,0.125,\r\n2,item 2,0.25,\r\n'
                    '3,item 3,0.375,"say ""hi"", then\nleave"\r\n')


def test_header_off(big):
    body = big.get("/data/items.csv?_size=2&_header=off").text
    assert body == "1,item 1,0.125,\r\n2,item 2,0.25,\r\n"


def test_dl_gives_csv_attachment_else_text_plain(big):
    plain = big.get("/data/items.csv?_size=1")
    assert plain.headers["content-type"] == "text/plain; charset=utf-8"
    assert "content-disposition" not in plain.headers
    download = big.get("/data/items.csv?_size=1&_dl=1")
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == 'attachment; filename="items.csv"'


def test_max_csv_mb_cap_stops_with_datasette_message(big):
    response = big.get("/data/wide.csv?_stream=on")
    assert response.status_code == 200
    body = response.content
    message = b"CSV contains more than 1048576 bytes"
    assert body.endswith(message)
    data = body[: -len(message)]
    assert len(data) <= 1048576
    lines = data.split(b"\r\n")
    assert lines[-1] == b""  # the cut falls between rows, never inside one
    total, fitting = len(b"id,body\r\n"), 0
    for i in range(1, 3001):
        size = len(f"{i},{'x' * 1000}\r\n")
        if total + size > 1048576:
            break
        total, fitting = total + size, fitting + 1
    assert len(lines) - 2 == fitting


def test_stream_rejects_next(big):
    response = big.get("/data/items.csv?_stream=on&_next=5")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")


def test_concurrent_streams_each_complete(big):
    results = []

    def fetch():
        with httpx.Client(base_url=str(big.base_url), timeout=30) as c:
            results.append(c.get("/data/items.csv?_stream=on").text)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert all(len(parse(r)) == ROWS + 1 for r in results)


def make_db(path):
    conn = sqlite3.connect(path)
    conn.execute("create table t (id integer primary key)")
    conn.commit()
    conn.close()


def test_stream_disabled_by_setting(tmp_path):
    make_db(tmp_path / "d.db")
    with AlmanacServer(["d.db", "--setting", "allow_csv_stream", "off"], cwd=tmp_path) as s:
        response = httpx.get(s.url + "/d/t.csv?_stream=on")
        assert response.status_code == 400
        assert "CSV streaming is disabled" in response.text
        assert httpx.get(s.url + "/d/t.csv").status_code == 200


def test_table_csv_caching_headers(client):
    response = client.get("/fixtures/facetable.csv?_size=1")
    assert response.headers["cache-control"] == "max-age=5"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert client.get("/fixtures/facetable.csv?_ttl=0").headers["cache-control"] == "no-cache"
    assert client.get("/fixtures/facetable.csv?_ttl=60").headers["cache-control"] == "max-age=60"


def test_query_and_row_csv_have_no_cache_control(client):
    query = client.get("/fixtures/-/query.csv?sql=select+1+as+a")
    assert query.text == "a\r\n1\r\n"
    assert "cache-control" not in query.headers
    row = client.get("/fixtures/simple_primary_key/1.csv")
    assert row.text == "id,content\r\n1,hello\r\n"
    assert "cache-control" not in row.headers


def test_default_cache_ttl_setting(tmp_path):
    make_db(tmp_path / "d.db")
    with AlmanacServer(["d.db", "--setting", "default_cache_ttl", "120"], cwd=tmp_path) as s:
        assert httpx.get(s.url + "/d/t.csv").headers["cache-control"] == "max-age=120"
        assert httpx.get(s.url + "/d/t.json").headers["cache-control"] == "max-age=120"


def test_query_csv_error_is_html_400(client):
    response = client.get("/fixtures/-/query.csv?sql=select+*+from+nope")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "no such table: nope" in response.text


def test_lone_null_cell_is_written_as_empty_quotes(client):
    assert client.get("/fixtures/-/query.csv?sql=select+null+as+n").text == 'n\r\n""\r\n'


def test_labels_stream_like_the_page(client):
    page = client.get("/fixtures/foreign_key_references.csv?_labels=on").text
    assert client.get("/fixtures/foreign_key_references.csv?_labels=on&_stream=on").text == page
    assert parse(page)[0][:3] == ["pk", "foreign_key_with_label", "foreign_key_with_label_label"]
