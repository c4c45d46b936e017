"""Bodies stream through the front door both ways: a large CSV download and a large upload
pass while the front door's memory stays flat (ALMANAC_CLOUD_STREAM_MB, default 256; 1024 for the issue's 1 GB)."""
import os
import sqlite3
import threading

import httpx

from conftest import create_space, rss_kb

STREAM_MB = int(os.environ.get("ALMANAC_CLOUD_STREAM_MB", "256"))
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
    db = sqlite3.connect(path)
    db.execute("create table big (id integer primary key, payload text)")
    rows = megabytes * 1024  # about 1 KB of CSV per row
    db.execute("""with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
                  insert into big select i, hex(randomblob(500)) from n""", (rows,))
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
