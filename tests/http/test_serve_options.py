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


def test_inspect_writes_datasettes_inspect_data(two_databases):
    import hashlib
    import json
    import subprocess
    result = subprocess.run([almanac_binary(), "inspect", "fixtures.db", "--inspect-file",
                             "counts.json"], cwd=two_databases, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    text = (two_databases / "counts.json").read_text()
    data = json.loads(text)
    assert text == json.dumps(data, indent=2)  # Datasette writes json.dumps(indent=2)
    entry = data["fixtures"]
    assert entry["hash"] == hashlib.sha256((two_databases / "fixtures.db").read_bytes()).hexdigest()
    assert entry["size"] == (two_databases / "fixtures.db").stat().st_size
    assert entry["file"] == "fixtures.db"
    assert entry["tables"]["facet_cities"] == {"count": 4}
    assert entry["tables"]["facetable"] == {"count": 15}
    # Without --inspect-file the JSON goes to stdout.
    result = subprocess.run([almanac_binary(), "inspect", "fixtures.db"], cwd=two_databases,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout) == data


def test_serve_uses_inspect_file_counts_for_immutable_databases(start_server, two_databases):
    import json
    import shutil as sh
    sh.copy(two_databases / "fixtures.db", two_databases / "frozen.db")
    # Counts that could not come from counting show that the file's counts are used.
    inspect = {"frozen": {"tables": {"facet_cities": {"count": 123456}}},
               "fixtures": {"tables": {"facet_cities": {"count": 123456}}}}
    (two_databases / "counts.json").write_text(json.dumps(inspect))
    server = start_server("fixtures.db", "-i", "frozen.db", "--inspect-file", "counts.json",
                          cwd=two_databases)
    with httpx.Client(base_url=server.url) as c:
        tables = {t["name"]: t for t in c.get("/frozen.json").json()["tables"]}
        assert tables["facet_cities"]["count"] == 123456
        assert tables["facetable"]["count"] == 15  # not in the file: counted
        index = c.get("/.json").json()["databases"]
        frozen = next(d for d in index if d["name"] == "frozen")
        assert frozen["tables_count"] >= 1
        page = c.get("/frozen/facet_cities.json", params={"_extra": "count"}).json()
        assert page["count"] == 123456
        # A filtered page counts its rows.
        page = c.get("/frozen/facet_cities.json", params={"_extra": "count", "id": 1}).json()
        assert page["count"] == 1
        # A mutable database is always counted, as in Datasette.
        page = c.get("/fixtures/facet_cities.json", params={"_extra": "count"}).json()
        assert page["count"] == 4


def test_inspect_file_that_cannot_be_read_stops_the_server(two_databases):
    import subprocess
    result = subprocess.run([almanac_binary(), "serve", "-i", "fixtures.db", "--inspect-file",
                             "missing.json", "-p", "0"], cwd=two_databases,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "missing.json" in result.stderr
