"""The write API end to end: a fresh scratch database, root Bearer tokens, Datasette's shapes."""
import http.client
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "write-test-secret"


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("write")
    with AlmanacServer(["scratch.db", "--create", "--secret", SECRET, "--root"], cwd=tmp) as server:
        yield server


@pytest.fixture
def api(writer):
    headers = {"Authorization": "Bearer " + root_token(SECRET)}
    with httpx.Client(base_url=writer.url, headers=headers, timeout=30) as c:
        yield c


def create_dogs(api, name):
    r = api.post("/scratch/-/create", json={
        "table": name,
        "columns": [{"name": "id", "type": "integer"},
                    {"name": "name", "type": "text", "not_null": True, "default": ""},
                    {"name": "age", "type": "integer"},
                    {"name": "weight", "type": "float"}],
        "pk": "id"})
    assert r.status_code == 201, r.text
    return r.json()


def test_create_insert_read_back(api):
    created = create_dogs(api, "dogs_basic")
    assert created["table_api_url"].endswith("/scratch/dogs_basic.json")
    r = api.post("/scratch/dogs_basic/-/insert",
                 json={"rows": [{"name": "Cleo", "age": 5}, {"name": "Rex", "weight": 30.25}],
                       "return": True})
    assert r.status_code == 201
    assert r.json() == {"ok": True, "rows": [
        {"id": 1, "name": "Cleo", "age": 5, "weight": None},
        {"id": 2, "name": "Rex", "age": None, "weight": 30.25}]}
    rows = api.get("/scratch/dogs_basic.json?_shape=array").json()
    assert [row["name"] for row in rows] == ["Cleo", "Rex"]


def test_body_parsed_as_json_whatever_the_content_type(api):
    create_dogs(api, "dogs_ct")
    r = api.post("/scratch/dogs_ct/-/insert", content=b'{"row": {"name": "Form"}}',
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 201
    assert r.json()["rows"][0]["name"] == "Form"


def test_get_on_write_endpoints_is_405_text(api):
    create_dogs(api, "dogs_get")
    for path in ("/scratch/dogs_get/-/insert", "/scratch/dogs_get/-/upsert",
                 "/scratch/dogs_get/1/-/delete", "/scratch/-/create"):
        r = api.get(path)
        assert r.status_code == 405, path
        assert r.headers["content-type"].startswith("text/plain")
        assert r.text == "Method not allowed"
    r = api.get("/scratch/dogs_get/-/insert", headers={"Content-Type": "application/json"})
    assert r.status_code == 405
    assert r.json()["error"] == "Method not allowed"
    r = api.options("/scratch/dogs_get/-/insert")  # a CORS preflight
    assert r.status_code == 200 and r.text == "ok"


def test_heterogeneous_upsert_keeps_columns_a_row_leaves_out(api):
    create_dogs(api, "dogs_upsert")
    api.post("/scratch/dogs_upsert/-/insert",
             json={"rows": [{"id": 1, "name": "Cleo", "age": 5, "weight": 10.5},
                            {"id": 2, "name": "Rex", "age": 7, "weight": 30.0}]})
    r = api.post("/scratch/dogs_upsert/-/upsert",
                 json={"rows": [{"id": 1, "age": 6}, {"id": 2, "weight": 31.5},
                                {"id": 3, "name": "Fido"}], "return": True})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [
        {"id": 1, "name": "Cleo", "age": 6, "weight": 10.5},
        {"id": 2, "name": "Rex", "age": 7, "weight": 31.5},
        {"id": 3, "name": "Fido", "age": None, "weight": None}]


def test_request_is_atomic(api):
    create_dogs(api, "dogs_atomic")
    r = api.post("/scratch/dogs_atomic/-/insert",
                 json={"rows": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 1, "name": "c"}]})
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error": "UNIQUE constraint failed: dogs_atomic.id",
                        "errors": ["UNIQUE constraint failed: dogs_atomic.id"], "status": 400}
    assert api.get("/scratch/dogs_atomic.json").json()["rows"] == []


def test_hostile_bodies_get_clear_4xx(api, writer):
    create_dogs(api, "dogs_hostile")
    r = api.post("/scratch/dogs_hostile/-/insert", content=b"[" * 200000)
    assert r.status_code == 400
    assert r.json()["error"].startswith("Invalid JSON: ")
    # An oversized body is refused as soon as its Content-Length is read (the client may still
    # be sending, so announce it and read the answer without sending the bytes).
    conn = http.client.HTTPConnection("127.0.0.1", writer.port, timeout=10)
    conn.putrequest("POST", "/scratch/dogs_hostile/-/insert")
    conn.putheader("Authorization", api.headers["Authorization"])
    conn.putheader("Content-Length", str(3 * 1024 * 1024))
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413
    assert json.loads(r.read()) == {
        "ok": False, "error": "Request body exceeded maximum size of 2097152 bytes",
        "errors": ["Request body exceeded maximum size of 2097152 bytes"], "status": 413}
    conn.close()
    assert api.get("/scratch.json").status_code == 200  # still serving


