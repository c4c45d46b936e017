"""Canned queries: parameters from the query string, declared params, Datasette's magic
parameters (canned queries only), CSV, caching headers and the definition endpoint."""
import json
import re
import sqlite3
import time

import httpx
import pytest

from almanac_server import AlmanacServer

QUERIES = {
    "by_name": {"sql": "select id, name from things where name = :name order by id",
                "title": "By name"},
    "declared": {"sql": "select :a as a, :b as b", "params": ["a", "b"], "hide_sql": True},
    "magic": ("select :_header_x_thing as h, :_now_epoch as epoch, :_now_date_utc as d, "
              ":_now_datetime_utc as dt, :_random_chars_7 as r, :_other_thing as u"),
    "needs_actor": "select :_actor_id as id",
    "cookie": "select :_cookie_lang as lang",
    "underscore": "select :_x as x",
    "writer": {"sql": "insert into things (name) values (:name)", "write": True},
}


@pytest.fixture(scope="module")
def canned(tmp_path_factory):
    root = tmp_path_factory.mktemp("canned")
    conn = sqlite3.connect(root / "data.db")
    conn.execute("create table things (id integer primary key, name text)")
    conn.executemany("insert into things (name) values (?)", [("a",), ("b",), ("a",)])
    conn.commit()
    conn.close()
    (root / "config.json").write_text(json.dumps({"databases": {"data": {"queries": QUERIES}}}))
    with AlmanacServer(["data.db", "-c", "config.json"], cwd=root) as running:
        with httpx.Client(base_url=running.url, timeout=10) as c:
            yield c


def test_named_parameters_come_from_the_query_string(canned):
    response = canned.get("/data/by_name.json?name=a")
    assert response.status_code == 200
    assert response.json()["rows"] == [{"id": 1, "name": "a"}, {"id": 3, "name": "a"}]
    assert canned.get("/data/by_name.json").json()["rows"] == []  # missing binds ""


def test_declared_params_default_to_empty_strings(canned):
    assert canned.get("/data/declared.json?a=1").json()["rows"] == [{"a": "1", "b": ""}]


def test_magic_parameters(canned):
    before = int(time.time())
    response = canned.get("/data/magic.json", headers={"X-Thing": "hello"})
    after = int(time.time())
    assert response.status_code == 200
    row = response.json()["rows"][0]
    assert row["h"] == "hello"
    assert before <= row["epoch"] <= after
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["d"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["dt"])
    assert row["dt"].startswith(row["d"])
    assert re.fullmatch(r"[0-9a-f]{7}", row["r"])
    assert row["u"] is None  # unknown magic prefixes bind NULL, as in Datasette


def test_random_chars_differ_between_requests(canned):
    values = {canned.get("/data/magic.json").json()["rows"][0]["r"] for _ in range(5)}
    assert len(values) > 1


def test_missing_header_is_an_empty_string(canned):
    assert canned.get("/data/magic.json").json()["rows"][0]["h"] == ""


def test_magic_parameter_without_a_value_is_a_clear_400(canned):
    actor = canned.get("/data/needs_actor.json")
    assert actor.status_code == 400
    assert actor.json()["ok"] is False
    assert "_actor_id" in actor.json()["error"]
    assert canned.get("/data/cookie.json").status_code == 400


def test_cookie_parameter(canned):
    response = canned.get("/data/cookie.json", headers={"Cookie": 'a=1; lang="mi"; b=2'})
    assert response.json()["rows"] == [{"lang": "mi"}]


def test_underscore_parameters_must_be_given(canned):
    missing = canned.get("/data/underscore.json")
    assert missing.status_code == 400
    assert missing.json()["error"] == "You did not supply a value for binding parameter :_x."
    assert canned.get("/data/underscore.json?_x=5").json()["rows"] == [{"x": "5"}]


def test_arbitrary_sql_gets_no_magic_parameters(canned):
    response = canned.get("/data/-/query.json", params={"sql": "select :_now_epoch as e"})
    assert response.status_code == 400


def test_canned_csv_with_parameters_and_magic(canned):
    response = canned.get("/data/by_name.csv?name=b")
    assert response.text == "id,name\r\n2,b\r\n"
    assert response.headers["cache-control"] == "max-age=5"
    magic = canned.get("/data/magic.csv", headers={"X-Thing": "a,b"}).text.split("\r\n")
    assert magic[0] == "h,epoch,d,dt,r,u"
    assert magic[1].startswith('"a,b",')
    download = canned.get("/data/by_name.csv?name=b&_dl=1")
    assert download.headers["content-disposition"] == 'attachment; filename="by_name.csv"'


def test_canned_caching_headers(canned):
    assert canned.get("/data/by_name.json").headers["cache-control"] == "max-age=5"
    assert canned.get("/data/by_name.json?_ttl=0").headers["cache-control"] == "no-cache"
    assert "cache-control" not in canned.get("/data/-/query.json?sql=select+1").headers


def test_definition(canned):
    body = canned.get("/data/declared/-/definition").json()
    assert body["ok"] is True
    query = body["query"]
    assert query["name"] == "declared"
    assert query["parameters"] == ["a", "b"]
    assert query["hide_sql"] is True
    assert query["is_write"] is False
    missing = canned.get("/data/nope/-/definition")
    assert missing.status_code == 404
    assert missing.json()["error"] == "Query not found: nope"


def test_writable_query_runs_nothing_on_get_and_writes_on_post(canned):
    assert canned.get("/data/writer.json").json()["rows"] == []
    assert canned.get("/data/things.json").json()["rows"][-1]["name"] == "a"
    response = canned.post("/data/writer", data={"name": "c"})
    assert response.status_code == 302  # tests/http/test_canned_writes.py has the rest
    assert canned.get("/data/things.json").json()["rows"][-1]["name"] == "c"
