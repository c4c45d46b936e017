"""The identity hand-off (auth/handoff.h): a worker started with --handoff-secret-fd trusts only
identity headers signed with that secret within a short window; forged, tampered, stale and
replayed headers, bare requests, tokens and cookies are refused. Through the front door, the
client's own identity headers are replaced by the front door's."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

import httpx
import pytest

from conftest import almanac_binary, create_space, wait_for

SECRET = "0123456789abcdef0123456789abcdef"


def sign(actor, stamp, secret=SECRET):
    payload = base64.urlsafe_b64encode(json.dumps(actor).encode()).rstrip(b"=").decode()
    signed = f"v1.{stamp}.{payload}"
    return signed + "." + hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def worker(tmp_path):
    socket_path = str(tmp_path / "w.sock")
    read_end, write_end = os.pipe()
    os.write(write_end, SECRET.encode())
    os.close(write_end)
    process = subprocess.Popen(
        [almanac_binary(), "serve", "--uds", socket_path, "--handoff-secret-fd", str(read_end),
         "--memory"], pass_fds=[read_end], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    os.close(read_end)
    assert "serving on unix:" in process.stdout.readline()
    client = httpx.Client(transport=httpx.HTTPTransport(uds=socket_path),
                          base_url="http://worker", timeout=10)
    yield client
    client.close()
    process.terminate()
    process.wait(10)


def actor_of(client, headers):
    response = client.get("/-/actor.json", headers=headers)
    return response.status_code, response.json()


def test_signed_identity_is_trusted(worker):
    status, body = actor_of(worker, {"x-almanac-identity": sign({"id": "root"}, int(time.time()))})
    assert status == 200 and body["actor"] == {"id": "root"}
    status, body = actor_of(worker, {"x-almanac-identity": sign(None, int(time.time()))})
    assert status == 200 and body["actor"] is None


def test_root_handed_over_may_write(worker):
    headers = {"x-almanac-identity": sign({"id": "root"}, int(time.time()))}
    response = worker.post("/_memory/-/create", headers=headers,
                           json={"table": "t", "rows": [{"id": 1}]})
    assert response.status_code == 201, response.text


# Each header is made when its test runs (not when tests are collected, which may be minutes
# earlier in a full run: a header "from the future" would have become a present one).
@pytest.mark.parametrize("why,make_header", [
    ("missing", lambda: None),
    ("wrong secret", lambda: sign({"id": "root"}, int(time.time()),
                                  secret="not-the-secret-at-all")),
    ("replayed from long ago", lambda: sign({"id": "root"}, int(time.time()) - 120)),
    ("from the future", lambda: sign({"id": "root"}, int(time.time()) + 120)),
    ("tampered actor", lambda: sign({"id": "alice"}, int(time.time())).replace(
        base64.urlsafe_b64encode(b'{"id": "alice"}').rstrip(b"=").decode(),
        base64.urlsafe_b64encode(b'{"id": "root"}').rstrip(b"=").decode())),
    ("garbage", lambda: "v1.garbage"),
], ids=["missing", "wrong secret", "replayed", "from the future", "tampered", "garbage"])
def test_bad_identity_is_refused(worker, why, make_header):
    header = make_header()
    headers = {"x-almanac-identity": header} if header else {}
    status, body = actor_of(worker, headers)
    assert status == 401, why
    assert body["ok"] is False and "hand-off" in body["error"]


def test_tokens_and_cookies_are_not_trusted(worker):
    # A worker in hosting mode ignores Datasette's own credentials: only the header counts.
    status, _ = actor_of(worker, {"Authorization": "Bearer dstok_anything",
                                  "Cookie": "ds_actor=anything"})
    assert status == 401


def test_worker_socket_without_front_door_is_refused(start_cloud, data_dir):
    token = create_space(data_dir, "direct")
    cloud = start_cloud("--no-sandbox")
    with cloud.client(token) as c:
        assert c.get("/direct/-/actor.json").json()["actor"] == {"id": "root"}
    [socket_path] = [p for p in (data_dir / "run").iterdir() if p.suffix == ".sock"]
    with httpx.Client(transport=httpx.HTTPTransport(uds=str(socket_path)),
                      base_url="http://worker", timeout=10) as direct:
        forged = sign({"id": "root"}, int(time.time()))  # signed with a guessed secret
        assert direct.get("/direct/-/actor.json").status_code == 401
        assert direct.get("/direct/-/actor.json",
                          headers={"x-almanac-identity": forged}).status_code == 401
