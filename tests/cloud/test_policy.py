"""A space's policy file: tables made public with `almanac cloud make-public` are seen without a
token through the front door, every other page of the space stays refused, and making them
private again is applied by the running worker (it reloads the file; it is not restarted).
Sandboxed, the worker sees the policy read-only at /policy."""
import errno
import os
import shutil
import sqlite3
import subprocess

import pytest

from conftest import almanac_binary, create_space, wait_for
from test_sandbox import sandbox_available


def cloud_command(data_dir, *args):
    return subprocess.run([almanac_binary(), "cloud", *args, "--data", str(data_dir)],
                          capture_output=True, text=True, check=True)


def make_tables(cloud, token, space):
    with cloud.client(token) as c:
        for table in ["shown", "also", "hidden"]:
            r = c.post(f"/{space}/data/-/create",
                       json={"table": table, "rows": [{"id": 1, "name": table}], "pk": "id"})
            assert r.status_code == 201, r.text


def test_public_tables_are_seen_without_a_token_until_made_private(start_cloud, data_dir):
    token = create_space(data_dir, "gallery")
    cloud = start_cloud("--no-sandbox")
    make_tables(cloud, token, "gallery")
    with cloud.client() as anonymous:
        # Nothing public yet: the front door refuses, as for any private space.
        assert anonymous.get("/gallery/data/shown.json").status_code == 401

        cloud_command(data_dir, "make-public", "gallery", "data", "shown")
        cloud_command(data_dir, "make-public", "gallery", "data", "also")
        shown = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(
            anonymous.get("/gallery/data/shown.json?_shape=array")), what="the public table")
        assert shown.json() == [{"id": 1, "name": "shown"}]
        page = anonymous.get("/gallery/data/shown")
        assert page.status_code == 200 and "shown" in page.text
        # Everything else of the space stays refused to an anonymous visitor: a private table
        # or database answers as one that does not exist (its name must not leak).
        assert anonymous.get("/gallery/data/hidden.json").status_code == 404
        assert anonymous.get("/gallery/data.json").status_code == 404
        assert anonymous.get("/gallery/data/-/query.json",
                             params={"sql": "select * from hidden"}).status_code == 403
        assert anonymous.get("/gallery/.json").status_code == 403
        # Anonymous visitors only read: a write is refused at the front door.
        insert = anonymous.post("/gallery/data/shown/-/insert", json={"row": {"id": 2}})
        assert insert.status_code == 401
        # A client's own identity header is stripped, as always.
        forged = anonymous.get("/gallery/data/hidden.json",
                               headers={"X-Almanac-Identity": "v1.0.bnVsbA.00"})
        assert forged.status_code == 404
        # A wrong token is still refused, even for a public table.
        assert anonymous.get("/gallery/data/shown.json",
                             headers={"Authorization": "Bearer alm_wrong"}).status_code == 401

        [worker] = cloud.serve_processes("gallery")
        # Made private again: the running worker applies it on its own.
        cloud_command(data_dir, "make-private", "gallery", "data", "shown")
        wait_for(lambda: anonymous.get("/gallery/data/shown.json").status_code == 404,
                 what="the worker to reload its policy")
        assert anonymous.get("/gallery/data/also.json").status_code == 200
        assert cloud.serve_processes("gallery") == [worker]
        assert cloud.starts("gallery") == 1
        # Nothing public any more: refused at the front door again.
        cloud_command(data_dir, "make-private", "gallery", "data", "also")
        assert anonymous.get("/gallery/data/also.json").status_code == 401
    # The admin sees everything throughout.
    with cloud.client(token) as c:
        assert c.get("/gallery/data/hidden.json").status_code == 200
        assert c.get("/gallery/data/shown.json").status_code == 200


def refused(data_dir, *args):
    result = subprocess.run([almanac_binary(), "cloud", *args, "--data", str(data_dir)],
                            capture_output=True, text=True)
    assert result.returncode != 0, result
    return result.stderr


