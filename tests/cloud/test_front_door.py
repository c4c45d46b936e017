"""The front door and the supervisor, with unsandboxed workers (--no-sandbox): routing, tokens,
wake on request, idle stop, LRU eviction, crash restart, 100 concurrent first requests."""
import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conftest import almanac_binary, create_space, wait_for


def test_space_commands(data_dir):
    token = create_space(data_dir, "team-a")
    assert token.startswith("alm_") and len(token) > 40
    create_space(data_dir, "team-b")
    listed = subprocess.run([almanac_binary(), "cloud", "list-spaces", "--data", str(data_dir)],
                            capture_output=True, text=True, check=True).stdout.split()
    assert listed == ["team-a", "team-b"]
    for bad in ["Team", "a_b", "-a", "x" * 64, "www", "admin"]:
        result = subprocess.run([almanac_binary(), "cloud", "create-space", bad, "--data",
                                 str(data_dir)], capture_output=True, text=True)
        assert result.returncode != 0, bad
        if not bad.startswith("-"):  # "-a" is refused as an unknown option already
            assert "Error:" in result.stderr
    again = subprocess.run([almanac_binary(), "cloud", "create-space", "team-a", "--data",
                            str(data_dir)], capture_output=True, text=True)
    assert again.returncode != 0 and "already exists" in again.stderr
    subprocess.run([almanac_binary(), "cloud", "delete-space", "team-b", "--data", str(data_dir)],
                   check=True)
    listed = subprocess.run([almanac_binary(), "cloud", "list-spaces", "--data", str(data_dir)],
                            capture_output=True, text=True, check=True).stdout.split()
    assert listed == ["team-a"]
    assert not (data_dir / "spaces" / "team-b").exists()


def test_unknown_space_answers_as_a_private_one_and_starts_nothing(start_cloud, data_dir):
    create_space(data_dir, "private")
    cloud = start_cloud("--no-sandbox")
    with cloud.client() as c:
        response = c.get("/nobody/")
        # The same answer as a space that exists (so a guessed name tells nothing).
        private = c.get("/private/")
        assert response.status_code == private.status_code == 401
        assert response.json() == private.json()
        assert response.headers["www-authenticate"] == 'Bearer realm="nobody"'
        # A name no space can have is simply not found.
        assert c.get("/Bad_Name/").status_code == 404
        assert c.get("/Bad_Name/").json() == {"ok": False, "error": "Space not found",
                                              "errors": ["Space not found"], "status": 404}
    assert cloud.workers() == []


def test_token_required(start_cloud, data_dir):
    token = create_space(data_dir, "private")
    other = create_space(data_dir, "other")
    cloud = start_cloud("--no-sandbox")
    with cloud.client() as c:
        refused = c.get("/private/.json")
        assert refused.status_code == 401
        assert refused.json()["ok"] is False
        assert "Bearer" in refused.headers["www-authenticate"]
        wrong = c.get("/private/.json", headers={"Authorization": f"Bearer {other}"})
        assert wrong.status_code == 401
    assert cloud.workers() == []  # refused requests start nothing
    with cloud.client(token) as c:
        page = c.get("/private/.json")
        assert page.status_code == 200, page.text
        assert [db["name"] for db in page.json()["databases"]] == ["data"]
        # The worker serves with base_url=/private/: its links stay in the space.
        html = c.get("/private/data")
        assert html.status_code == 200
        assert 'href="/private/data' in html.text
        assert c.get("/private", follow_redirects=False).headers["location"] == "/private/"


def test_wake_on_request_and_stop_when_idle(start_cloud, data_dir):
    token = create_space(data_dir, "sleepy")
    cloud = start_cloud("--no-sandbox", "--idle-timeout", "0.5")
    assert cloud.workers() == []
    with cloud.client(token) as c:
        assert c.get("/sleepy/data.json").status_code == 200
        assert len(cloud.serve_processes("sleepy")) == 1
        wait_for(lambda: cloud.serve_processes("sleepy") == [], what="the idle worker to stop")
        # The next request wakes it again and succeeds.
        assert c.get("/sleepy/data.json").status_code == 200
    assert cloud.starts("sleepy") == 2


