"""The foundation's read endpoints, as a client sees them."""
import http.client
import json
import sqlite3

import pytest

from http_util import (ResponseReader, connect, raw_request, read_response, tilde_encode,
                       wait_closed)

DEFAULT_SETTINGS = {
    "default_page_size": 100, "max_returned_rows": 1000, "max_insert_rows": 100,
    "max_post_body_bytes": 2097152, "num_sql_threads": 3, "sql_time_limit_ms": 1000,
    "default_facet_size": 30, "facet_time_limit_ms": 200, "facet_suggest_time_limit_ms": 50,
    "allow_facet": True, "allow_download": True, "allow_signed_tokens": True,
    "default_allow_sql": True, "max_signed_tokens_ttl": 0, "suggest_facets": True,
    "default_cache_ttl": 5, "cache_size_kb": 0, "allow_csv_stream": True, "max_csv_mb": 100,
    "truncate_cells_html": 2048, "force_https_urls": False, "template_debug": False,
    "trace_debug": False, "base_url": "/",
}


def test_instance_json(client):
    r = client.get("/.json")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    data = r.json()
    assert data["ok"] is True
    by_name = {d["name"]: d for d in data["databases"]}
    assert list(by_name) == ["extra database", "fixtures"]
    assert by_name["extra database"]["path"] == "/extra+database"
    assert by_name["fixtures"]["path"] == "/fixtures"


def test_database_json(client):
    r = client.get("/fixtures.json")
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] is True
    assert data["database"] == "fixtures"
    tables = {t["name"]: t for t in data["tables"]}
    assert tables["compound_three_primary_keys"]["primary_keys"] == ["pk1", "pk2", "pk3"]
    assert tables["compound_three_primary_keys"]["count"] == 1001
    assert tables["facetable"]["columns"][0] == "pk"


def test_database_with_space_in_name(client):
    r = client.get("/extra+database.json")
    assert r.status_code == 200
    assert r.json()["database"] == "extra database"


def test_table_page_size(client):
    r = client.get("/fixtures/compound_three_primary_keys.json", params={"_size": 5})
    assert r.status_code == 200
    data = r.json()
    assert [row["content"] for row in data["rows"]] == ["a-a-a", "a-a-b", "a-a-c", "a-a-d",
                                                        "a-a-e"]
    assert data["next"] == "a,a,e"
    assert data["next_url"].endswith("/fixtures/compound_three_primary_keys.json?_size=5"
                                     "&_next=a%2Ca%2Ce")
    assert r.headers["link"] == f'<{data["next_url"]}>; rel="next"'
    assert r.headers["cache-control"] == "max-age=5"


def test_table_default_page_is_100_rows(client):
    data = client.get("/fixtures/compound_three_primary_keys.json").json()
    assert len(data["rows"]) == 100
    assert data["next"] is not None


