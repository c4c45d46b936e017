"""A space's disk quota (`almanac cloud --space-quota-mb`): writes through the API that would
take the space's databases past it are refused with a 413 saying the space is full, every
acknowledged row before stays, and a request body larger than the whole quota is refused by
the front door before it reaches the worker."""
import json
import socket
from urllib.parse import urlsplit

from conftest import create_space

ROW_BYTES = 100_000


def post_head_only(url, path, token, length):
    """Sends a POST's head announcing `length` bytes of body, and none of them; returns the
    answer's status and body (the front door must answer without waiting for the body)."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as s:
        s.sendall((f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
                   f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {length}\r\n\r\n").encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = s.recv(65536)
            assert chunk, received
            received += chunk
        head, body = received.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        size = next(int(line.split(":", 1)[1]) for line in lines
                    if line.lower().startswith("content-length:"))
        while len(body) < size:
            chunk = s.recv(65536)
            assert chunk, body
            body += chunk
        return int(lines[0].split()[1]), body[:size]


def test_writes_past_the_quota_are_refused_and_earlier_rows_stay(start_cloud, data_dir):
    token = create_space(data_dir, "small")
    cloud = start_cloud("--no-sandbox", "--space-quota-mb", "2")
    acknowledged = []
    refusal = None
    with cloud.client(token) as c:
        created = c.post("/small/data/-/create",
                         json={"table": "t", "columns": [{"name": "id", "type": "integer"},
                                                         {"name": "body", "type": "text"}],
                               "pk": "id"})
        assert created.status_code == 201, created.text
        for i in range(1, 60):  # 6 MB of rows for a 2 MB space
            r = c.post("/small/data/t/-/insert", json={"row": {"id": i, "body": "x" * ROW_BYTES}})
            if r.status_code == 201:
                acknowledged.append(i)
                continue
            refusal = r
            break
        assert refusal is not None, "6 MB of rows fitted in a 2 MB space"
        assert refusal.status_code == 413, refusal.text
        body = refusal.json()
        assert body["ok"] is False
        assert body["error"].startswith("This space is full: its databases may use 2 MB")
        assert 10 <= len(acknowledged) <= 21
        # Every acknowledged row is there, whole; the space still answers reads.
        rows = c.get("/small/data/t.json", params={"_shape": "array", "_size": "max",
                                                   "_col": "body"}).json()
        assert [row["id"] for row in rows] == acknowledged
        assert all(len(row["body"]) == ROW_BYTES for row in rows)
        # A body larger than the whole quota is refused at the front door, before it is sent.
        status, answer = post_head_only(cloud.url, "/small/data/t/-/insert", token, 3 << 20)
        assert status == 413
        assert json.loads(answer)["error"] == ("Too large for this space: the request's body "
                                               "has 3.0 MB, more than the 2.0 MB its databases "
                                               "may use together")
        # Deleting rows makes room again.
        for i in acknowledged[:5]:
            assert c.post(f"/small/data/t/{i}/-/delete").status_code == 200
        r = c.post("/small/data/t/-/insert", json={"row": {"id": 1000, "body": "x" * ROW_BYTES}})
        assert r.status_code == 201, r.text


def test_no_quota_error_below_the_quota(start_cloud, data_dir):
    token = create_space(data_dir, "roomy")
    cloud = start_cloud("--no-sandbox", "--space-quota-mb", "64")
    with cloud.client(token) as c:
        rows = [{"id": i, "body": "x" * ROW_BYTES} for i in range(1, 16)]
        r = c.post("/roomy/data/-/create", json={"table": "t", "rows": rows, "pk": "id"})
        assert r.status_code == 201, r.text
        for i in range(16, 41):  # 4 MB in all: more than the 2 MB of the other test
            r = c.post("/roomy/data/t/-/insert", json={"row": {"id": i, "body": "x" * ROW_BYTES}})
            assert r.status_code == 201, r.text
        assert c.get("/roomy/data/t.json?_shape=array&_col=id&_size=max").json()[-1]["id"] == 40
