"""Bodies stream through the front door both ways: a 1 GB CSV download and a 1 GB upload pass
while the front door's memory stays flat (ALMANAC_CLOUD_STREAM_MB sizes them, default 1024). The
data is generated: the download is a view over a recursive CTE, the upload a generator."""
import os
import sqlite3
import threading

import httpx

from conftest import create_space, rss_kb

STREAM_MB = int(os.environ.get("ALMANAC_CLOUD_STREAM_MB", "1024"))
FLAT_KB = 64 * 1024  # the front door may grow by this much at most


class RssWatch:
    """Samples a process's RSS while a transfer runs."""

    def __init__(self, pid):
        self.pid = pid
        self.base = rss_kb(pid)
        self.peak = self.base
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, rss_kb(self.pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def make_big_table(path, megabytes):
    """A view of `megabytes` MB of CSV (about 1 KB a row), made as it is read."""
    rows = megabytes * 1024
    db = sqlite3.connect(path)
    db.execute(f"""create view big as
                   with recursive n(i) as (select 1 union all select i + 1 from n where i < {rows})
                   select i as id, printf('%.1000c', 'x') as payload from n""")
    db.commit()
    db.close()
    return rows


def test_large_download_streams_with_flat_memory(start_cloud, data_dir):
    token = create_space(data_dir, "bulk")
    rows = make_big_table(data_dir / "spaces" / "bulk" / "data.db", STREAM_MB)
    # Without a CSV size cap (Datasette's max_csv_mb, 100 by default), so all of it streams.
    cloud = start_cloud("--no-sandbox", "--worker-setting", "max_csv_mb", "0")
    received = 0
    lines = 0
    with cloud.client(token) as c, RssWatch(cloud.pid) as watch:
        with c.stream("GET", "/bulk/data/big.csv", params={"_stream": "on", "_size": "max"}) as r:
            assert r.status_code == 200
            for chunk in r.iter_bytes():
                received += len(chunk)
                lines += chunk.count(b"\n")
    assert received > STREAM_MB * 1000 * 1000
    assert lines == rows + 1
    assert watch.peak - watch.base < FLAT_KB, (watch.base, watch.peak)


def test_large_upload_streams_with_flat_memory(start_cloud, data_dir):
    token = create_space(data_dir, "upload")
    cloud = start_cloud("--no-sandbox")
    block = b"x" * (1 << 20)

    def body():
        for _ in range(STREAM_MB):
            yield block

    with cloud.client(token) as c, RssWatch(cloud.pid) as watch:
        # The worker refuses a body this large (its max_post_body_bytes): the front door still
        # passes all of it through, in bounded memory, and hands back the worker's answer.
        r = c.post("/upload/data/-/query", content=body(),
                   headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 413, r.text
    assert watch.peak - watch.base < FLAT_KB, (watch.base, watch.peak)
