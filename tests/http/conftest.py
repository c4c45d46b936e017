"""Fixtures for the HTTP black-box tests: a built almanac serving copies of the conformance
databases (or a test's own database) on a free port, and an httpx client for it."""
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer, copy_conformance_fixtures  # noqa: E402


@pytest.fixture(scope="session")
def fixtures_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("fixtures")
    copy_conformance_fixtures(target)
    return target


@pytest.fixture(scope="session")
def server(fixtures_dir):
    args = ["fixtures.db", "extra database.db", "-c", "fixtures-config.json",
            "-m", "fixtures-metadata.json", "--secret", "test-secret"]
    with AlmanacServer(args, cwd=fixtures_dir) as running:
        yield running


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


@pytest.fixture
def start_server(fixtures_dir):
    """Starts a dedicated server (stopped after the test): start_server(*args, cwd=None)."""
    started = []

    def start(*args, cwd=None):
        running = AlmanacServer(list(args), cwd=cwd or fixtures_dir).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
