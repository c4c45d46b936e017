"""A worker killed with SIGKILL in the middle of writes: every row whose insert was
acknowledged is there once the next request has restarted the worker."""
import os
import signal
import threading

import httpx

from conftest import create_space, wait_for


def run_kill_mid_write(cloud, token, space):
    with cloud.client(token) as c:
        created = c.post(f"/{space}/data/-/create",
                         json={"table": "t", "columns": [{"name": "id", "type": "integer"}],
                               "pk": "id"})
        assert created.status_code == 201, created.text
    acknowledged = []
    stop = threading.Event()

    def writer():
        with cloud.client(token) as c:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    r = c.post(f"/{space}/data/t/-/insert", json={"row": {"id": i}})
                except httpx.HTTPError:
                    continue
                if r.status_code == 201:
                    acknowledged.append(i)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(lambda: len(acknowledged) >= 50, what="50 acknowledged inserts")
        [pid] = cloud.serve_processes(space)
        os.kill(pid, signal.SIGKILL)
        before = len(acknowledged)
        wait_for(lambda: len(acknowledged) >= before + 50, what="inserts after the restart")
    finally:
        stop.set()
        thread.join()
    with cloud.client(token) as c:
        r = c.get(f"/{space}/data/-/query.json", params={"sql": "select group_concat(id) from t",
                                                 "_shape": "arrays"})
        assert r.status_code == 200, r.text
        stored = {int(x) for x in r.json()["rows"][0][0].split(",")}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged rows lost"
    assert cloud.starts(space) >= 2


def test_sigkill_mid_write_keeps_acknowledged_rows(start_cloud, data_dir):
    token = create_space(data_dir, "ledger")
    cloud = start_cloud("--no-sandbox")
    run_kill_mid_write(cloud, token, "ledger")
