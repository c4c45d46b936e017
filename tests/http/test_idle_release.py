"""An idle server gives back what it keeps for the next requests (docs/performance.md,
"Per-worker footprint"): once no request has come for --idle-release-ms, every thread closes its read
connections of the databases (they are opened again by the next request) and the parsed
templates and compressors nobody holds are dropped. (Seen here in rollback-journal mode: in WAL
mode SQLite keeps a closed connection's descriptor for the next one while others hold locks.) A hosting box pays for idle workers; a
user pays nothing for it but the next request opening them again: the pages come back the
same, and a write made meanwhile is seen."""
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer, shared_dir  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "idle-release-secret"
PAGES = ["/fixtures/facetable", "/fixtures/facetable.json?_facet=state",
         "/fixtures/facetable?_sort=pk&_facet=_city_id", "/fixtures/-/query?sql=select+count(*)+from+facetable"]


def open_files_of(pid, path):
    """How many of the process's descriptors name the database file itself."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                count += 1
        except FileNotFoundError:
            pass
    return count


def wait_until(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)  # polling a condition, not timing anything
    return condition()


def test_idle_server_closes_its_read_connections_and_serves_the_same_pages(tmp_path):
    shutil.copy(shared_dir() / "conformance" / "fixtures.db", tmp_path / "fixtures.db")
    db = (tmp_path / "fixtures.db").resolve()
    args = ["fixtures.db", "--secret", SECRET, "--root", "--io-threads", "2",
            "--setting", "num_sql_threads", "2", "--idle-release-ms", "200"]
    with AlmanacServer(args, cwd=tmp_path) as server:
        pid = server.process.pid
        headers = {"Authorization": "Bearer " + root_token(SECRET),
                   "Accept-Encoding": "gzip"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            before = {}
            for page in PAGES:
                r = client.get(page)
                assert r.status_code == 200, r.text
                before[page] = r.content
            busy = open_files_of(pid, db)
            # The writer and the change monitor stay open; the readers the pages opened close.
            assert wait_until(lambda: open_files_of(pid, db) < busy), (
                f"still {open_files_of(pid, db)} descriptors of the file after idling "
                f"({busy} while busy)")
            idle = open_files_of(pid, db)
            for page in PAGES:
                r = client.get(page)
                assert r.status_code == 200, r.text
                assert r.content == before[page], page
            assert open_files_of(pid, db) > idle
            # Idle again, and a commit by another program meanwhile: the connections opened
            # again read it (and a cached count or facet is not taken for current).
            assert wait_until(lambda: open_files_of(pid, db) <= idle)
            with sqlite3.connect(db) as other:
                other.execute("insert into facetable (pk, state, _city_id) values (100, 'ZZ', 1)")
            other.close()
            r = client.get("/fixtures/facetable.json?state=ZZ&_shape=array")
            assert [row["pk"] for row in r.json()] == [100]
            r = client.get("/fixtures/facetable.json?_facet=state")
            assert {"value": "ZZ", "count": 1} in [
                {"value": f["value"], "count": f["count"]}
                for f in r.json()["facet_results"]["results"]["state"]["results"]]
