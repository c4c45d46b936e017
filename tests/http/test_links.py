"""The backlinks index (docs/links.md): counts and pages of the rows linking to a row, from
declared foreign keys and configured soft links (a column, a JSON path), kept exact by writes
through the API, filtered by permission, and `almanac links verify` / `rebuild`."""
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer, almanac_binary  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "links-test-secret"
CONFIG = {"databases": {"blog": {
    "links": {"soft": [{"from": "posts.reviewer", "to": "users"},
                       {"from": "posts.meta", "path": "$.tagged[*]", "to": "users"}]},
    "tables": {"secret": {"allow": {"id": "root"}}},
}}}


def make_db(tmp):
    conn = sqlite3.connect(tmp / "blog.db")
    conn.executescript("""
        create table users (id integer primary key, name text);
        create table posts (id integer primary key, author integer references users(id),
                            reviewer integer, meta text);
        create table secret (id integer primary key, who integer references users(id));
        insert into users values (1, 'ann'), (2, 'bob');
        insert into posts values (10, 1, 2, '{"tagged": [2]}'), (11, 1, null, null);
        insert into secret values (1, 2);
    """)
    conn.commit()
    conn.close()
    (tmp / "links.json").write_text(json.dumps(CONFIG))


def start(tmp):
    return AlmanacServer(["blog.db", "-c", "links.json", "--secret", SECRET, "--root"],
                         cwd=tmp).start()


def build_index(tmp):
    """Serves the file until its index is built (a read waits for the build, which runs beside
    the server's writer), then stops."""
    server = start(tmp)
    try:
        get(server.url, "/blog/-/links/all.json", auth(), target="users/1")
    finally:
        server.stop()


def auth():
    return {"Authorization": "Bearer " + root_token(SECRET)}


def get(url, path, headers=None, **params):
    r = httpx.get(url + path, params=params, headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()


def verify(tmp):
    return subprocess.run([almanac_binary(), "links", "verify", "blog.db", "-c", "links.json"],
                          cwd=tmp, capture_output=True, text=True)


def test_counts_pages_and_permissions(tmp_path):
    make_db(tmp_path)
    server = start(tmp_path)
    try:
        url = server.url
        everything = get(url, "/blog/-/links/all.json", auth(), target="users/2")
        assert everything["total"] == 3
        assert everything["links"] == {"posts": {"meta$.tagged[*]": 1, "reviewer": 1},
                                       "secret": {"who": 1}}
        # Anonymous readers do not see the private table's links, in counts or rows
        public = get(url, "/blog/-/links/all.json", target="users/2")
        assert public["total"] == 2 and "secret" not in public["links"]
        rows = get(url, "/blog/-/links.json", target="users/2")
        assert {r["table"] for r in rows["rows"]} == {"posts"} and rows["total"] == 2
        r = httpx.get(url + "/blog/-/links.json", params={"target": "users/2",
                                                          "source": "secret.who"})
        assert r.status_code == 403
        # Pages by source
        first = get(url, "/blog/-/links.json", target="users/1", source="posts.author", _size=1)
        assert first["total"] == 2 and first["rows"] == [
            {"table": "posts", "column": "author", "pk": [10]}]
        second = get(url, "/blog/-/links.json", target="users/1", source="posts.author",
                     _size=1, _next=first["next"])
        assert second["rows"] == [{"table": "posts", "column": "author", "pk": [11]}]
        assert second["next"] is None
        # Writes through the API keep it exact
        r = httpx.post(url + "/blog/posts/-/insert", headers=auth(), json={"rows": [
            {"id": 12, "author": 2, "meta": '{"tagged": [1, 2]}'}]})
        assert r.status_code == 201, r.text
        assert get(url, "/blog/-/links/all.json", target="users/1")["links"] == {
            "posts": {"author": 2, "meta$.tagged[*]": 1}}
        r = httpx.post(url + "/blog/posts/10/-/delete", headers=auth())
        assert r.status_code == 200, r.text
        r = httpx.post(url + "/blog/-/execute-write", headers=auth(),
                       json={"sql": "update posts set author = 2"})
        assert r.status_code == 200, r.text
        assert get(url, "/blog/-/links/all.json", target="users/1")["links"] == {
            "posts": {"meta$.tagged[*]": 1}}
        # Errors in plain words
        r = httpx.get(url + "/blog/-/links.json", params={"target": "users"})
        assert r.status_code == 400 and "TABLE/PK" in r.json()["error"]
        r = httpx.get(url + "/blog/-/links.json", params={"target": "nope/1"})
        assert r.status_code == 404
    finally:
        server.stop()
    result = verify(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def with_side_file(tmp_path):
    """The database file with the index's side file attached: the links and counters are
    there, their kinds in the database file."""
    conn = sqlite3.connect(tmp_path / "blog.db")
    conn.execute("attach ? as almanac_links", [str(tmp_path / "blog.db-links")])
    return conn


def test_verify_finds_a_difference_and_rebuild_repairs(tmp_path):
    make_db(tmp_path)
    build_index(tmp_path)
    assert verify(tmp_path).returncode == 0
    conn = with_side_file(tmp_path)
    conn.execute("delete from _almanac_links where kind in "
                 "(select id from _almanac_link_kinds where source_column = 'reviewer')")
    conn.commit()
    conn.close()
    broken = verify(tmp_path)
    assert broken.returncode == 1, broken.stdout
    assert "missing" in broken.stdout
    rebuilt = subprocess.run([almanac_binary(), "links", "rebuild", "blog.db", "-c", "links.json"],
                             cwd=tmp_path, capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "5 links indexed" in rebuilt.stdout
    assert verify(tmp_path).returncode == 0


def test_off_unless_configured(tmp_path):
    make_db(tmp_path)
    server = AlmanacServer(["blog.db"], cwd=tmp_path).start()
    try:
        r = httpx.get(server.url + "/blog/-/links.json", params={"target": "users/1"})
        assert r.status_code == 404 and "links" in r.json()["error"]
    finally:
        server.stop()
    names = [r[0] for r in sqlite3.connect(tmp_path / "blog.db").execute(
        "select name from sqlite_master")]
    assert not [n for n in names if n.startswith("_almanac")]
    assert not (tmp_path / "blog.db-links").exists()


def test_row_page_counts_come_from_the_index(tmp_path):
    make_db(tmp_path)
    build_index(tmp_path)
    # Tamper with a stored counter: the row page shows it, so it read the index, not COUNT(*).
    conn = with_side_file(tmp_path)
    conn.execute("update _almanac_link_counts set n = 42 where target_key = '1' and kind in "
                 "(select id from _almanac_link_kinds where source_column = 'author')")
    conn.commit()
    conn.close()
    server = start(tmp_path)
    try:
        page = get(server.url, "/blog/users/1.json", auth(), _extra="foreign_key_tables")
        counts = {(t["other_table"], t["other_column"]): t["count"]
                  for t in page["foreign_key_tables"]}
        assert counts == {("posts", "author"): 42, ("secret", "who"): 0}
        html = httpx.get(server.url + "/blog/users/1", headers=auth(),
                         params={"_extra": "foreign_key_tables"}).text
        assert "Links from other tables" in html and ">42 " in html
    finally:
        server.stop()