def test_concurrent_first_requests_start_one_worker(start_cloud, data_dir):
    token = create_space(data_dir, "busy")
    cloud = start_cloud("--no-sandbox")

    def fetch(i):
        with httpx.Client(base_url=cloud.url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as c:
            return c.get(f"/busy/data.json?_n={i}").status_code

    with ThreadPoolExecutor(100) as pool:
        statuses = list(pool.map(fetch, range(100)))
    assert statuses == [200] * 100
    assert cloud.starts("busy") == 1
    assert len(cloud.serve_processes("busy")) == 1


def test_least_recently_used_worker_stops_first(start_cloud, data_dir):
    tokens = {name: create_space(data_dir, name) for name in ["one", "two", "three"]}
    cloud = start_cloud("--no-sandbox", "--max-workers", "2")

    def get(name):
        with cloud.client(tokens[name]) as c:
            assert c.get(f"/{name}/data.json").status_code == 200

    get("one")
    get("two")
    get("one")  # "two" is now the least recently used
    get("three")
    wait_for(lambda: len(cloud.serve_processes()) == 2, what="two workers")
    assert cloud.serve_processes("two") == []
    assert len(cloud.serve_processes("one")) == 1
    assert len(cloud.serve_processes("three")) == 1
    get("two")  # waits for a slot, is not refused
    assert cloud.starts("two") == 2
    assert cloud.starts("one") == 1


def test_many_spaces_under_a_small_limit(start_cloud, data_dir):
    names = [f"s{i}" for i in range(6)]
    tokens = {name: create_space(data_dir, name) for name in names}
    cloud = start_cloud("--no-sandbox", "--max-workers", "2")

    def fetch(i):
        name = names[i % len(names)]
        with httpx.Client(base_url=cloud.url, timeout=60,
                          headers={"Authorization": f"Bearer {tokens[name]}"}) as c:
            return c.get(f"/{name}/data.json").status_code

    with ThreadPoolExecutor(24) as pool:
        statuses = list(pool.map(fetch, range(48)))
    assert statuses == [200] * 48
    # A worker stopped to make room has been sent SIGTERM and gets no more requests, but may
    # still be exiting when the last answer arrives: wait for it to be gone.
    wait_for(lambda: len(cloud.workers()) <= 2, what="at most --max-workers workers")


def test_crashed_worker_is_restarted(start_cloud, data_dir):
    token = create_space(data_dir, "fragile")
    cloud = start_cloud("--no-sandbox")
    with cloud.client(token) as c:
        assert c.get("/fragile/data.json").status_code == 200
        [pid] = cloud.serve_processes("fragile")
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: pid not in cloud.serve_processes("fragile"), what="the worker to die")
        assert c.get("/fragile/data.json").status_code == 200
        assert len(cloud.serve_processes("fragile")) == 1
    assert cloud.starts("fragile") == 2


def test_wake_is_served_by_a_prestarted_worker(start_cloud, data_dir):
    token = create_space(data_dir, "quick")
    cloud = start_cloud("--no-sandbox", "--pool", "2")
    wait_for(lambda: cloud.pool_ready() == 2, what="two pre-started workers")
    waiting = set(cloud.pool_workers())
    assert len(waiting) == 2 and cloud.workers() == []
    with cloud.client(token) as c:
        assert c.get("/quick/data.json").status_code == 200
    [pid] = cloud.serve_processes("quick")
    assert pid in waiting
    assert cloud.starts("quick") == 1
    wait_for(lambda: cloud.pool_ready() == 2, what="the pool to refill")
    assert pid not in cloud.pool_workers()


def test_client_identity_headers_are_replaced(start_cloud, data_dir):
    token = create_space(data_dir, "echo")
    cloud = start_cloud("--no-sandbox")
    with cloud.client(token) as c:
        # A forged hand-off header is dropped; the worker sees the front door's actor.
        forged = "v1.1.bnVsbA.0000"
        response = c.get("/echo/-/actor.json", headers={"X-Almanac-Identity": forged})
        assert response.status_code == 200
        assert response.json()["actor"] == {"id": "root"}


def test_stopping_the_front_door_stops_the_workers(start_cloud, data_dir):
    token = create_space(data_dir, "short")
    cloud = start_cloud("--no-sandbox")
    with cloud.client(token) as c:
        assert c.get("/short/data.json").status_code == 200
    [pid] = cloud.serve_processes("short")
    cloud.stop()
    assert cloud.process.returncode == 0
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), what="the worker to exit")


def test_domain_mode_routes_by_host(start_cloud, data_dir):
    token = create_space(data_dir, "acme")
    cloud = start_cloud("--no-sandbox", "--domain", "example.test")
    with cloud.client(token) as c:
        page = c.get("/data.json", headers={"Host": "acme.example.test"})
        assert page.status_code == 200, page.text
        html = c.get("/data", headers={"Host": "acme.example.test"})
        assert 'href="/data' in html.text  # the worker serves at /
        assert c.get("/data.json", headers={"Host": "nobody.example.test"}).status_code == 401


def test_sandbox_refusal_or_warning_is_loud(data_dir):
    # --no-sandbox warns on every start.
    process = subprocess.Popen([almanac_binary(), "cloud", "--data", str(data_dir), "-p", "0",
                                "--no-sandbox"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stderr.readline()
        assert "WARNING" in line and "--no-sandbox" in line
    finally:
        process.terminate()
        process.wait(20)


def test_cloud_needs_a_data_directory():
    result = subprocess.run([almanac_binary(), "cloud"], capture_output=True, text=True)
    assert result.returncode == 1 and "--data" in result.stderr
