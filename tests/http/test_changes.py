"""The change feed (docs/changes.md): opt-in per database, every write through the API in the
log in order, pages with a cursor, Server-Sent Events with Last-Event-ID resumption and
heartbeats, permission filtering (a private table's changes never reach an anonymous reader),
the cursor surviving a restart, writes by another process as `resync`, and a kill -9 loop
after which the log has no gap and no double."""
import json
import queue
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer, almanac_binary  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "changes-test-secret"
CONFIG = {"databases": {"feed": {
    "changes": {"heartbeat_seconds": 0.5},
    "tables": {"secret": {"allow": {"id": "root"}}},
}}}


def start(tmp, config=CONFIG, extra=()):
    (tmp / "config.json").write_text(json.dumps(config))
    return AlmanacServer(["feed.db", "--create", "-c", "config.json", "--secret", SECRET,
                          "--root", *extra], cwd=tmp).start()


def auth():
    return {"Authorization": "Bearer " + root_token(SECRET)}


def create(url, table, extra_columns=()):
    columns = [{"name": "id", "type": "integer"}, {"name": "v", "type": "text"}, *extra_columns]
    r = httpx.post(f"{url}/feed/-/create", headers=auth(),
                   json={"table": table, "pk": "id", "columns": columns})
    assert r.status_code == 201, r.text


def insert(url, table, rows):
    r = httpx.post(f"{url}/feed/{table}/-/insert", headers=auth(), json={"rows": rows})
    assert r.status_code == 201, r.text


def page(url, headers=None, **params):
    r = httpx.get(f"{url}/feed/-/changes.json", params=params, headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()


def summary(events):
    return [(e["op"], e["table"], e["pk"]) for e in events]


def test_off_unless_configured_and_no_table_added(tmp_path):
    sqlite3.connect(tmp_path / "plain.db").execute("create table t (id integer primary key)")
    server = AlmanacServer(["plain.db"], cwd=tmp_path).start()
    try:
        r = httpx.get(server.url + "/plain/-/changes.json")
        assert r.status_code == 404
        assert r.json()["ok"] is False
        assert "changes" in r.json()["error"]
    finally:
        server.stop()
    names = [r[0] for r in sqlite3.connect(tmp_path / "plain.db").execute(
        "select name from sqlite_master")]
    assert not [n for n in names if n.startswith("_almanac")]


def test_every_api_write_is_in_the_feed_in_order(tmp_path):
    server = start(tmp_path)
    try:
        url = server.url
        create(url, "t")
        insert(url, "t", [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}])
        r = httpx.post(f"{url}/feed/t/2/-/update", headers=auth(), json={"update": {"v": "c"}})
        assert r.status_code == 200, r.text
        r = httpx.post(f"{url}/feed/t/1/-/delete", headers=auth())
        assert r.status_code == 200, r.text
        r = httpx.post(f"{url}/feed/-/execute-write", headers=auth(),
                       json={"sql": "insert into t (id, v) values (3, 'x')"})
        assert r.status_code == 200, r.text
        data = page(url, auth())
        assert summary(data["changes"]) == [
            ("insert", "t", [1]), ("insert", "t", [2]), ("update", "t", [2]),
            ("delete", "t", [1]), ("insert", "t", [3])]
        assert [e["seq"] for e in data["changes"]] == [1, 2, 3, 4, 5]
        assert data["changes"][2]["row"] == {"id": 2, "v": "c"}
        assert data["next"] is None and data["last_seq"] == 5
        # Pages of two, with a cursor
        first = page(url, auth(), _size=2)
        assert [e["seq"] for e in first["changes"]] == [1, 2] and first["next"] == 2
        second = page(url, auth(), _size=2, since=first["next"])
        assert [e["seq"] for e in second["changes"]] == [3, 4] and second["next"] == 4
        third = page(url, auth(), _size=2, since=4)
        assert [e["seq"] for e in third["changes"]] == [5] and third["next"] is None
        # One table
        create(url, "other")
        insert(url, "other", [{"id": 9, "v": "z"}])
        assert summary(page(url, auth(), table="other")["changes"]) == [("insert", "other", [9])]
        # Bad arguments are 400s in plain words
        r = httpx.get(f"{url}/feed/-/changes.json", params={"since": "x"})
        assert r.status_code == 400 and "since" in r.json()["error"]
        r = httpx.get(f"{url}/feed/-/changes.json", params={"_size": "0"})
        assert r.status_code == 400
    finally:
        server.stop()


