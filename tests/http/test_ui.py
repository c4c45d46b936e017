"""The HTML UI, black-box: statuses match Datasette's, templates and static files can be
overridden, settings that shape HTML are honoured, and pages stay small."""
import http.client
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from almanac_server import AlmanacServer


def html_ok(response):
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


@pytest.mark.parametrize("path,status", [
    ("/", 200),
    ("/fixtures", 200),
    ("/fixtures/facetable", 200),
    ("/fixtures/simple_primary_key/1", 200),
    ("/fixtures/-/query?sql=select+1+as+one", 200),
    ("/fixtures/-/query", 200),                      # an empty editor
    ("/fixtures/-/query?sql=select+*+from+nope", 200),  # the error is shown on the page
    ("/fixtures/-/query?sql=update+facetable+set+state%3D1", 400),
    ("/fixtures/neighborhood_search?text=town", 200),
    ("/fixtures/nope", 404),
    ("/nope", 404),
    ("/fixtures/simple_primary_key/999", 404),
    ("/fixtures/compound_primary_key/a", 400),
    ("/-/versions", 200),
    ("/-/settings", 200),
    ("/-/databases", 200),
    ("/-/actor", 200),
    ("/-/nope", 404),
])
def test_html_statuses_match_datasette(client, path, status):
    response = client.get(path)
    assert response.status_code == status, response.text[:300]
    html_ok(response)


def test_every_page_links_its_json_twin(client):
    for path in ("/", "/fixtures", "/fixtures/facetable", "/fixtures/simple_primary_key/1",
                 "/fixtures/-/query?sql=select+1", "/-/versions"):
        text = html_ok(client.get(path))
        match = re.search(r'<link rel="alternate" type="application/json\+datasette" href="([^"]+)"',
                          text)
        assert match, path
        twin = client.get(match.group(1).replace("&amp;", "&"))
        assert twin.status_code == 200, path
        assert twin.headers["content-type"].startswith("application/json"), path


def test_sql_error_is_400_as_json_but_shown_on_the_html_page(client):
    assert client.get("/fixtures/-/query.json?sql=select+*+from+nope").status_code == 400
    text = client.get("/fixtures/-/query?sql=select+*+from+nope").text
    assert 'role="alert"' in text and "no such table: nope" in text


def test_static_assets_are_cached_by_content_hash(client):
    text = client.get("/").text
    css = re.search(r'href="(/-/static/app\.css\?v=[0-9a-f]+)"', text).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "immutable" in response.headers["cache-control"]
    etag = response.headers["etag"]
    again = client.get(css, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    plain = client.get("/-/static/app.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "max-age=3600"
    assert client.get("/-/static/nope.css").status_code == 404


def test_extra_css_urls_from_config(client):
    text = client.get("/fixtures").text
    assert '<link rel="stylesheet" href="/static/extra-css-urls.css">' in text


def test_template_dir_overrides_and_static_mounts(fixtures_dir, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "error.mustache").write_text("<h1 class=\"custom\">Custom {{status}}: {{message}}</h1>\n")
    (templates / "_table_actions.mustache").write_text("<p class=\"custom-actions\">mine</p>\n")
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "hello.txt").write_text("hello from a mount")
    (tmp_path / "secret.txt").write_text("outside the mount")
    args = ["fixtures.db", "--template-dir", str(templates), "--static", f"assets:{assets}"]
    with AlmanacServer(args, cwd=fixtures_dir) as server, httpx.Client(base_url=server.url) as c:
        missing = c.get("/fixtures/nope")
        assert missing.status_code == 404
        assert '<h1 class="custom">Custom 404: Table not found</h1>' in missing.text
        assert '<p class="custom-actions">mine</p>' in c.get("/fixtures/facetable").text
        mounted = c.get("/assets/hello.txt")
        assert mounted.status_code == 200 and mounted.text == "hello from a mount"
        assert mounted.headers["content-type"].startswith("text/plain")
        assert c.get("/assets/nope.txt").status_code == 404
        # A raw "../" must not escape the mount (httpx would normalise it, so use http.client).
        conn = http.client.HTTPConnection(urlsplit(server.url).hostname, server.port)
        conn.request("GET", "/assets/../secret.txt")
        escaped = conn.getresponse()
        assert escaped.status == 404 and b"outside" not in escaped.read()
        conn.close()


def test_bad_static_mount_is_refused(fixtures_dir, tmp_path):
    with pytest.raises(RuntimeError, match="--static"):
        AlmanacServer(["fixtures.db", "--static", f"x:{tmp_path / 'missing'}"], cwd=fixtures_dir).start()


def test_truncate_cells_html(tmp_path):
    db = tmp_path / "long.db"
    conn = sqlite3.connect(db)
    conn.execute("create table t (id integer primary key, body text)")
    conn.execute("insert into t values (1, ?)", ("abcdefghij" * 30,))
    conn.commit()
    conn.close()
    args = ["long.db", "--setting", "truncate_cells_html", "12"]
    with AlmanacServer(args, cwd=tmp_path) as server, httpx.Client(base_url=server.url) as c:
        table = c.get("/long/t").text
        assert "abcdefghijab\u2026" in table and "abcdefghijabc" not in table
        # The row page and JSON keep the whole value.
        assert "abcdefghij" * 30 in c.get("/long/t/1").text
        assert c.get("/long/t.json").json()["rows"][0]["body"] == "abcdefghij" * 30


def test_a_100_row_page_with_its_css_and_js_stays_under_100_kb(tmp_path):
    db = tmp_path / "wide.db"
    conn = sqlite3.connect(db)
    conn.execute("create table places (id integer primary key, name text, state text, "
                 "population integer, area real, founded text, url text, notes text)")
    conn.executemany("insert into places values (?, ?, ?, ?, ?, ?, ?, ?)", [
        (i, f"Place number {i}", ["CA", "MI", "NY", "TX"][i % 4], 1000 * i, i * 1.5,
         f"19{i % 100:02d}-01-01", f"https://example.com/places/{i}", "A short note " * 3)
        for i in range(1, 301)])
    conn.commit()
    conn.close()
    with AlmanacServer(["wide.db"], cwd=tmp_path) as server, httpx.Client(base_url=server.url) as c:
        page = c.get("/wide/places")
        assert page.status_code == 200
        assert page.text.count("<tr>") == 101  # header + 100 rows
        assets = re.findall(r'(?:href|src)="(/-/static/[^"]+)"', page.text)
        total = len(page.content) + sum(len(c.get(a).content) for a in assets)
        print(f"100-row page: html {len(page.content)} bytes, with css+js {total} bytes")
        assert total < 100 * 1024
