"""`almanac serve FILES --get PATH` (Datasette's --get): one request answered without opening a
port; the body printed; exit 0 for a 200, 1 otherwise; --headers, --token, --actor."""
import hashlib
import json
import shutil
import socket
import subprocess

import pytest

from almanac_server import almanac_binary
from tokens import root_token

SECRET = "get-secret"


@pytest.fixture
def files(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    return tmp_path


def get(cwd, *args):
    return subprocess.run([almanac_binary(), "fixtures.db", "--secret", SECRET, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_prints_the_body_and_exits_0(files):
    result = get(files, "--get", "/fixtures/facetable.json?_size=2&_shape=array")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["pk"] for row in rows] == [1, 2]
    assert result.stdout.endswith("\n")


def test_html_pages_too(files):
    result = get(files, "--get", "/fixtures/facetable")
    assert result.returncode == 0
    assert "<html" in result.stdout and "facetable" in result.stdout


@pytest.mark.parametrize("path,status", [("/nope.json", 404),
                                          ("/fixtures/-/query.json?sql=select+nope", 400)])
def test_an_error_exits_1_with_the_error_body(files, path, status):
    result = get(files, "--get", path)
    assert result.returncode == 1
    assert json.loads(result.stdout)["status"] == status


def test_a_redirect_exits_1_as_in_datasette(files):
    result = get(files, "--get", "/-", "--headers")
    assert result.returncode == 1
    assert result.stdout.startswith("HTTP/1.1 30")


def test_headers(files):
    result = get(files, "--get", "/fixtures/facetable.json?_size=1", "--headers")
    assert result.returncode == 0
    head, _, body = result.stdout.partition("\n\n")
    lines = head.splitlines()
    assert lines[0] == "HTTP/1.1 200"
    assert "content-type: application/json; charset=utf-8" in lines
    assert json.loads(body)["rows"][0]["pk"] == 1


def test_a_streamed_csv_body(files):
    result = get(files, "--get", "/fixtures/facetable.csv?_stream=on")
    assert result.returncode == 0
    lines = result.stdout.strip("\n").splitlines()
    assert lines[0].startswith("pk,")
    assert len(lines) == 1 + 15


def test_token_and_actor(files):
    anonymous = get(files, "--get", "/-/actor.json")
    assert json.loads(anonymous.stdout)["actor"] is None
    with_token = get(files, "--get", "/-/actor.json", "--token", root_token(SECRET))
    assert json.loads(with_token.stdout)["actor"]["id"] == "root"
    with_actor = get(files, "--get", "/-/actor.json", "--actor", '{"id": "someone", "x": 1}')
    assert json.loads(with_actor.stdout)["actor"] == {"id": "someone", "x": 1}
    bad = get(files, "--get", "/-/actor.json", "--token", "dstok_bad")
    assert bad.returncode == 1


@pytest.mark.parametrize("flag", [["--headers"], ["--token", "t"], ["--actor", "{}"]])
def test_get_only_flags_need_get(files, flag):
    result = get(files, *flag, "-p", "0")
    assert result.returncode == 1
    assert "can only be used with --get" in result.stderr


def test_no_port_is_opened(files):
    # The port is taken: a server would fail to listen; --get never tries.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = get(files, "--get", "/.json", "-p", str(port))
    assert result.returncode == 0, result.stderr
    assert "serving on" not in result.stdout


def test_the_file_is_untouched(files):
    before = hashlib.sha256((files / "fixtures.db").read_bytes()).hexdigest()
    assert get(files, "--get", "/fixtures/facetable.json").returncode == 0
    assert hashlib.sha256((files / "fixtures.db").read_bytes()).hexdigest() == before
