"""One read transaction per request (docs/performance.md, "One read transaction per request"):
a read that fails halfway (its SQL out of time, a bad clause, a fast-lane overrun moved to
the slow lane) leaves no transaction open behind it. The file is served as it came, in
rollback-journal mode, where a read transaction left open would hold a SHARED lock: the write
right after would wait out the busy timeout and fail, and the next read would see an old
snapshot. One I/O thread, so that every read runs on the same connection."""
import shutil
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer, shared_dir  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "read-transaction-secret"
LOOP = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
TIME_LIMIT_MESSAGE = ("SQL query took too long. The time limit is controlled by the "
                      "sql_time_limit_ms setting.")


@pytest.fixture(params=["0", "5"], ids=["no-slow-lane", "slow-lane"])
def served(request, tmp_path):
    shutil.copy(shared_dir() / "conformance" / "fixtures.db", tmp_path / "fixtures.db")
    args = ["fixtures.db", "--secret", SECRET, "--root", "--io-threads", "1",
            "--slow-lane-ms", request.param, "--setting", "sql_time_limit_ms", "300"]
    with AlmanacServer(args, cwd=tmp_path) as server:
        headers = {"Authorization": "Bearer " + root_token(SECRET)}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            client.folder = tmp_path
            yield client


def create(client, table, n):
    r = client.post("/fixtures/-/create", json={"table": table, "rows": [{"id": n}], "pk": "id"})
    assert r.status_code == 201, r.text


def insert(client, table, n):
    r = client.post(f"/fixtures/{table}/-/insert", json={"rows": [{"id": n}]})
    assert r.status_code == 201, r.text


def ids(client, table):
    r = client.get(f"/fixtures/{table}.json", params={"_shape": "array"})
    assert r.status_code == 200, r.text
    return [row["id"] for row in r.json()]


FAILING_READS = [
    # Out of time inside the request's transaction (after its schema check ran in it).
    ("/fixtures/-/query.json", {"sql": LOOP}, 400, TIME_LIMIT_MESSAGE),
    ("/fixtures/facetable.json", {"_where": f"pk = ({LOOP})"}, 400, TIME_LIMIT_MESSAGE),
    # A bad clause, after the count or rows began.
    ("/fixtures/facetable.json", {"_where": "no_such_column = 1"}, 400, None),
    ("/fixtures/facetable.json", {"_facet": "no_such_column"}, 400, None),
    ("/fixtures/no_such_table.json", {}, 404, None),
]


def test_a_failed_read_leaves_no_transaction_behind(served):
    # Never written yet, so not in WAL mode: readers take the file's SHARED lock.
    assert not (served.folder / "fixtures.db-wal").exists()
    for n, (path, params, status, message) in enumerate(FAILING_READS, start=1):
        r = served.get(path, params=params)
        assert r.status_code == status, (path, r.text)
        if message:
            assert r.json()["error"] == message
        # A write right after succeeds (a SHARED lock left behind would make it fail), and the
        # next read sees it (a transaction left open would show the old snapshot).
        if n == 1:
            create(served, "written", n)
        else:
            insert(served, "written", n)
        assert ids(served, "written") == list(range(1, n + 1))


def test_reads_and_writes_alternate(served):
    create(served, "alternating", 0)
    for n in range(1, 20):
        assert ids(served, "alternating") == list(range(n))
        page = served.get("/fixtures/facetable.json", params={"_facet": "state", "_size": 2})
        assert page.status_code == 200
        insert(served, "alternating", n)
    assert ids(served, "alternating") == list(range(20))
