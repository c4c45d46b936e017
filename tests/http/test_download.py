"""/<db>.db downloads (Datasette's database_download: immutable files only, allow_download,
view-database-download) and the /:memory: redirect."""
import json
import shutil

import httpx

from almanac_server import AlmanacServer


def get(server, path, **kwargs):
    return httpx.get(server.url + path, timeout=10, **kwargs)


def test_immutable_database_downloads_as_an_attachment(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    with AlmanacServer(["-i", "fixtures.db"], cwd=tmp_path) as s:
        r = get(s, "/fixtures.db")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/octet-stream"
        assert r.headers["content-disposition"] == 'attachment; filename="fixtures.db"'
        assert r.content == (tmp_path / "fixtures.db").read_bytes()
        assert r.content.startswith(b"SQLite format 3\x00")
        missing = get(s, "/nope.db")
        assert missing.status_code == 404
        assert "Invalid database" in missing.text
        assert httpx.post(s.url + "/fixtures.db", timeout=10).status_code == 405



def test_a_quote_in_the_file_name_cannot_break_the_header(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / 'odd"name.db')
    with AlmanacServer(["-i", 'odd"name.db'], cwd=tmp_path) as s:
        r = get(s, "/odd~22name.db")
        assert r.status_code == 200
        assert r.headers["content-disposition"] == 'attachment; filename="odd_name.db"'


def test_mutable_and_memory_databases_are_not_downloadable(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    with AlmanacServer(["fixtures.db", "--memory"], cwd=tmp_path) as s:
        mutable = get(s, "/fixtures.db")
        assert mutable.status_code == 403
        assert "Database download is forbidden" in mutable.text
        memory = get(s, "/_memory.db")
        assert memory.status_code == 404
        assert "Cannot download in-memory databases" in memory.text


def test_allow_download_off_and_permission_denied(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    with AlmanacServer(["-i", "fixtures.db", "--setting", "allow_download", "off"],
                       cwd=tmp_path) as s:
        assert get(s, "/fixtures.db").status_code == 403
    (tmp_path / "config.json").write_text(json.dumps(
        {"databases": {"fixtures": {"permissions": {"view-database-download": False}}}}))
    with AlmanacServer(["-i", "fixtures.db", "-c", "config.json"], cwd=tmp_path) as s:
        assert get(s, "/fixtures.db").status_code == 403
        assert get(s, "/fixtures.json").status_code == 200


def test_memory_path_redirects_to_underscore_memory(start_server):
    s = start_server("--memory")
    r = get(s, "/:memory:")
    assert r.status_code == 301
    assert r.headers["location"] == "/_memory"
    r = get(s, "/:memory:/-/query.json?sql=select+1")
    assert r.status_code == 301
    assert r.headers["location"] == "/_memory/-/query.json?sql=select+1"
    followed = get(s, "/:memory:/-/query.json?sql=select+1+as+one", follow_redirects=True)
    assert followed.json()["rows"] == [{"one": 1}]