class EventReader:
    """Reads a Server-Sent Events stream on a thread; events land in a queue."""

    def __init__(self, url, headers=None):
        self.events = queue.Queue()
        self.comments = queue.Queue()
        self.status = None
        self.content_type = None
        self.ready = threading.Event()
        self.client = httpx.Client(timeout=httpx.Timeout(30, read=30))
        self.thread = threading.Thread(target=self.run, args=(url, headers or {}), daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "the stream did not start"

    def run(self, url, headers):
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                self.status = r.status_code
                self.content_type = r.headers.get("content-type")
                self.ready.set()
                event = {}
                for line in r.iter_lines():
                    line = line.rstrip("\r\n")  # some httpx versions keep the line end
                    if line.startswith(":"):
                        self.comments.put(line)
                    elif line == "":
                        if "data" in event:
                            self.events.put(event)
                        event = {}
                    else:
                        field, _, value = line.partition(":")
                        event[field] = value[1:] if value.startswith(" ") else value
        except httpx.HTTPError:
            pass
        finally:
            self.ready.set()

    def next(self, timeout=10):
        event = self.events.get(timeout=timeout)
        event["json"] = json.loads(event["data"])
        return event

    def close(self):
        self.client.close()


def test_sse_streams_resumes_and_beats(tmp_path):
    server = start(tmp_path)
    try:
        url = server.url
        create(url, "t")
        reader = EventReader(f"{url}/feed/-/changes", auth())
        assert reader.status == 200
        assert reader.content_type.startswith("text/event-stream")
        insert(url, "t", [{"id": 1, "v": "a"}])
        event = reader.next()
        assert event["event"] == "change" and event["id"] == "1"
        assert event["json"]["row"] == {"id": 1, "v": "a"}
        insert(url, "t", [{"id": 2, "v": "b"}, {"id": 3, "v": "c"}])
        assert [reader.next()["id"], reader.next()["id"]] == ["2", "3"]
        # Idle: heartbeats keep the connection alive
        assert reader.comments.get(timeout=10)
        reader.close()
        # Last-Event-ID resumes after the event named
        resumed = EventReader(f"{url}/feed/-/changes", {**auth(), "Last-Event-ID": "1"})
        assert [resumed.next()["id"], resumed.next()["id"]] == ["2", "3"]
        resumed.close()
    finally:
        server.stop()


def test_private_table_changes_never_reach_anonymous(tmp_path):
    server = start(tmp_path)
    try:
        url = server.url
        create(url, "public")
        create(url, "secret")
        anonymous = EventReader(f"{url}/feed/-/changes?since=0")
        root = EventReader(f"{url}/feed/-/changes?since=0", auth())
        insert(url, "secret", [{"id": 1, "v": "password"}])
        insert(url, "public", [{"id": 2, "v": "hello"}])
        assert [root.next()["json"]["table"], root.next()["json"]["table"]] == ["secret", "public"]
        seen = anonymous.next()
        assert seen["json"]["table"] == "public"
        assert anonymous.events.empty()
        anonymous.close()
        root.close()
        assert summary(page(url)["changes"]) == [("insert", "public", [2])]
        assert len(page(url, auth())["changes"]) == 2
        r = httpx.get(f"{url}/feed/-/changes.json", params={"table": "secret"})
        assert r.status_code == 403
        r = httpx.get(f"{url}/feed/-/changes", params={"table": "secret"})
        assert r.status_code == 403
    finally:
        server.stop()


def test_cursor_survives_restart_and_outside_writes_resync(tmp_path):
    server = start(tmp_path)
    try:
        create(server.url, "t")
        insert(server.url, "t", [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}])
        last = page(server.url, auth())["last_seq"]
    finally:
        server.stop()
    server = start(tmp_path)
    try:
        assert page(server.url, auth(), since=last)["changes"] == []
        insert(server.url, "t", [{"id": 3, "v": "c"}])
        after = page(server.url, auth(), since=last)["changes"]
        assert [(e["seq"], e["pk"]) for e in after] == [(last + 1, [3])]
        # A write by another process cannot be captured: the feed says so.
        conn = sqlite3.connect(tmp_path / "feed.db")
        conn.execute("insert into t (id, v) values (4, 'd')")
        conn.commit()
        conn.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ops = [e["op"] for e in page(server.url, auth(), since=last + 1)["changes"]]
            if "resync" in ops:
                break
            time.sleep(0.05)
        assert ops == ["resync"]
    finally:
        server.stop()


