"""HTML behaviour Datasette 1.0a37 has: breadcrumbs link only to pages the actor may see, the
row page shows outgoing foreign keys as labelled links, and a writable canned query of an
immutable database says it cannot run."""
import json
import re
import shutil

import httpx


def crumbs(html):
    nav = re.search(r'<nav aria-label="Breadcrumbs" class="crumbs">(.*?)</nav>', html, re.S)
    return re.findall(r'<a[^>]*href="([^"]+)"', nav.group(1))


def test_row_page_links_foreign_keys_with_labels(client):
    r = client.get("/fixtures/facetable/1")
    assert r.status_code == 200
    assert '<a href="/fixtures/facet_cities/1">San Francisco</a> <span class="fk-id">1</span>' \
        in r.text


def test_crumbs_for_a_visible_actor(client):
    assert crumbs(client.get("/fixtures/facetable/1").text) == [
        "/", "/fixtures", "/fixtures/facetable"]


def test_crumbs_respect_permissions(start_server, tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    config = {"allow": {"id": "nobody"},
              "databases": {"fixtures": {"allow": True}}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    server = start_server("fixtures.db", "-c", "config.json", cwd=tmp_path)
    with httpx.Client(base_url=server.url) as c:
        assert c.get("/").status_code == 403
        r = c.get("/fixtures/facetable")
        assert r.status_code == 200
        # No link to the instance page the actor cannot see.
        assert crumbs(r.text) == ["/fixtures"]
        assert '<span class="brand">Almanac</span>' in r.text


def test_immutable_database_writable_query(start_server, tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    config = {"databases": {"fixtures": {"queries": {"add_city": {
        "sql": "insert into facet_cities (name) values (:name)", "write": True}}}}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    server = start_server("-i", "fixtures.db", "-c", "config.json", cwd=tmp_path)
    with httpx.Client(base_url=server.url) as c:
        r = c.get("/fixtures/add_city")
        assert r.status_code == 200
        assert "This query cannot be executed because the database is immutable." in r.text
        assert '<button type="submit" class="primary" disabled>' in r.text