def all_keys(fixtures_dir):
    conn = sqlite3.connect(f"file:{fixtures_dir / 'fixtures.db'}?mode=ro", uri=True)
    try:
        return conn.execute(
            "select pk1, pk2, pk3 from compound_three_primary_keys order by pk1, pk2, pk3"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("size", [7, 100, 1000])
def test_keyset_pagination_visits_every_row_once(client, fixtures_dir, size):
    expected = all_keys(fixtures_dir)
    assert len(expected) == 1001
    seen = []
    url = f"/fixtures/compound_three_primary_keys.json?_size={size}"
    pages = 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, url
        data = r.json()
        assert len(data["rows"]) <= size
        seen.extend((row["pk1"], row["pk2"], row["pk3"]) for row in data["rows"])
        url = data["next_url"]
        pages += 1
        assert pages <= 1001 // size + 2, "pagination does not terminate"
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert seen == [tuple(k) for k in expected], "rows missing or out of order"
    assert pages == -(-1001 // size)


def test_pagination_next_token_with_tilde_encoded_keys(client):
    data = client.get("/fixtures/compound_primary_key.json", params={"_size": 1}).json()
    assert data["next"] == "a,b"
    second = client.get(data["next_url"]).json()
    assert second["rows"] == [{"pk1": "a/b", "pk2": ".c-d", "content": "c"}]
    assert second["next"] == "a~2Fb,~2Ec-d"
    third = client.get(second["next_url"]).json()
    assert [r["pk1"] for r in third["rows"]] == ["d"]
    assert third["next"] is None


def test_row_pages_with_tilde_encoded_compound_keys(client):
    r = client.get("/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json")
    assert r.status_code == 200
    data = r.json()
    assert data["rows"] == [{"pk1": "a/b", "pk2": ".c-d", "content": "c"}]
    assert data["primary_key_values"] == ["a/b", ".c-d"]
    assert r.headers["cache-control"] == "max-age=5"
    for pks in [("a", "a", "a"), ("a", "z", "z"), ("b", "c", "q"), ("b", "m", "m")]:
        path = "/fixtures/compound_three_primary_keys/" + ",".join(map(tilde_encode, pks))
        row = client.get(path + ".json").json()["rows"]
        assert row == [{"pk1": pks[0], "pk2": pks[1], "pk3": pks[2],
                        "content": "-".join(pks)}]


def test_row_page_html_and_missing_rows(client):
    assert client.get("/fixtures/compound_primary_key/a~2Fb,~2Ec-d").status_code == 200
    missing = client.get("/fixtures/compound_three_primary_keys/b,z,z.json")
    assert missing.status_code == 404
    assert missing.json()["ok"] is False
    wrong_arity = client.get("/fixtures/compound_primary_key/a.json")
    assert wrong_arity.status_code == 400
    assert wrong_arity.json()["error"] == (
        "URL row identifier does not match the primary key for this table")


def test_query_json_named_parameters(client):
    r = client.get("/fixtures/-/query.json",
                   params={"sql": "select :a as a, :b as b, :missing as m", "a": "1", "b": "é"})
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] is True
    # Parameters are always strings; a missing one binds "".
    assert data["rows"] == [{"a": "1", "b": "é", "m": ""}]
    assert data["truncated"] is False
    assert "cache-control" not in r.headers


def test_query_json_against_table(client):
    r = client.get("/fixtures/-/query.json",
                   params={"sql": "select pk1, pk2 from compound_primary_key where pk1 = :p",
                           "p": "a/b"})
    assert r.json()["rows"] == [{"pk1": "a/b", "pk2": ".c-d"}]


def test_sql_redirects(client):
    r = client.get("/fixtures.json?sql=select+1")
    assert r.status_code == 302
    assert r.headers["location"] == "/fixtures/-/query.json?sql=select+1"
    r = client.get("/fixtures?sql=select+1&x=2")
    assert r.status_code == 302
    assert r.headers["location"] == "/fixtures/-/query?sql=select+1&x=2"
    followed = client.get("/fixtures.json?sql=select+1+as+one", follow_redirects=True)
    assert followed.json()["rows"] == [{"one": 1}]
    r = client.get("/fixtures.csv?sql=select+1")
    assert r.status_code == 302
    assert r.headers["location"] == "/fixtures/-/query.csv?sql=select+1"
    # An empty ?sql= is the database page itself, as in Datasette.
    r = client.get("/fixtures.json?sql=+")
    assert r.status_code == 200
    assert r.json()["database"] == "fixtures"


def test_database_page_in_an_unknown_format(client):
    r = client.get("/fixtures.csv")
    assert r.status_code == 404
    assert "Invalid format: csv" in r.text
    assert client.get("/nope.csv").status_code == 404


def test_versions_json(client):
    data = client.get("/-/versions.json").json()
    assert data["datasette"]["version"] == "1.0a37"
    assert data["sqlite"]["version"] == sqlite3.sqlite_version
    assert "FTS5" in data["sqlite"]["fts_versions"]


def test_settings_json(client):
    assert client.get("/-/settings.json").json() == {"ok": True, **DEFAULT_SETTINGS}


def test_databases_json(client):
    data = client.get("/-/databases.json").json()
    names = [d["name"] for d in data["databases"]]
    assert sorted(names) == ["extra database", "fixtures"]
    for d in data["databases"]:
        assert d["is_mutable"] is True
        assert d["is_memory"] is False


def test_actor_json_anonymous(client):
    assert client.get("/-/actor.json").json() == {"ok": True, "actor": None}


@pytest.mark.parametrize("path", ["/.json", "/fixtures.json", "/fixtures/facetable.json",
                                  "/fixtures/facetable/1.json", "/-/versions.json",
                                  "/fixtures/-/query.json?sql=select+1", "/fixtures/facetable"])
def test_head_has_get_headers_and_no_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    # Lengths on the wire: httpx asks for gzip, and both answers are compressed alike.
    assert head.headers.get("content-encoding") == get.headers.get("content-encoding")
    wire_length = int(get.headers["content-length"])
    if b'"query_ms": ' in get.content:
        # Row pages time their query: the digits, and so the length, vary between requests.
        assert abs(int(head.headers["content-length"]) - wire_length) < 20
    else:
        assert int(head.headers["content-length"]) == wire_length


def test_keep_alive_reuses_one_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        local = None
        for i in range(100):
            path = ["/.json", "/fixtures/facetable.json?_size=3", "/-/versions.json",
                    "/fixtures/nope.json"][i % 4]
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            assert response.status in (200, 404), path
            assert body
            if local is None:
                local = conn.sock.getsockname()
            # http.client reconnects silently: the same local port means the same connection.
            assert conn.sock is not None and conn.sock.getsockname() == local, f"request {i}"
    finally:
        conn.close()


def test_many_short_connections(server):
    # Regression: the server crashed after a few hundred short-lived connections.
    for i in range(300):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", ["/.json", "/-/settings.json", "/fixtures/facetable/1.json"][i % 3])
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        conn.close()
    assert server.process.poll() is None


@pytest.mark.parametrize("path,message", [
    ("/nope.json", "Database not found"),
    ("/fixtures/nope.json", "Table not found"),
    ("/fixtures/nope/1.json", "Table not found"),
    ("/fixtures/facetable.json.json", "404"),
    ("/-/nope.json", "Database not found"),
])
def test_404_json_bodies(client, path, message):
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert r.json() == {"ok": False, "error": message, "errors": [message], "status": 404}


def test_404_html_for_html_paths(client):
    r = client.get("/nope")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("method,path", [
    ("POST", "/.json"), ("PUT", "/fixtures.json"), ("DELETE", "/fixtures/facetable/1.json"),
    ("PATCH", "/-/versions.json"), ("POST", "/-/settings.json"),
])
def test_405_json_bodies(client, method, path):
    r = client.request(method, path)
    assert r.status_code == 405
    assert r.json() == {"ok": False, "error": "Method not allowed",
                        "errors": ["Method not allowed"], "status": 405}


def test_405_text_for_html_paths(client):
    r = client.post("/fixtures")
    assert r.status_code == 405
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "Method not allowed"
    json_body = client.post("/fixtures", json={"a": 1})
    assert json_body.status_code == 405
    assert json_body.json()["status"] == 405


def test_options_on_read_pages(client):
    r = client.options("/fixtures/facetable/1.json")
    assert r.status_code == 200
    assert r.text == "ok"


def test_trailing_slash_redirects(client):
    r = client.get("/fixtures/")
    assert r.status_code == 302
    assert r.headers["location"] == "/fixtures"
    r = client.get("/fixtures/facetable/?_size=1")
    assert r.headers["location"] == "/fixtures/facetable?_size=1"


def test_trailing_slash_redirect_stays_on_this_site(server):
    status, headers, _ = raw_request(server, b"GET //evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 302
    assert headers["location"] == "/evil.example"


def test_percent_encoded_path_redirects_to_tilde_form(client):
    r = client.get("/fixtures/table%2Fwith%2Fslashes.csv")
    assert r.status_code == 302
    assert r.headers["location"] == "/fixtures/table~2Fwith~2Fslashes~2Ecsv"


def test_html_pages_link_their_json_twin(client):
    r = client.get("/fixtures/facetable")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "/fixtures/facetable.json>" in r.headers["link"]


def test_pipelined_requests_are_answered_in_order(server):
    with connect(server) as sock:
        sock.sendall(b"GET /fixtures/facetable/1.json HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /fixtures/facetable/2.json HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /nope.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reader = ResponseReader(sock)
        answers = [reader.read() for _ in range(3)]
        assert wait_closed(sock, 10) is not None
    assert [status for status, _, _ in answers] == [200, 200, 404]
    assert [json.loads(body)["rows"][0]["pk"] for _, _, body in answers[:2]] == [1, 2]


def test_expect_100_continue(server):
    with connect(server) as sock:
        sock.sendall(b"POST /.json HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        # The go-ahead comes before the body is sent (curl waits a second for it otherwise).
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"0123456789")
        status, _, _ = read_response(sock)
    assert status == 405