def test_kill_9_loop_leaves_no_gap_and_no_double(tmp_path):
    # merge_every 8: the links' pending changes are merged into the index after nearly every
    # write, so that kills land in merges as well as in writes (docs/links.md).
    config = {"databases": {"feed": {"changes": True, "links": {"merge_every": 8}}}}
    server = start(tmp_path, config)
    create(server.url, "p")
    insert(server.url, "p", [{"id": i, "v": str(i)} for i in range(1, 6)])
    create(server.url, "t", [{"name": "p", "type": "integer", "fk_table": "p"}])
    stop = threading.Event()
    state = {"url": server.url}
    lock = threading.Lock()

    def writer(number):
        counter = 0
        with httpx.Client(timeout=5, headers=auth()) as http:
            while not stop.is_set():
                with lock:
                    url = state["url"]
                if url is None:
                    time.sleep(0.01)
                    continue
                counter += 1
                rows = [{"id": number * 1_000_000 + counter * 10 + i, "v": "x", "p": 1 + i % 5}
                        for i in range(3)]
                try:
                    http.post(url + "/feed/t/-/insert", json={"rows": rows})
                except httpx.HTTPError:
                    time.sleep(0.005)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    rng = random.Random(7)
    kills = 6
    try:
        for _ in range(kills):
            # Wait for writes to land, then kill at a random moment.
            deadline = time.monotonic() + 10
            base = page(state["url"], auth())["last_seq"]
            while page(state["url"], auth())["last_seq"] < base + 20 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.2))
            with lock:
                state["url"] = None
            server.process.kill()
            server.process.wait()
            server = start(tmp_path, config)
            with lock:
                state["url"] = server.url
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.stop()
    conn = sqlite3.connect(tmp_path / "feed.db")
    # The log's rows (one per write) cover the seqs without a gap or an overlap...
    covered = 1
    for first, n in conn.execute("select seq, n from _almanac_change_batches order by seq"):
        assert first == covered, "the log has a gap"
        covered += n
    rows = [r[0] for r in conn.execute("select id from t")]
    conn.close()
    # ...and the events, as the feed serves them after one more restart, are each row's insert.
    server = start(tmp_path, config)
    try:
        seqs, logged, since = [], [], 0
        while True:
            p = page(server.url, auth(), since=since, _size=1000)
            seqs += [e["seq"] for e in p["changes"]]
            logged += [e["pk"][0] for e in p["changes"]
                       if e["table"] == "t" and e["op"] == "insert"]
            if p["next"] is None:
                break
            since = p["next"]
    finally:
        server.stop()
    assert seqs == list(range(1, covered)), "the log has a gap"
    assert len(logged) == len(set(logged)), "an insert was logged twice"
    assert sorted(logged) == sorted(rows), "rows and logged inserts differ"
    assert len(rows) > 0
    verified = subprocess.run([almanac_binary(), "links", "verify", "feed.db"], cwd=tmp_path,
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(f"{kills} SIGKILLs, {len(rows)} rows, {len(seqs)} events, no gap, no double")
