"""Hostile values are escaped on every HTML page: a database whose table names, column names
and cells hold <script> tags and quotes (made with the sqlite3 command-line tool), served with
a config whose canned query and metadata are hostile too, and query strings that try the same."""
import json
import re
import subprocess
from html.parser import HTMLParser
from urllib.parse import quote

import httpx
import pytest

from almanac_server import AlmanacServer

TABLE = "<script>alert('table')</script>\"t"
COLUMN = "<img src=x onerror=alert('col')>"
QUOTED = "\"q\" 'col'"
CELL = "<script>alert(\"cell\")</script>"
ATTR = "\"><svg onload=alert(1)>"
URLISH = "https://example.com/\"><script>alert('url')</script>"
VIEW = "<b>view</b>\""
# What must never appear raw in a page (every one of them would run or inject markup).
MARKERS = ["<script>alert", "<img src=x", "<svg onload", "<b>view</b>",
           "\"><svg"]


def sql_name(name):
    return '"' + name.replace('"', '""') + '"'


def sql_text(text):
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    script = f"""
create table {sql_name(TABLE)} (id integer primary key, {sql_name(COLUMN)} text, {sql_name(QUOTED)} text, link text);
insert into {sql_name(TABLE)} values (1, {sql_text(CELL)}, {sql_text(ATTR)}, {sql_text(URLISH)});
insert into {sql_name(TABLE)} values (2, {sql_text(ATTR)}, {sql_text(CELL)}, 'javascript:alert(1)');
create view {sql_name(VIEW)} as select * from {sql_name(TABLE)};
create table other (id integer primary key, ref integer references {sql_name(TABLE)}(id), {sql_name(COLUMN)} text);
insert into other values (1, 1, {sql_text(CELL)});
"""
    subprocess.run(["sqlite3", str(tmp / "evil.db")], input=script, text=True, check=True)
    config = {
        "databases": {"evil": {"queries": {
            "<script>q</script>": {"sql": f"select {sql_name(COLUMN)} from {sql_name(TABLE)} where id = :id",
                                    "title": CELL, "description": ATTR},
        }}},
    }
    metadata = {"title": CELL, "description": ATTR, "license": CELL, "license_url": ATTR}
    (tmp / "config.json").write_text(json.dumps(config))
    (tmp / "metadata.json").write_text(json.dumps(metadata))
    args = ["evil.db", "-c", "config.json", "-m", "metadata.json"]
    with AlmanacServer(args, cwd=tmp) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client


def tilde(name):
    out = []
    for ch in name.encode():
        c = chr(ch)
        if c.isalnum() and ch < 128 or c in "_-":
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append(f"~{ch:02X}")
    return "".join(out)


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's parser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_escaped(response, path):
    assert response.headers["content-type"].startswith("text/html"), path
    body = response.text
    for marker in MARKERS:
        assert marker not in body, f"{marker!r} unescaped on {path}"
    parser = Elements()
    parser.feed(body)
    for tag, attrs in parser.tags:
        # No element the data could have made: no images, inline SVG handlers or bold text...
        assert tag not in ("img", "b", "iframe", "object", "embed"), (path, tag, attrs)
        # ...no event handler attributes and no javascript: links...
        assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), (path, tag, attrs)
        # ...and the only scripts are our own, loaded from /-/static/.
        if tag == "script":
            assert re.fullmatch(r"/-/static/app\.js\?v=[0-9a-f]+", attrs.get("src") or ""), (path, attrs)
    return body


def test_every_page_escapes_hostile_names_and_values(hostile):
    table = "/evil/" + tilde(TABLE)
    pages = [
        "/",
        "/evil",
        table,
        table + "/1",
        table + "/2",
        "/evil/" + tilde(VIEW),
        "/evil/other",
        "/evil/other/1",
        table + "?_sort=" + quote(COLUMN),
        table + "?_sort_desc=" + quote(QUOTED),
        table + "?" + quote(COLUMN) + "__contains=" + quote(CELL),
        table + "?" + quote(QUOTED) + "=" + quote(ATTR) + "&_facet=" + quote(COLUMN),
        table + "?_search=" + quote(CELL) + "&_size=1",
        "/evil/-/query?sql=" + quote(f"select {sql_text(CELL)} as {sql_name(COLUMN)}, :{'p'} as x") +
        "&p=" + quote(ATTR),
        "/evil/-/query?sql=" + quote(f"select * from {sql_name(CELL)}"),
        "/evil/" + tilde("<script>q</script>") + "?id=1",
        "/evil/" + tilde("<script>q</script>") + "?id=" + quote(CELL),
        "/evil/-/schema",
        "/-/databases",
        "/-/settings",
        "/-/actor",
    ]
    for path in pages:
        response = hostile.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        assert_escaped(response, path)


def test_hostile_values_are_shown_escaped(hostile):
    body = hostile.get("/evil/" + tilde(TABLE)).text
    assert "&lt;script&gt;alert(&quot;cell&quot;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(" in body
    assert "&lt;script&gt;alert(&#39;table&#39;)&lt;/script&gt;&quot;t" in body
    # A URL cell is a link only with its quotes escaped; javascript: is never a link.
    assert 'href="javascript:' not in body
    query = hostile.get("/evil/-/query?sql=" + quote(f"select {sql_text(CELL)} as {sql_name(COLUMN)}"))
    assert "&lt;script&gt;alert(&quot;cell&quot;)&lt;/script&gt;" in query.text


def test_error_pages_escape_the_path_and_message(hostile):
    for path in ["/evil/" + quote(CELL), "/" + tilde(CELL), "/evil/" + tilde(TABLE) + "/999",
                 "/evil/" + tilde(TABLE) + "?_sort=nope" + quote(CELL),
                 "/evil/-/query?sql=" + quote(f"update other set {sql_name(COLUMN)} = {sql_text(CELL)}"),
                 "/-/" + tilde(CELL)]:
        response = hostile.get(path)
        assert response.status_code in (302, 400, 404), (path, response.status_code)
        if response.status_code != 302:
            assert_escaped(response, path)