def test_policy_commands(data_dir):
    create_space(data_dir, "docs")
    assert cloud_command(data_dir, "show-policy", "docs").stdout.strip() == "{}"
    # A table or database that is not there is refused, and nothing is written. (data.db
    # itself is made by the space's worker when it first starts.)
    assert "no database named data (its databases: none)" in refused(
        data_dir, "make-public", "docs", "data", "t")
    with sqlite3.connect(data_dir / "spaces" / "docs" / "data.db") as db:
        db.execute("create table other (id integer primary key)")
    assert "Database data has no table or view named t" in refused(
        data_dir, "make-public", "docs", "data", "t")
    assert "no database named nodb (its databases: data)" in refused(
        data_dir, "make-public", "docs", "nodb", "t")
    assert "data/t is not public" in refused(data_dir, "make-private", "docs", "data", "t")
    assert cloud_command(data_dir, "show-policy", "docs").stdout.strip() == "{}"
    with sqlite3.connect(data_dir / "spaces" / "docs" / "data.db") as db:
        db.execute("create table t (id integer primary key)")
    cloud_command(data_dir, "make-public", "docs", "data", "t")
    assert sorted(os.listdir(data_dir / "spaces" / "docs")) == ["data.db"]  # nothing left behind
    policy = data_dir / "policy" / "docs" / "policy.json"
    assert oct(policy.stat().st_mode & 0o777) == "0o444"
    assert '"public_tables": ["data/t"]' in cloud_command(data_dir, "show-policy", "docs").stdout
    bad = subprocess.run([almanac_binary(), "cloud", "set-policy", "docs", "-", "--data",
                          str(data_dir)], input='{"public_tables": "data/t"}', text=True,
                         capture_output=True)
    assert bad.returncode != 0 and "not valid" in bad.stderr
    subprocess.run([almanac_binary(), "cloud", "set-policy", "docs", "-", "--data", str(data_dir)],
                   input='{"public_tables": ["data/a", "data/b"], "theme": "dark"}', text=True,
                   check=True)
    shown = cloud_command(data_dir, "show-policy", "docs").stdout
    assert '"data/a"' in shown and '"theme": "dark"' in shown
    missing = subprocess.run([almanac_binary(), "cloud", "make-public", "nobody", "data", "t",
                              "--data", str(data_dir)], capture_output=True, text=True)
    assert missing.returncode != 0 and "No space named nobody" in missing.stderr
    cloud_command(data_dir, "delete-space", "docs")
    assert not (data_dir / "policy" / "docs").exists()


@pytest.mark.skipif(not shutil.which("bwrap") or not sandbox_available(), reason="bubblewrap cannot create namespaces here")
@pytest.mark.parametrize("pool", ["0", "2"])
def test_sandboxed_worker_reads_its_policy_but_cannot_change_it(start_cloud, data_dir, pool):
    if pool != "0" and os.geteuid() != 0:
        pytest.skip("pre-started sandboxed workers need root (the space is mounted into them)")
    token = create_space(data_dir, "museum")
    cloud = start_cloud("--pool", pool)
    make_tables(cloud, token, "museum")
    cloud_command(data_dir, "make-public", "museum", "data", "shown")
    cloud_command(data_dir, "make-public", "museum", "data", "also")
    with cloud.client() as anonymous:
        # The worker looks at its policy file again when its last look is 0.1 s old.
        wait_for(lambda: anonymous.get("/museum/data/shown.json").status_code == 200,
                 what="the sandboxed worker to apply its policy")
        assert anonymous.get("/museum/data/hidden.json").status_code == 404
        [pid] = cloud.serve_processes("museum")
        root = f"/proc/{pid}/root"
        assert '"data/shown"' in open(f"{root}/policy/policy.json").read()
        # /policy is a read-only mount: not even root can plant or change a file through it.
        for path in [f"{root}/policy/policy.json", f"{root}/policy/planted.json"]:
            with pytest.raises(OSError) as refused:
                open(path, "w").close()
            assert refused.value.errno in (errno.EROFS, errno.EACCES)
        with open(f"/proc/{pid}/mountinfo") as f:
            [mount] = [line.split() for line in f if line.split()[4] == "/policy"]
        assert "ro" in mount[5].split(",")
        cloud_command(data_dir, "make-private", "museum", "data", "shown")
        wait_for(lambda: anonymous.get("/museum/data/shown.json").status_code == 404,
                 what="the sandboxed worker to reload its policy")
        assert cloud.serve_processes("museum") == [pid]
