"""Writable canned queries (config queries with "write": true), as Datasette's QueryView.post
runs them: parameters from a form or JSON body, magic parameters, the success and error
messages and redirects, JSON answers, the ds_messages cookie, and view-query permissions."""
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "canned-write-secret"

QUERIES = {
    "add_name": {"sql": "insert into names (name) values (:name)", "write": True},
    "add_named": {
        "sql": "insert into names (name) values (:name)", "write": True,
        "on_success_message": "Name added", "on_success_redirect": "/data/names",
        "on_error_message": "Could not add", "on_error_redirect": "/data/oops"},
    "add_counted": {
        "sql": "insert into names (name) values (:name)", "write": True,
        "on_success_message_sql": "select 'Now ' || count(*) || ' names' from names"},
    "add_bad_message_sql": {
        "sql": "insert into names (name) values (:name)", "write": True,
        "on_success_message_sql": "select * from no_such_table"},
    "add_unique": {"sql": "insert into uniq (v) values (:v)", "write": True},
    "rename_all": {"sql": "update names set name = upper(name)", "write": True},
    "add_actor": {"sql": "insert into names (name) values (:_actor_id)", "write": True},
    "root_only": {"sql": "insert into names (name) values ('root')", "write": True,
                  "allow": {"id": "root"}},
    "create_view": {"sql": "create view if not exists v1 as select 1", "write": True},
    "read_only": "select count(*) from names",
}


def make_db(path):
    conn = sqlite3.connect(path)
    conn.execute("create table names (id integer primary key, name text)")
    conn.execute("create table uniq (v text unique)")
    conn.execute("insert into uniq values ('taken')")
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("canned_writes")
    make_db(root / "data.db")
    (root / "config.json").write_text(json.dumps({"databases": {"data": {"queries": QUERIES}}}))
    with AlmanacServer(["data.db", "-c", "config.json", "--secret", SECRET], cwd=root) as s:
        yield s


@pytest.fixture
def client(served):
    with httpx.Client(base_url=served.url, timeout=10) as c:
        yield c


def names(client):
    return [r["name"] for r in client.get("/data/names.json?_shape=array&_sort=id").json()]


def test_json_body_runs_the_write(client):
    r = client.post("/data/add_name", json={"name": "Cleo"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "message": "Query executed, 1 row affected", "redirect": None}
    assert names(client)[-1] == "Cleo"


def test_form_post_redirects_back_with_a_signed_message(client):
    r = client.post("/data/add_name", data={"name": "Pancakes", "csrftoken": "ignored"})
    assert r.status_code == 302
    assert r.headers["location"] == "/data/add_name"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("ds_messages=") and "Path=/" in cookie
    assert names(client)[-1] == "Pancakes"
    # The next page shows the message once and clears the cookie.
    value = cookie.split(";")[0].split("=", 1)[1]
    page = client.get("/data/names")  # the client kept the cookie
    assert "Query executed, 1 row affected" in page.text
    assert 'class="message-info"' in page.text
    assert page.headers["set-cookie"].startswith('ds_messages=""')
    assert "Query executed" not in client.get("/data/names").text  # shown once
    with httpx.Client(base_url=str(client.base_url), timeout=10,
                      cookies={"ds_messages": value[:-2] + "xx"}) as forger:
        assert "Query executed" not in forger.get("/data/names").text


def test_json_via_underscore_json_and_dot_json(client):
    r = client.post("/data/add_name?_json=1", data={"name": "a"})
    assert r.json()["ok"] is True
    r = client.post("/data/add_name", data={"name": "b", "_json": "1"})
    assert r.json()["message"] == "Query executed, 1 row affected"
    r = client.post("/data/add_name.json", data={"name": "c"})
    assert r.status_code == 200 and r.json()["ok"] is True
    assert names(client)[-3:] == ["a", "b", "c"]


def test_json_values_become_python_strings(client):
    client.post("/data/add_name", json={"name": True, "_json": 1})
    client.post("/data/add_name", json={"name": 1.5, "_json": 1})
    client.post("/data/add_name", json={"name": None, "_json": 1})
    assert names(client)[-3:] == ["True", "1.5", "None"]


def test_success_message_and_redirect_from_config(client):
    r = client.post("/data/add_named", json={"name": "x", "_json": 1})
    assert r.json() == {"ok": True, "message": "Name added", "redirect": "/data/names"}
    form = client.post("/data/add_named", data={"name": "y"})
    assert form.status_code == 302 and form.headers["location"] == "/data/names"


def test_error_message_and_redirect_from_config(client):
    r = client.post("/data/add_named", json={"_json": 1})  # :name missing
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error": "Could not add", "errors": ["Could not add"],
                        "status": 400, "redirect": "/data/oops"}
    form = client.post("/data/add_named", data={})
    assert form.status_code == 302 and form.headers["location"] == "/data/oops"


def test_sql_errors_are_reported_and_roll_back(client):
    r = client.post("/data/add_unique", json={"v": "taken"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and "UNIQUE constraint failed" in body["error"]
    assert body["redirect"] is None
    missing = client.post("/data/add_name", json={"_json": 1})
    assert missing.json()["error"] == "You did not supply a value for binding parameter :name."


def test_message_sql_sees_the_write(client):
    before = len(names(client))
    r = client.post("/data/add_counted", json={"name": "z", "_json": 1})
    assert r.json()["message"] == "Now %d names" % (before + 1)
    bad = client.post("/data/add_bad_message_sql", json={"name": "q", "_json": 1})
    assert bad.status_code == 200
    assert bad.json()["message"].startswith("Error running on_success_message_sql: ")
    assert names(client)[-1] == "q"


def test_rowcount_and_non_dml_messages(client):
    count = len(names(client))
    r = client.post("/data/rename_all", json={"_json": 1})
    assert r.json()["message"] == "Query executed, %d rows affected" % count
    r = client.post("/data/create_view", json={"_json": 1})
    assert r.json()["message"] == "Query executed"


def test_magic_parameters_come_from_the_request(client):
    anonymous = client.post("/data/add_actor", json={"_json": 1})
    assert anonymous.status_code == 400
    token = root_token(SECRET)
    r = client.post("/data/add_actor", json={"_json": 1},
                    headers={"Authorization": "Bearer " + token})
    assert r.json()["ok"] is True
    assert names(client)[-1] == "root"


def test_view_query_permission_is_required(client):
    before = len(names(client))
    denied = client.post("/data/root_only", json={"_json": 1})
    assert denied.status_code == 403
    assert denied.json()["ok"] is False
    assert len(names(client)) == before
    allowed = client.post("/data/root_only", json={"_json": 1},
                          headers={"Authorization": "Bearer " + root_token(SECRET)})
    assert allowed.json()["ok"] is True


def test_get_still_shows_the_form_and_runs_nothing(client):
    before = names(client)
    assert client.get("/data/add_name.json").json()["rows"] == []
    page = client.get("/data/add_name")
    assert page.status_code == 200 and 'method="post"' in page.text
    assert 'name="name"' in page.text
    assert names(client) == before


def test_read_only_canned_queries_refuse_post(client):
    assert client.post("/data/read_only", data={}).status_code == 405


def test_immutable_databases_refuse(tmp_path):
    make_db(tmp_path / "data.db")
    (tmp_path / "config.json").write_text(
        json.dumps({"databases": {"data": {"queries": QUERIES}}}))
    with AlmanacServer(["-i", "data.db", "-c", "config.json"], cwd=tmp_path) as s:
        r = httpx.post(s.url + "/data/add_name", json={"name": "x", "_json": 1})
        assert r.status_code == 403
        assert r.json()["error"] == "Database is immutable"
