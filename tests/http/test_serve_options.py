"""`almanac serve --crossdb` (the database files attached read-only to /_memory) and
`--load-extension` (from the command line only: SQL can still never load an extension)."""
import os
import shutil
from pathlib import Path

import httpx
import pytest

from almanac_server import almanac_binary


def extension_path():
    env = os.environ.get("ALMANAC_TEST_EXTENSION")
    if env:
        return Path(env)
    return Path(almanac_binary()).parent / "tests" / "libalm_test_extension.so"


@pytest.fixture
def two_databases(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    shutil.copy(fixtures_dir / "extra database.db", tmp_path / "extra database.db")
    return tmp_path


def test_crossdb_joins_across_databases(start_server, two_databases):
    server = start_server("fixtures.db", "-i", "extra database.db", "--crossdb",
                          cwd=two_databases)
    with httpx.Client(base_url=server.url) as c:
        names = [d["name"] for d in c.get("/-/databases.json").json()["databases"]]
        assert "_memory" in names
        r = c.get("/_memory/-/query.json", params={
            "sql": "select (select count(*) from fixtures.facet_cities) as cities, "
                   "(select count(*) from [extra database].searchable) as searchable"})
        assert r.status_code == 200, r.text
        assert r.json()["rows"] == [{"cities": 4, "searchable": 2}]
        # Read-only: the attached files cannot be written through /_memory.
        r = c.get("/_memory/-/query.json",
                  params={"sql": "select * from fixtures.facet_cities; delete from fixtures.facet_cities"})
        assert r.status_code == 400


def test_without_crossdb_nothing_is_attached(start_server, two_databases):
    server = start_server("fixtures.db", "--memory", cwd=two_databases)
    with httpx.Client(base_url=server.url) as c:
        r = c.get("/_memory/-/query.json",
                  params={"sql": "select count(*) from fixtures.facet_cities"})
        assert r.status_code == 400


def test_load_extension(start_server, two_databases):
    path = extension_path()
    if not path.exists():
        pytest.skip(f"test extension not built ({path}); build target alm_test_extension")
    for spec in (str(path), f"{path}:almanac_hello_init"):
        server = start_server("fixtures.db", "--load-extension", spec, cwd=two_databases)
        with httpx.Client(base_url=server.url) as c:
            r = c.get("/fixtures/-/query.json", params={"sql": "select almanac_test_hello() as h"})
            assert r.status_code == 200, r.text
            assert r.json()["rows"] == [{"h": "hello"}]
            # SQL can never load an extension itself.
            r = c.get("/fixtures/-/query.json",
                      params={"sql": f"select load_extension('{path}')"})
            assert r.status_code == 400
        server.stop()


def test_load_extension_failure_is_reported(two_databases):
    import subprocess
    result = subprocess.run([almanac_binary(), "serve", "fixtures.db", "--load-extension",
                             "/nonexistent/ext.so", "-p", "0"], cwd=two_databases,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "could not load extension /nonexistent/ext.so" in result.stderr