def test_permissions_and_missing_things(writer, api):
    anonymous = httpx.post(writer.url + "/scratch/-/create", json={"table": "x", "columns": [{"name": "a"}]})
    assert anonymous.status_code == 403
    assert anonymous.json()["error"] == "Permission denied"
    r = api.post("/nope/-/create", json={"table": "x", "columns": [{"name": "a"}]})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    create_dogs(api, "dogs_missing")
    r = api.post("/scratch/dogs_missing/999/-/update", json={"update": {"age": 1}})
    assert r.status_code == 404
    assert r.json()["error"] == "Record not found: ['999']"


def test_execute_write(api):
    create_dogs(api, "dogs_exec")
    r = api.post("/scratch/-/execute-write", json={"sql": "vacuum"})
    assert r.status_code == 403
    assert r.json()["error"] == "VACUUM is not allowed in user-supplied SQL"
    assert r.headers["x-frame-options"] == "DENY"
    r = api.post("/scratch/-/execute-write",
                 json={"sql": "insert into dogs_exec (name) values (:n) returning id, name",
                       "params": {"n": "Pip"}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rows"] == [{"id": 1, "name": "Pip"}]
    assert body["message"] == "Query executed, 1 row affected"
    # The same statement again is analysed again and runs again (it once came back from the
    # connection's statement cache unanalysed and was refused as an unknown statement).
    for name in ["Rex", "Bo"]:
        r = api.post("/scratch/-/execute-write",
                     json={"sql": "insert into dogs_exec (name) values (:n) returning id, name",
                           "params": {"n": name}})
        assert r.status_code == 200, r.text
        assert r.json()["analysis"] == body["analysis"]
    assert [d["name"] for d in api.get("/scratch/dogs_exec.json?_shape=array").json()] == [
        "Pip", "Rex", "Bo"]
    r = api.post("/scratch/-/execute-write", json={"sql": "drop table dogs_exec"})
    assert r.status_code == 200
    assert api.get("/scratch/dogs_exec.json").status_code == 404


def test_alter_and_drop(api):
    create_dogs(api, "dogs_alter")
    api.post("/scratch/dogs_alter/-/insert", json={"row": {"name": "Cleo", "age": 5}})
    r = api.post("/scratch/dogs_alter/-/alter", json={"operations": [
        {"op": "rename_column", "args": {"name": "age", "to": "years"}},
        {"op": "drop_column", "args": {"name": "weight"}},
        {"op": "add_column", "args": {"name": "toy"}}]})
    assert r.status_code == 200, r.text
    assert r.json()["altered"] is True
    assert api.get("/scratch/dogs_alter.json?_shape=array").json() == [
        {"id": 1, "name": "Cleo", "years": 5, "toy": None}]
    preview = api.post("/scratch/dogs_alter/-/drop")
    assert preview.json()["row_count"] == 1
    assert api.post("/scratch/dogs_alter/-/drop", json={"confirm": True}).json() == {"ok": True}
    assert api.get("/scratch/dogs_alter.json").status_code == 404


def test_write_api_doc_examples_run(tmp_path):
    """Every curl example in docs/write-api.md runs against a real server and succeeds."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "write-api.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", doc, re.S)
    setup, examples = blocks[0], blocks[1:]
    assert "almanac serve" in setup and len(examples) >= 5
    secret = "doc-secret"
    with AlmanacServer(["data.db", "--create", "--secret", secret, "--root"], cwd=tmp_path) as server:
        token = subprocess.run([server.binary, "create-token", "root", "--secret", secret],
                               capture_output=True, text=True, check=True).stdout.strip()
        prelude = ('AUTH="Authorization: Bearer %s"\n'
                   "curl() { command curl -w '\\n%%{http_code}\\n' \"$@\"; }\n" % token)
        for block in examples:
            script = prelude + block.replace("http://127.0.0.1:8001", server.url)
            # In the test's own directory: the examples write files (pets.csv).
            out = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                                 timeout=60, cwd=tmp_path)
            assert out.returncode == 0, out.stderr
            lines = out.stdout.strip().splitlines()
            statuses = [int(line) for line in lines[1::2]]
            bodies = lines[0::2]
            assert statuses and all(s < 300 for s in statuses), (block, out.stdout)
            assert all(json.loads(b)["ok"] is True for b in bodies), out.stdout
