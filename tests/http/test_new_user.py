"""What a new user trips on: help as a command, errors that name the wrong thing and say why,
`make run` building only what serving needs, and --root saying what its URL is for."""
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from almanac_server import AlmanacServer, almanac_binary

ROOT = Path(__file__).resolve().parents[2]


def run(args, cwd=None, env=None):
    return subprocess.run([almanac_binary(), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=30, env=env)


def env_without_secrets(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("ALMANAC_SECRET", "DATASETTE_SECRET")}
    env.update(extra)
    return env


@pytest.mark.parametrize("args", [["help"], ["--help"]])
def test_help_lists_the_commands(args):
    result = run(args)
    assert result.returncode == 0, result.stderr
    for command in ["serve", "create-token", "insert", "memory", "query", "client"]:
        assert command in result.stdout
    assert "Database file not found" not in result.stdout + result.stderr


def test_help_for_one_command():
    result = run(["help", "serve"])
    assert result.returncode == 0, result.stderr
    assert "--immutable" in result.stdout


def test_serve_help_says_no_file_serves_the_demo():
    assert "demo" in run(["serve", "--help"]).stdout


def test_create_token_without_a_secret_names_the_variables():
    result = run(["create-token", "root"], env=env_without_secrets())
    assert result.returncode == 1
    assert "ALMANAC_SECRET" in result.stderr and "DATASETTE_SECRET" in result.stderr


@pytest.mark.parametrize("variable", ["ALMANAC_SECRET", "DATASETTE_SECRET"])
def test_the_secret_from_the_environment_signs_and_verifies(tmp_path, fixtures_dir, variable):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    env = env_without_secrets(**{variable: "env-secret"})
    token = run(["create-token", "root"], env=env).stdout.strip()
    assert token.startswith("dstok_")
    with AlmanacServer(["fixtures.db"], cwd=tmp_path, env=env) as server:
        actor = httpx.get(server.url + "/-/actor.json", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()
        assert actor["actor"]["id"] == "root"


def test_not_a_database_names_the_file(tmp_path):
    (tmp_path / "junk.db").write_text("this is not SQLite " * 100)
    result = run(["serve", "junk.db", "-p", "0"], cwd=tmp_path)
    assert result.returncode == 1
    assert "junk.db" in result.stderr and "file is not a database" in result.stderr


def test_config_read_errors_say_why(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    missing = run(["serve", "fixtures.db", "-c", "nosuch.yml", "-p", "0"], cwd=tmp_path)
    assert missing.returncode == 1
    assert "nosuch.yml" in missing.stderr and "No such file or directory" in missing.stderr
    (tmp_path / "adir").mkdir()
    directory = run(["serve", "fixtures.db", "-m", "adir", "-p", "0"], cwd=tmp_path)
    assert directory.returncode == 1
    assert "adir" in directory.stderr and "directory" in directory.stderr


def test_root_says_what_its_url_is(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    with AlmanacServer(["fixtures.db", "--root"], cwd=tmp_path) as server:
        lines = [line.strip() for line in server.output]
        at = next(i for i, line in enumerate(lines) if "/-/auth-token?token=" in line)
        assert lines[at].startswith("http://")  # the URL alone on its line, to copy
        assert "sign in as root" in lines[at - 1]


def test_make_run_builds_only_the_binary_and_the_demo():
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert "--target almanac demo_db" in dry
    assert "scripts/setup --run" in dry
    assert "ctest" not in dry and "npm" not in dry
