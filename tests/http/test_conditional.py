"""Conditional requests: table, row and query pages carry an ETag made from the database's
change generation (an immutable file's content hash), the configuration and the actor;
If-None-Match with the current tag is a 304 (after the permission check), a change to the data
gives a new tag; answers that depended on an actor are Cache-Control: private."""
import json
import shutil
import sqlite3

import httpx
import pytest

from tokens import root_token

PAGES = ["/data/items.json", "/data/items", "/data/items/1.json", "/data/items/1",
         "/data/-/query.json?sql=select+*+from+items", "/data/items.json?_where=id>1"]


@pytest.fixture
def data_server(start_server, tmp_path):
    with sqlite3.connect(tmp_path / "data.db") as conn:
        conn.execute("create table items (id integer primary key, name text)")
        conn.executemany("insert into items values (?, ?)", [(i, f"item {i}") for i in range(1, 50)])
    (tmp_path / "config.json").write_text(json.dumps(
        {"databases": {"data": {"tables": {"secret": {"allow": {"id": "root"}}}}}}))
    with sqlite3.connect(tmp_path / "data.db") as conn:
        conn.execute("create table secret (id integer primary key)")
    server = start_server("data.db", "-c", "config.json", "--secret", "s3", cwd=tmp_path)
    server.db_path = tmp_path / "data.db"
    return server


def get(server, path, **headers):
    headers.setdefault("Accept-Encoding", "identity")
    return httpx.get(server.url + path, headers=headers, timeout=30)


@pytest.mark.parametrize("path", PAGES)
def test_the_same_tag_gets_a_304(data_server, path):
    first = get(data_server, path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = get(data_server, path, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = get(data_server, path, **{"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.headers["etag"] == etag


def test_a_change_to_the_data_changes_the_tag(data_server):
    first = get(data_server, "/data/items.json")
    with sqlite3.connect(data_server.db_path) as conn:
        conn.execute("insert into items values (100, 'new')")
    after = get(data_server, "/data/items.json", **{"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != first.headers["etag"]
    assert any(row["id"] == 100 for row in after.json()["rows"])


def test_gzip_answers_have_their_own_tag(data_server):
    plain = get(data_server, "/data/items.json?_size=40")
    zipped = get(data_server, "/data/items.json?_size=40", **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for tag in (zipped.headers["etag"], plain.headers["etag"]):
        r = get(data_server, "/data/items.json?_size=40",
                **{"Accept-Encoding": "gzip", "If-None-Match": tag})
        assert r.status_code == 304
        assert r.headers["etag"] == tag


def test_varying_sql_gets_no_tag(data_server):
    for sql in ("select random()", "select datetime('now')", "select * from items where id > 1"):
        r = get(data_server, "/data/-/query.json?sql=" + sql)
        assert r.status_code == 200
        assert ("etag" in r.headers) == (sql == "select * from items where id > 1"), sql


def test_the_permission_check_comes_before_the_304(data_server):
    r = get(data_server, "/data/secret.json", **{"If-None-Match": "*"})
    assert r.status_code == 403
    token = root_token("s3")
    r = get(data_server, "/data/secret.json", Authorization="Bearer " + token)
    assert r.status_code == 200
    again = get(data_server, "/data/secret.json", Authorization="Bearer " + token,
                **{"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    anonymous = get(data_server, "/data/secret.json", **{"If-None-Match": r.headers["etag"]})
    assert anonymous.status_code == 403


def test_answers_for_an_actor_are_private_and_tagged_apart(data_server):
    anonymous = get(data_server, "/data/items.json")
    assert anonymous.headers["cache-control"] == "max-age=5"
    token = root_token("s3")
    signed_in = get(data_server, "/data/items.json", Authorization="Bearer " + token)
    assert signed_in.headers["cache-control"] == "private, max-age=5"
    assert signed_in.headers["etag"] != anonymous.headers["etag"]
    r = get(data_server, "/data/items.json", Authorization="Bearer " + token,
            **{"If-None-Match": anonymous.headers["etag"]})
    assert r.status_code == 200


def test_ttl_headers_follow_default_cache_ttl(start_server, tmp_path):
    with sqlite3.connect(tmp_path / "t.db") as conn:
        conn.execute("create table t (id integer primary key)")
    server = start_server("t.db", "--setting", "default_cache_ttl", "60", cwd=tmp_path)
    r = get(server, "/t/t.json")
    assert r.headers["cache-control"] == "max-age=60"
    assert get(server, "/t/t.json?_ttl=0").headers["cache-control"] == "no-cache"
    not_modified = get(server, "/t/t.json", **{"If-None-Match": r.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.headers["cache-control"] == "max-age=60"


def wait_for_etag(server, path):
    """Immutable files are hashed in the background: the tag appears once that is done."""
    for _ in range(2000):
        r = get(server, path)
        if "etag" in r.headers:
            return r.headers["etag"]
    raise AssertionError("no ETag after 2000 requests")


def test_immutable_files_are_tagged_by_their_content(start_server, tmp_path):
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute("create table t (id integer primary key)")
        conn.execute("insert into t values (1)")
    first = start_server("-i", "a.db", cwd=tmp_path)
    tag = wait_for_etag(first, "/a/t.json")
    first.stop()
    second = start_server("-i", "a.db", cwd=tmp_path)
    assert wait_for_etag(second, "/a/t.json") == tag, "the same file has the same tag"
    assert get(second, "/a/t.json", **{"If-None-Match": tag}).status_code == 304
    second.stop()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    with sqlite3.connect(tmp_path / "b.db") as conn:
        conn.execute("insert into t values (2)")
    (tmp_path / "a.db").unlink()
    shutil.move(tmp_path / "b.db", tmp_path / "a.db")
    third = start_server("-i", "a.db", cwd=tmp_path)
    assert wait_for_etag(third, "/a/t.json") != tag
