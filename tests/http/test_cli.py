"""`almanac serve` flags, as Datasette's `datasette serve` spells them."""
import hashlib
import json
import re
import resource
import shutil
import signal
import subprocess

import httpx
import pytest

from almanac_server import AlmanacServer, almanac_binary


def run(args, cwd=None, timeout=20):
    """Runs the binary to completion (for flags that make it exit)."""
    return subprocess.run([almanac_binary(), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def get(server, path):
    return httpx.get(server.url + path, timeout=10)


def test_port_zero_prints_the_port(start_server):
    s = start_server("fixtures.db")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", s.url)
    assert s.port != 0
    assert get(s, "/.json").status_code == 200


def test_version_and_help():
    version = run(["--version"])
    assert version.returncode == 0
    assert re.fullmatch(r"almanac \S+\n", version.stdout)
    help_text = run(["serve", "--help"])
    assert help_text.returncode == 0
    # -h is the host, as in Datasette; help is --help only.
    assert re.search(r"-h,--host", help_text.stdout)
    for flag in ["--port", "--immutable", "--memory", "--create", "--setting", "--config",
                 "--metadata", "--cors", "--keep-alive-timeout", "--request-timeout"]:
        assert flag in help_text.stdout
    assert run(["--help"]).returncode == 0


def test_host_flag(fixtures_dir):
    with AlmanacServer(["fixtures.db"], cwd=fixtures_dir, host="localhost") as s:
        assert s.url.startswith("http://localhost:")
        assert httpx.get(f"http://127.0.0.1:{s.port}/.json").status_code == 200


@pytest.mark.parametrize("args,message", [
    (["--setting", "default_page_size", "abc"],
     '"settings.default_page_size" should be an integer'),
    (["--setting", "allow_facet", "maybe"], '"settings.allow_facet" should be on/off/true/false/1/0'),
    (["--setting", "sql_time_limit_ms", "-5"], '"settings.sql_time_limit_ms" should be an integer'),
    (["--setting", "nope", "1"], "Invalid setting 'nope'"),
    (["--setting", "default_page_size"], "--setting needs a NAME and a VALUE"),
    (["-s", "default_page_size", "5", "-s", "max_returned_rows"],
     "--setting needs a NAME and a VALUE"),
])
def test_bad_settings_exit_with_a_clear_message(fixtures_dir, args, message):
    result = run(["serve", "fixtures.db", *args, "-p", "0"], cwd=fixtures_dir)
    assert result.returncode != 0
    assert message in result.stderr
    assert "serving on" not in result.stdout


def test_settings_apply(start_server):
    s = start_server("fixtures.db", "--setting", "default_page_size", "5",
                     "-s", "max_returned_rows", "20", "--setting", "allow_facet", "off")
    settings = get(s, "/-/settings.json").json()
    assert settings["default_page_size"] == 5
    assert settings["max_returned_rows"] == 20
    assert settings["allow_facet"] is False
    assert len(get(s, "/fixtures/compound_three_primary_keys.json").json()["rows"]) == 5
    big = get(s, "/fixtures/-/query.json?sql=select+*+from+compound_three_primary_keys").json()
    assert len(big["rows"]) == 20
    assert big["truncated"] is True


def test_missing_database_file(fixtures_dir):
    result = run(["serve", "missing.db", "-p", "0"], cwd=fixtures_dir)
    assert result.returncode != 0
    assert "missing.db" in result.stderr


def test_not_a_database(tmp_path):
    (tmp_path / "junk.db").write_text("this is not SQLite " * 100)
    result = run(["serve", "junk.db", "-p", "0"], cwd=tmp_path)
    assert result.returncode != 0
    assert "Error" in result.stderr


def file_digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_immutable_databases_serve_every_read(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    before = file_digest(tmp_path / "fixtures.db")
    with AlmanacServer(["-i", "fixtures.db"], cwd=tmp_path) as s:
        databases = get(s, "/-/databases.json").json()["databases"]
        assert [(d["name"], d["is_mutable"]) for d in databases] == [("fixtures", False)]
        for path in ["/.json", "/fixtures.json", "/fixtures/facetable.json",
                     "/fixtures/compound_three_primary_keys.json?_size=3",
                     "/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json",
                     "/fixtures/-/query.json?sql=select+count(*)+from+facetable",
                     "/fixtures/facetable", "/fixtures"]:
            assert get(s, path).status_code == 200, path
        refused = get(s, "/fixtures/-/query.json?sql=delete+from+facetable")
        assert refused.status_code == 400
    assert file_digest(tmp_path / "fixtures.db") == before
    assert not (tmp_path / "fixtures.db-wal").exists()


def test_memory_database(start_server):
    s = start_server("--memory")
    databases = get(s, "/-/databases.json").json()["databases"]
    assert [(d["name"], d["is_memory"]) for d in databases] == [("_memory", True)]
    assert get(s, "/_memory.json").status_code == 200
    r = get(s, "/_memory/-/query.json?sql=select+1+%2B+1+as+two")
    assert r.json()["rows"] == [{"two": 2}]
    assert get(s, "/_memory/-/query.json?sql=create+table+t(x)").status_code == 400


def test_create_makes_missing_files(tmp_path):
    assert not (tmp_path / "new.db").exists()
    with AlmanacServer(["new.db", "--create"], cwd=tmp_path) as s:
        assert get(s, "/new.json").json()["database"] == "new"
    assert (tmp_path / "new.db").exists()


def test_two_files_with_the_same_stem_get_unique_names(tmp_path, fixtures_dir):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "a" / "data.db")
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "b" / "data.db")
    with AlmanacServer(["a/data.db", "b/data.db"], cwd=tmp_path) as s:
        names = [d["name"] for d in get(s, "/-/databases.json").json()["databases"]]
        assert sorted(names) == ["data", "data_2"]


CONFIG_YAML = """
settings:
  default_page_size: 3
  sql_time_limit_ms: 500
databases:
  fixtures:
    tables:
      facetable:
        hidden: true
plugins:
  some-plugin:
    api_key: hunter2
"""

METADATA_YAML = """
title: The title
databases:
  fixtures:
    source: The source
    tables:
      facet_cities:
        sort_desc: name
"""


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_config_and_metadata_files(tmp_path, fixtures_dir, kind):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    config = {"settings": {"default_page_size": 3, "sql_time_limit_ms": 500},
              "databases": {"fixtures": {"tables": {"facetable": {"hidden": True}}}},
              "plugins": {"some-plugin": {"api_key": "hunter2"}}}
    metadata = {"title": "The title",
                "databases": {"fixtures": {"source": "The source", "tables": {
                    "facet_cities": {"sort_desc": "name"}}}}}
    if kind == "yaml":
        (tmp_path / "config.yml").write_text(CONFIG_YAML)
        (tmp_path / "metadata.yml").write_text(METADATA_YAML)
        files = ["-c", "config.yml", "-m", "metadata.yml"]
    else:
        (tmp_path / "config.json").write_text(json.dumps(config))
        (tmp_path / "metadata.json").write_text(json.dumps(metadata))
        files = ["--config", "config.json", "--metadata", "metadata.json"]
    with AlmanacServer(["fixtures.db", *files], cwd=tmp_path) as s:
        settings = get(s, "/-/settings.json").json()
        assert settings["default_page_size"] == 3
        assert settings["sql_time_limit_ms"] == 500
        assert len(get(s, "/fixtures/compound_primary_key.json").json()["rows"]) == 3
        shown = get(s, "/-/config.json").json()
        # The table option from the metadata joins the config; secrets are redacted.
        assert shown["databases"]["fixtures"]["tables"] == {
            "facetable": {"hidden": True},
            "facet_cities": {"sort_desc": "name"}}
        assert shown["plugins"] == {"some-plugin": {"api_key": "***"}}
        tables = {t["name"]: t for t in get(s, "/fixtures.json").json()["tables"]}
        assert tables["facetable"]["hidden"] is True


@pytest.mark.parametrize("text,message", [
    ("settings:\n  default_page_size: abc\n", '"settings.default_page_size" should be an integer'),
    ("settings:\n  nope: 1\n", "Invalid setting 'nope'"),
    ("- a list\n", "must contain a JSON/YAML object"),
    ("a: [unclosed\n", "Could not parse"),
])
def test_bad_config_files(tmp_path, fixtures_dir, text, message):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    (tmp_path / "config.yml").write_text(text)
    result = run(["serve", "fixtures.db", "-c", "config.yml", "-p", "0"], cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_missing_config_file(fixtures_dir):
    result = run(["serve", "fixtures.db", "-c", "nope.yml", "-p", "0"], cwd=fixtures_dir)
    assert result.returncode != 0
    assert "nope.yml" in result.stderr


def test_cors_headers(start_server):
    s = start_server("fixtures.db", "--cors")
    for path, status in [("/fixtures/facetable.json", 200), ("/nope.json", 404),
                         ("/-/versions.json", 200)]:
        r = get(s, path)
        assert r.status_code == status
        assert r.headers["access-control-allow-origin"] == "*"
        assert "Authorization" in r.headers["access-control-allow-headers"]


def test_no_cors_headers_by_default(client):
    assert "access-control-allow-origin" not in client.get("/.json").headers


def test_a_crash_prints_a_backtrace_and_keeps_its_signal(fixtures_dir):
    # A fatal signal is reported on stderr with the stack, and the process still dies of it
    # (exit status and core dump as without the report).
    cmd = [almanac_binary(), "fixtures.db", "-p", "0", "-h", "127.0.0.1"]
    no_core = lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # noqa: E731
    p = subprocess.Popen(cmd, cwd=fixtures_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, preexec_fn=no_core)
    try:
        assert "serving on" in p.stdout.readline()
        p.send_signal(signal.SIGSEGV)
        assert p.wait(10) == -signal.SIGSEGV
        err = p.stderr.read()
        assert "almanac: fatal signal 11 (SEGV), backtrace:" in err
        assert "almanac" in err.split("backtrace:", 1)[1]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_file_named_as_first_argument_means_serve(fixtures_dir):
    # `almanac fixtures.db` is `almanac serve fixtures.db`, as with datasette.
    cmd = [almanac_binary(), "fixtures.db", "-p", "0", "-h", "127.0.0.1"]
    p = subprocess.Popen(cmd, cwd=fixtures_dir, stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert "serving on http://127.0.0.1:" in line
    finally:
        p.terminate()
        assert p.wait(10) == 0
