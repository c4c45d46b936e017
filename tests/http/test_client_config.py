"""`almanac client` beyond dclient: private token files, dclient's files as a fallback, the
ALMANAC_* environment, tokens that never leave their host, names that need encoding, named
parameters, and one-line transport errors."""
import json
import os
import stat

import pytest

from client_proxy import Recorder
from client_util import SECRET, client_env, run_client, token


@pytest.fixture(scope="module")
def server(fixtures_dir):
    from almanac_server import AlmanacServer
    with AlmanacServer(["fixtures.db", "extra database.db", "--secret", SECRET],
                       cwd=fixtures_dir) as running:
        yield running


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_token_files_are_private(tmp_path):
    assert run_client(tmp_path, "auth", "add", "prod", "--token", "t0ken").returncode == 0
    assert run_client(tmp_path, "alias", "add", "prod", "https://example.com").returncode == 0
    directory = tmp_path / "xdg" / "almanac"
    assert mode(directory) == 0o700
    assert mode(directory / "auth.json") == 0o600
    assert mode(directory / "config.json") == 0o600
    assert json.loads((directory / "auth.json").read_text()) == {"prod": "t0ken"}
    listed = run_client(tmp_path, "auth", "list")
    assert "t0ken" not in listed.stdout and "prod:\tt.." in listed.stdout


def test_a_token_file_others_can_read_is_refused(tmp_path, server):
    assert run_client(tmp_path, "auth", "add", server.url, "--token", token()).returncode == 0
    auth = tmp_path / "xdg" / "almanac" / "auth.json"
    os.chmod(auth, 0o644)
    result = run_client(tmp_path, "actor", "-i", server.url)
    assert result.returncode == 1
    assert f"Refusing to read {auth}" in result.stderr and "chmod 600" in result.stderr
    os.chmod(auth, 0o600)
    assert '"id": "root"' in run_client(tmp_path, "actor", "-i", server.url).stdout


def test_dclient_files_are_read_with_a_warning(tmp_path, server):
    dclient = tmp_path / "dclient"
    dclient.mkdir()
    (dclient / "config.json").write_text(json.dumps(
        {"default_instance": "theirs",
         "instances": {"theirs": {"url": server.url, "default_database": "fixtures"}}}))
    (dclient / "auth.json").write_text(json.dumps({"theirs": token()}))
    os.chmod(dclient / "auth.json", 0o644)
    result = run_client(tmp_path, "actor")
    assert result.returncode == 0, result.stderr
    assert '"id": "root"' in result.stdout
    assert "dclient's token file" in result.stderr and "readable by other users" in result.stderr
    assert run_client(tmp_path, "tables", "--views-only").stdout.startswith("paginated_view\n")
    # Changes go to our own files; dclient's stay as they were.
    assert run_client(tmp_path, "default", "database", "theirs", "extra database").returncode == 0
    assert json.loads((dclient / "config.json").read_text())["instances"]["theirs"][
        "default_database"] == "fixtures"
    assert run_client(tmp_path, "default", "database", "theirs").stdout == "extra database\n"
    os.chmod(dclient / "auth.json", 0o600)
    assert "Warning" not in run_client(tmp_path, "actor").stderr


def test_almanac_environment_variables(tmp_path, server):
    env = client_env(tmp_path, ALMANAC_URL=server.url, ALMANAC_TOKEN=token(),
                     ALMANAC_DATABASE="fixtures", DATASETTE_URL="http://127.0.0.1:9")
    assert '"id": "root"' in run_client(tmp_path, "actor", env=env).stdout
    result = run_client(tmp_path, "select 6 * 7 as n", env=env)
    assert json.loads(result.stdout) == [{"n": 42}]


def test_names_are_tilde_encoded(tmp_path, server):
    """dclient sends "extra database" raw in the path; Almanac encodes it as Datasette does."""
    result = run_client(tmp_path, "tables", "-d", "extra database", "-i", server.url, "--hidden")
    assert result.returncode == 0, result.stderr
    assert "searchable\t2 rows" in result.stdout and "searchable_fts" in result.stdout
    rows = run_client(tmp_path, "rows", "fixtures", "Table With Space In Name", "-i", server.url)
    assert rows.returncode == 0 and rows.stdout == "[]\n"


def test_named_parameters(tmp_path, server):
    result = run_client(tmp_path, "query", "fixtures", "select :a || :b as ab", "-p", "a", "x",
                        "-p", "b", "y", "-i", server.url, "--csv")
    assert result.stdout == "ab\nxy\n"  # csv.writer's "\r\n", read as text


def test_tokens_do_not_follow_redirects_to_another_host(tmp_path):
    with Recorder(lambda path: (200, {}, {"ok": True, "actor": None})) as elsewhere:
        def home(path):
            if path == "/away.json":
                return 302, {"Location": elsewhere.url + "/-/actor.json"}, None
            if path == "/near.json":
                return 302, {"Location": "/-/actor.json"}, None
            return 200, {}, {"ok": True, "actor": {"id": "x"}}
        with Recorder(home) as origin:
            for path in ("/away.json", "/near.json"):
                result = run_client(tmp_path, "get", path, "-i", origin.url, "--token", "secret")
                assert result.returncode == 0, result.stderr
        assert [h.get("Authorization") for _, h in origin.requests] == ["Bearer secret"] * 3
        assert [p for p, _ in elsewhere.requests] == ["/-/actor.json"]
        assert "Authorization" not in elsewhere.requests[0][1]


def test_pages_are_followed_on_the_instance_not_next_url(tmp_path):
    """A `next_url` naming another host (a proxy's mistake, or a hostile server) gets neither
    the token nor the request: the next page is asked for with `_next` on the same URL."""
    def pages(path):
        if "_next=2" in path:
            return 200, {}, {"ok": True, "rows": [{"id": 2}], "next": None, "next_url": None}
        return 200, {}, {"ok": True, "rows": [{"id": 1}], "next": "2",
                         "next_url": "http://attacker.invalid/db/t.json?_next=2"}
    with Recorder(pages) as origin:
        result = run_client(tmp_path, "rows", "db", "t", "--all", "--nl", "-i", origin.url,
                            "--token", "secret")
    assert result.returncode == 0, result.stderr
    assert result.stdout == '{"id": 1}\n{"id": 2}\n'
    assert all(h.get("Authorization") == "Bearer secret" for _, h in origin.requests)


def test_connection_errors_are_one_line(tmp_path):
    result = run_client(tmp_path, "databases", "-i", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Could not connect to http://127.0.0.1:9/.json")
    assert result.stderr.count("\n") == 1


def test_usage_errors_exit_2(tmp_path):
    assert run_client(tmp_path, "rows").returncode == 2
    assert run_client(tmp_path, "rows", "db", "t", "-f", "a", "eq").returncode != 0
    assert run_client(tmp_path, "insert", "db", "t", "-", "--replace", "--nope").returncode == 2
    assert run_client(tmp_path, "--version").stdout.startswith("almanac client, version ")
