"""The Datasette routes beside the data pages: favicon, plugins, schema pages (HTML, JSON,
Markdown), the query-parameter helper, table autocomplete, the jump search, the instance-wide
query list, the API explorer, pattern portfolio, allow-block and message debuggers."""
import httpx
import pytest


def test_favicon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG")
    assert r.headers["cache-control"] == "max-age=3600, public"


def test_plugins_is_an_empty_list(client):
    r = client.get("/-/plugins.json")
    assert r.status_code == 200
    assert r.json() == []
    assert client.get("/-/plugins").status_code == 200


def test_table_schema_json(client):
    r = client.get("/fixtures/facet_cities/-/schema.json")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "database": "fixtures", "table": "facet_cities",
                        "schema": "CREATE TABLE facet_cities (\n    id integer primary key,\n"
                                  "    name text\n)"}


def test_table_schema_markdown(client):
    r = client.get("/fixtures/facet_cities/-/schema.md")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.text.startswith("# Schema for fixtures.facet_cities\n\n```sql\nCREATE TABLE facet_cities")
    assert r.text.endswith("\n```\n")


def test_table_schema_html_and_missing(client):
    assert "facet_cities" in client.get("/fixtures/facet_cities/-/schema").text
    r = client.get("/fixtures/no_such_table/-/schema.json")
    assert r.status_code == 404
    assert r.json()["ok"] is False and r.json()["error"] == "Table not found"
    r = client.get("/fixtures/no_such_table/-/schema")
    assert (r.status_code, r.text) == (404, "Table not found")


def test_database_and_instance_schema_markdown(client):
    r = client.get("/fixtures/-/schema.md")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.text.startswith("# Schema for fixtures\n\n```sql\n")
    r = client.get("/-/schema.md")
    assert r.status_code == 200
    sections = r.text.split("\n\n# Schema for ")
    assert r.text.startswith("# Schema for extra database\n")
    assert sections[1].startswith("fixtures\n")
    assert not r.text.endswith("\n")


def test_query_parameters(client):
    r = client.get("/fixtures/-/query/parameters",
                   params={"sql": "select :a, :b, :a, ':c' -- :d"})
    assert r.status_code == 200
    data = r.json()
    assert data["parameters"] == ["a", "b"]
    assert data["unstable"].startswith("This API is not part of Datasette's stable interface")
    assert r.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("params,message", [
    ({"sql": "select :_now"}, "Magic parameters are not allowed"),
    ({"sql": "select 1", "zz": "1", "b": "2"}, "Invalid keys: b, zz"),
])
def test_query_parameters_errors(client, params, message):
    r = client.get("/fixtures/-/query/parameters", params=params)
    assert r.status_code == 400
    assert r.json()["error"] == message


def test_autocomplete(client):
    r = client.get("/fixtures/facet_cities/-/autocomplete", params={"q": "an"})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "rows": [
        {"pks": {"id": 2}, "label": "Los Angeles"},
        {"pks": {"id": 1}, "label": "San Francisco"},
    ]}
    # An exact primary key comes first.
    r = client.get("/fixtures/facet_cities/-/autocomplete", params={"q": "3"})
    assert r.json()["rows"][0] == {"pks": {"id": 3}, "label": "Detroit"}
    assert client.get("/fixtures/facet_cities/-/autocomplete").json() == {"ok": True, "rows": []}
    initial = client.get("/fixtures/facet_cities/-/autocomplete", params={"_initial": "1"}).json()
    assert [row["pks"]["id"] for row in initial["rows"]] == [4, 3, 2, 1]


def test_autocomplete_escapes_like_wildcards(client):
    r = client.get("/fixtures/facet_cities/-/autocomplete", params={"q": "%"})
    assert r.json()["rows"] == []


def test_autocomplete_refuses_views(client):
    r = client.get("/fixtures/simple_view/-/autocomplete", params={"q": "a"})
    assert r.status_code == 400
    assert r.json()["error"] == "Autocomplete is only available for tables"


def test_jump(client):
    r = client.get("/-/jump.json", params={"q": "fixtures facet"})
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] is True and data["truncated"] is False
    names = [m["name"] for m in data["matches"]]
    assert "fixtures: facet_cities" in names and "fixtures: facetable" in names
    assert all(m["name"].startswith("fixtures: facet") for m in data["matches"])
    cities = next(m for m in data["matches"] if m["name"] == "fixtures: facet_cities")
    assert cities == {"name": "fixtures: facet_cities", "url": "/fixtures/facet_cities",
                      "type": "table", "description": None}
    exact = client.get("/-/jump.json", params={"q": "fixtures"}).json()["matches"][0]
    assert exact == {"name": "fixtures", "url": "/fixtures", "type": "database",
                     "description": None}


def test_global_query_list(client):
    r = client.get("/-/queries.json")
    assert r.status_code == 200
    data = r.json()
    assert data["database"] is None and data["show_database"] is True
    assert data["query_list_path"] == "/-/queries"
    names = [(q["database"], q["name"]) for q in data["queries"]]
    assert ("fixtures", "neighborhood_search") in names
    assert client.get("/-/queries").status_code == 200


def test_api_explorer_lists_endpoints(client):
    r = client.get("/-/api")
    assert r.status_code == 200
    assert 'href="/fixtures/facet_cities.json"' in r.text


def test_patterns(client):
    r = client.get("/-/patterns")
    assert r.status_code == 200 and "Pattern portfolio" in r.text


@pytest.mark.parametrize("allow,actor,result", [
    ('{"id": "*"}', '{"id": "root"}', "Result: allow"),
    ('{"id": "other"}', '{"id": "root"}', "Result: deny"),
    ('{"id": ', '{"id": "root"}', "Allow JSON error"),
])
def test_allow_debug(client, allow, actor, result):
    r = client.get("/-/allow-debug", params={"allow": allow, "actor": actor})
    assert r.status_code == 200
    assert result in r.text


def test_messages_post_sets_a_flash_message(client):
    r = client.post("/-/messages", data={"message": "Hello there", "message_type": "WARNING"})
    assert r.status_code == 302 and r.headers["location"] == "/"
    assert r.headers["set-cookie"].startswith("ds_messages=")
    with httpx.Client(base_url=client.base_url, cookies={"ds_messages": r.cookies["ds_messages"]}) as c:
        page = c.get("/")
    assert "Hello there" in page.text
    assert "Set a message" in client.get("/-/messages").text
