"""Statuses as Datasette 1.0a37 gives them: arbitrary SQL must be a SELECT (HTML and JSON alike,
the allowed pragma_* functions inside a SELECT stay allowed), a POST to a read URL is 405,
`_size` is validated the same way on every list endpoint, and which errors are JSON."""
import pytest

NOT_SELECT = "Statement must be a SELECT"


@pytest.mark.parametrize("sql", ["PRAGMA cache_size", "pragma table_info(facetable)", ".schema",
                                 "/* x */ PRAGMA user_version", "vacuum"])
def test_non_select_sql_is_400_json(client, sql):
    r = client.get("/fixtures/-/query.json", params={"sql": sql})
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error": NOT_SELECT, "errors": [NOT_SELECT], "status": 400}


def test_non_select_sql_is_400_html(client):
    r = client.get("/fixtures/-/query", params={"sql": "PRAGMA cache_size"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    assert NOT_SELECT in r.text


def test_allowed_pragma_functions_stay_allowed(client):
    r = client.get("/fixtures/-/query.json",
                   params={"sql": "select name from pragma_table_info('facet_cities')"})
    assert r.status_code == 200
    assert r.json()["rows"] == [{"name": "id"}, {"name": "name"}]


def test_other_pragma_functions_are_refused(client):
    r = client.get("/fixtures/-/query.json", params={"sql": "select * from pragma_cache_size()"})
    assert r.status_code == 400
    assert r.json()["error"].startswith(
        "Statement contained a disallowed PRAGMA. Allowed pragma functions are "
        "pragma_database_list(), ")


def test_canned_queries_are_trusted(client):
    # The fixtures' canned query "PRAGMA cache_size;" runs: only arbitrary SQL is checked.
    r = client.get("/fixtures/pragma_cache_size.json")
    assert r.status_code == 200
    assert r.json()["ok"] is True


@pytest.mark.parametrize("path", ["/fixtures/facetable", "/fixtures/facetable.json",
                                  "/fixtures.json", "/fixtures", "/fixtures/facetable/1",
                                  "/fixtures/facetable/1.json", "/.json"])
def test_post_to_a_read_url_is_405(client, path):
    r = client.post(path, json={})
    assert r.status_code == 405


@pytest.mark.parametrize("path", ["/fixtures/facetable.json", "/fixtures/-/queries.json",
                                  "/-/queries.json"])
@pytest.mark.parametrize("size,message", [
    ("abc", "_size must be a positive integer"),
    ("-1", "_size must be a positive integer"),
    ("1.5", "_size must be a positive integer"),
    ("1001", "_size must be <= 1000"),
    ("99999999999999999999999", "_size must be <= 1000"),
])
def test_size_validated_on_every_list(client, path, size, message):
    r = client.get(path, params={"_size": size})
    assert r.status_code == 400
    assert r.json()["error"] == message


@pytest.mark.parametrize("path", ["/fixtures/facetable.json", "/fixtures/-/queries.json",
                                  "/-/queries.json"])
@pytest.mark.parametrize("size", ["max", "1", " 2 ", "+3"])
def test_size_accepted_as_python_int_reads_it(client, path, size):
    assert client.get(path, params={"_size": size}).status_code == 200


def test_query_list_honours_size(client):
    assert len(client.get("/fixtures/-/queries.json", params={"_size": 1}).json()["queries"]) == 1
    data = client.get("/-/queries.json", params={"_size": 2}).json()
    assert data["limit"] == 2 and len(data["queries"]) == 2


def test_html_error_stays_html_with_accept_json(client):
    # Datasette decides by the path (conformance record html-accept-json-404).
    r = client.get("/fixtures/nope", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    r = client.get("/fixtures/nope.json", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["ok"] is False
