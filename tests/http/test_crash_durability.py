"""Crash safety of the writer: 16 clients insert batches while the server is killed with SIGKILL
at random moments (and restarted on the same file). Afterwards every acknowledged row must be
in the file, and every batch — acknowledged or not — must be there completely or not at all."""
import random
import sqlite3
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "crash-test-secret"
CLIENTS = 16
KILLS = 20


class Shared:
    def __init__(self):
        self.lock = threading.Lock()
        self.url = None
        self.stop = threading.Event()
        self.acked = []      # ids in batches answered 201
        self.batches = []    # every batch sent: (ids, acked)

    def record(self, ids, acked):
        with self.lock:
            self.batches.append((ids, acked))
            if acked:
                self.acked.extend(ids)


def client_loop(shared, number, token):
    rng = random.Random(number)
    counter = 0
    headers = {"Authorization": "Bearer " + token}
    with httpx.Client(timeout=5, headers=headers) as http:
        while not shared.stop.is_set():
            with shared.lock:
                url = shared.url
            if url is None:
                time.sleep(0.01)
                continue
            size = rng.randint(1, 8)
            ids = []
            for _ in range(size):
                counter += 1
                ids.append(number * 10_000_000 + counter)
            rows = [{"id": i, "client": number, "payload": "x" * rng.randint(0, 200)} for i in ids]
            try:
                r = http.post(url + "/crash/t/-/insert", json={"rows": rows})
                shared.record(ids, r.status_code == 201)
            except httpx.HTTPError:
                shared.record(ids, False)
                time.sleep(0.005)


def start(tmp):
    return AlmanacServer(["crash.db", "--create", "--secret", SECRET, "--root"], cwd=tmp).start()


def test_acknowledged_writes_survive_sigkill(tmp_path):
    token = root_token(SECRET)
    server = start(tmp_path)
    r = httpx.post(server.url + "/crash/-/create", headers={"Authorization": "Bearer " + token},
                   json={"table": "t", "pk": "id", "columns": [
                       {"name": "id", "type": "integer"}, {"name": "client", "type": "integer"},
                       {"name": "payload", "type": "text"}]})
    assert r.status_code == 201, r.text
    shared = Shared()
    shared.url = server.url
    threads = [threading.Thread(target=client_loop, args=(shared, n, token)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    rng = random.Random(4)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.4))
            with shared.lock:
                shared.url = None
            server.process.kill()  # SIGKILL: no chance to flush anything
            server.process.wait()
            server = start(tmp_path)
            with shared.lock:
                shared.url = server.url
        time.sleep(0.3)
    finally:
        shared.stop.set()
        for t in threads:
            t.join()
        server.process.kill()
        server.process.wait()

    conn = sqlite3.connect(tmp_path / "crash.db")
    present = {row[0] for row in conn.execute("select id from t")}
    conn.close()
    assert shared.acked, "no write was acknowledged"
    missing = [i for i in shared.acked if i not in present]
    assert not missing, f"{len(missing)} acknowledged rows lost, e.g. {missing[:5]}"
    torn = [ids for ids, _ in shared.batches if 0 < sum(i in present for i in ids) < len(ids)]
    assert not torn, f"{len(torn)} batches partly written, e.g. {torn[:3]}"
    unacked = sum(1 for _, acked in shared.batches if not acked)
    print(f"{len(shared.batches)} batches, {len(shared.acked)} acknowledged rows, "
          f"{unacked} batches unacknowledged, {len(present)} rows in the file")
