"""The sandbox, proved from inside: `almanac cloud probe` runs a hostile probe exactly as a
space's worker runs (bubblewrap, seccomp, rlimits, cgroups, its own uid). Every attempt must
fail in the sandbox, and the same probe with --no-sandbox must succeed at each, so the test
proves the sandbox and not the probe. Workers themselves serve from inside it, never as root."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import almanac_binary, cmdline, create_space, wait_for
from test_durability import run_kill_mid_write

LIMITS = ["--worker-memory", "256", "--worker-file-size", "64", "--worker-processes", "64"]


def sandbox_available():
    result = subprocess.run(["bwrap", "--unshare-user", "--unshare-net", "--ro-bind", "/", "/",
                             "true"], capture_output=True)
    return result.returncode == 0


pytestmark = pytest.mark.skipif(not shutil.which("bwrap") or not sandbox_available(),
                                reason="bubblewrap cannot create namespaces on this machine")


@pytest.fixture
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def run_probe(data_dir, space, port, sandbox, user=None, forks=True):
    other = data_dir / "spaces" / "other"
    args = [almanac_binary(), "cloud", "probe", "--data", str(data_dir), "--space", space,
            *LIMITS,
            "--read", str(other / "secret.db"),
            "--read", str(data_dir / "control" / "spaces" / "other.key"),
            "--write", "own-file.txt",
            "--write", str(other / "planted.txt"),
            "--write", str(data_dir / "outside.txt"),
            "--connect", str(port), "--udp", "--ptrace",
            "--allocate-mb", "512", "--fill-mb", "80"]
    if forks:
        args += ["--forks", "100"]
    if not sandbox:
        args.append("--no-sandbox")
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, user=user)
    assert result.returncode == 0, result.stderr
    return {line["check"]: line for line in map(json.loads, result.stdout.splitlines())}


def expected_checks(data_dir, port, forks=True):
    other = data_dir / "spaces" / "other"
    checks = {f"read {other / 'secret.db'}", f"read {data_dir / 'control/spaces/other.key'}",
              "write own-file.txt", f"write {other / 'planted.txt'}",
              f"write {data_dir / 'outside.txt'}", f"tcp connect 127.0.0.1:{port}", "udp socket",
              "ptrace", "allocate 512 MB", "write a 80 MB file"}
    if forks:
        checks.add("fork 100")
    return checks


def prepare(data_dir):
    create_space(data_dir, "victim")
    create_space(data_dir, "other")
    (data_dir / "spaces" / "other" / "secret.db").write_bytes(b"tenant secrets")


def assert_probe(results, data_dir, port, sandboxed, forks=True):
    assert set(results) == expected_checks(data_dir, port, forks), results
    for check, line in results.items():
        if check == "write own-file.txt":
            assert line["allowed"], line  # its own directory stays writable
        else:
            assert line["allowed"] is not sandboxed, line


def test_probe_fails_in_the_sandbox_and_succeeds_without(data_dir, listener):
    prepare(data_dir)
    unconfined = run_probe(data_dir, "victim", listener, sandbox=False)
    assert_probe(unconfined, data_dir, listener, sandboxed=False)
    confined = run_probe(data_dir, "victim", listener, sandbox=True)
    assert_probe(confined, data_dir, listener, sandboxed=True)
    assert not (data_dir / "spaces" / "other" / "planted.txt").exists()


def test_probe_as_an_unprivileged_user(listener):
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user for the test")
    data = Path(tempfile.mkdtemp(prefix="almu-", dir="/tmp"))
    try:
        os.chmod(data, 0o755)
        os.chown(data, 65534, 65534)
        for name in ["victim", "other"]:
            subprocess.run([almanac_binary(), "cloud", "create-space", name, "--data", str(data)],
                           check=True, user=65534, capture_output=True)
        (data / "spaces" / "other" / "secret.db").write_bytes(b"tenant secrets")
        os.chown(data / "spaces" / "other" / "secret.db", 65534, 65534)
        # Unprivileged, the workers share this user's process count: no per-space process limit
        # (docs/cloud.md), so the fork check is left out here.
        unconfined = run_probe(data, "victim", listener, sandbox=False, user=65534, forks=False)
        assert_probe(unconfined, data, listener, sandboxed=False, forks=False)
        confined = run_probe(data, "victim", listener, sandbox=True, user=65534, forks=False)
        assert_probe(confined, data, listener, sandboxed=True, forks=False)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def host_uid(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])


@pytest.mark.parametrize("pool", ["0", "2"])
def test_sandboxed_workers_serve_and_never_run_as_root(start_cloud, data_dir, pool):
    tokens = {name: create_space(data_dir, name) for name in ["red", "blue"]}
    cloud = start_cloud("--pool", pool)
    for name, token in tokens.items():
        with cloud.client(token) as c:
            page = c.get(f"/{name}/data.json")
            assert page.status_code == 200, page.text
    uids = {name: host_uid(pid) for name in tokens for pid in cloud.serve_processes(name)}
    assert set(uids) == {"red", "blue"}
    assert all(uid != 0 for uid in uids.values())
    if os.geteuid() == 0:
        assert uids["red"] != uids["blue"]  # a uid per worker


def test_sandboxed_pool_worker_is_handed_its_space_only(start_cloud, data_dir):
    if os.geteuid() != 0:
        pytest.skip("pre-started sandboxed workers need root (the space is mounted into them)")
    token = create_space(data_dir, "pooled")
    create_space(data_dir, "other")
    (data_dir / "spaces" / "other" / "secret.db").write_bytes(b"tenant secrets")
    cloud = start_cloud("--pool", "2")
    wait_for(lambda: cloud.pool_ready() == 2, what="two pre-started workers")
    waiting = set(cloud.pool_workers())
    assert len(waiting) == 2
    with cloud.client(token) as c:
        assert c.get("/pooled/data.json").status_code == 200
        # A write lands in the space's own directory, on the host.
        r = c.post("/pooled/data/-/create", json={"table": "t", "rows": [{"id": 1}], "pk": "id"})
        assert r.status_code == 201, r.text
    [pid] = cloud.serve_processes("pooled")
    assert pid in waiting  # the wake was served by a pre-started worker
    assert host_uid(pid) != 0
    # Inside, /space is its own directory and nothing else of DIR is there.
    root = f"/proc/{pid}/root"
    assert "data.db" in os.listdir(f"{root}/space")
    assert not os.path.exists(f"{root}/space/secret.db")
    assert not os.path.exists(f"{root}{data_dir}")
    wait_for(lambda: cloud.pool_ready() == 2, what="the pool to refill")


def test_sandboxed_worker_keeps_acknowledged_rows_after_sigkill(start_cloud, data_dir):
    token = create_space(data_dir, "ledger")
    cloud = start_cloud()
    run_kill_mid_write(cloud, token, "ledger")
