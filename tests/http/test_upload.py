"""The upload page, /<db>/-/upload: a CSV, TSV, JSON or newline-delimited JSON file (or pasted
data) streamed as multipart/form-data into a new table, or appended to an existing one, in one
transaction. Permissions, CSRF, the size cap, malformed and hostile uploads."""
import gzip
import io
import os
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer  # noqa: E402
from tokens import root_token  # noqa: E402

SECRET = "upload-test-secret"
CSV = "id,name,weight\n1,Cleo,4.5\n2,Pancakes,3\n3,Fido,\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("upload")


@pytest.fixture(scope="module")
def server(folder):
    with AlmanacServer(["scratch.db", "--create", "--secret", SECRET, "--root"],
                       cwd=folder) as running:
        yield running


@pytest.fixture
def api(server):
    headers = {"Authorization": "Bearer " + root_token(SECRET)}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as c:
        yield c


def upload(api, filename=None, content=None, json=True, **fields):
    """POSTs a multipart upload: a file part (when `filename` is given) and the form fields."""
    files = [(name, (None, str(value))) for name, value in fields.items()]
    if filename is not None:
        files.append(("file", (filename, content, "application/octet-stream")))
    path = "/scratch/-/upload.json" if json else "/scratch/-/upload"
    return api.post(path, files=files)


def rows(api, table):
    r = api.get(f"/scratch/{table}.json", params={"_shape": "array", "_size": "max"})
    assert r.status_code == 200, r.text
    return r.json()


def column_types(api, table):
    r = api.get("/scratch/-/query.json", params={
        "sql": "select name, type from pragma_table_info(:t)", "t": table, "_shape": "array"})
    return {row["name"]: row["type"] for row in r.json()}


def tables(api):
    return {t["name"] for t in api.get("/scratch.json").json()["tables"]}


def test_csv_file_becomes_a_table_with_detected_types(api):
    r = upload(api, "dogs.csv", CSV)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["ok"] is True and body["table"] == "dogs" and body["rows"] == 3
    assert body["bytes"] == len(CSV) and body["format"] == "CSV" and body["created"] is True
    assert body["table_url"].endswith("/scratch/dogs")
    assert rows(api, "dogs") == [{"rowid": 1, "id": 1, "name": "Cleo", "weight": 4.5},
                                 {"rowid": 2, "id": 2, "name": "Pancakes", "weight": 3.0},
                                 {"rowid": 3, "id": 3, "name": "Fido", "weight": None}]
    assert column_types(api, "dogs") == {"id": "INTEGER", "name": "TEXT", "weight": "REAL"}


@pytest.mark.parametrize("filename,content,fields", [
    ("tabs.tsv", "a\tb\n1\tx\n2\ty\n", {}),
    ("array.json", '[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]', {}),
    ("lines.ndjson", '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n', {}),
    ("jlines.jsonl", '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n', {}),
    ("sniffed.txt", '[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]', {}),
    ("noextension", "a,b\n1,x\n2,y\n", {}),
    ("chosen.data", "a\tb\n1\tx\n2\ty\n", {"format": "tsv"}),
])
def test_each_format_by_extension_content_or_choice(api, filename, content, fields):
    r = upload(api, filename, content, **fields)
    assert r.status_code == 201, r.text
    table = r.json()["table"]
    assert table == filename.split(".")[0]
    assert [(row["a"], row["b"]) for row in rows(api, table)] == [(1, "x"), (2, "y")]


def test_pasted_data(api):
    r = upload(api, table="pasted", paste="name,score\r\nAnn,2.5\r\nBo,3\r\n")
    assert r.status_code == 201, r.text
    assert r.json()["rows"] == 2
    assert [(row["name"], row["score"]) for row in rows(api, "pasted")] == [("Ann", 2.5),
                                                                           ("Bo", 3.0)]
    # Pasted data has no file name to take the table's name from.
    r = upload(api, paste="a\n1\n")
    assert r.status_code == 400 and r.json()["error"] == "The table needs a name"
    # An empty file field beside the paste box (what a browser sends) is no file.
    r = api.post("/scratch/-/upload.json", files=[
        ("table", (None, "pasted2")), ("file", ("", b"", "application/octet-stream")),
        ("paste", (None, "a\n1\n"))])
    assert r.status_code == 201, r.text
    r = upload(api, "both.csv", "a\n1\n", paste="a\n2\n")
    assert r.status_code == 400 and r.json()["error"] == "Upload a file or paste data, not both"


def test_html_form_and_result_page(api):
    page = api.get("/scratch/-/upload")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'type="file" name="file"' in page.text and 'name="paste"' in page.text
    assert "<script" not in page.text.split("</main>")[0].split("<main")[-1]
    # The most accepted, in bytes, for app.js to refuse a larger file before sending it.
    assert 'data-max-bytes="1073741824"' in page.text and "Uploads up to 1 GB" in page.text
    r = upload(api, "html_dogs.csv", CSV, json=False)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Created table html_dogs: 3 rows from 47 bytes of CSV." in r.text
    # Accept: application/json gets the JSON answer from the HTML URL too.
    r = api.post("/scratch/-/upload", headers={"Accept": "application/json"},
                 files=[("file", ("accept_json.csv", CSV, "text/csv"))])
    assert r.status_code == 201 and r.json()["rows"] == 3
    # An error shows the form again with the message and the values sent.
    r = upload(api, "html_dogs.csv", CSV, json=False)
    assert r.status_code == 400
    assert "A table named html_dogs exists already" in r.text
    assert 'value="html_dogs"' in r.text
    # The database page links to the upload page.
    assert 'href="/scratch/-/upload"' in api.get("/scratch").text


def test_existing_table_is_refused_unless_appending(api):
    assert upload(api, "append_me.csv", CSV).status_code == 201
    r = upload(api, "append_me.csv", CSV)
    assert r.status_code == 400
    assert r.json()["error"].startswith("A table named append_me exists already")
    assert len(rows(api, "append_me")) == 3
    r = upload(api, "more.csv", "id,name,weight\n4,Rex,9\n", table="append_me", append="1")
    assert r.status_code == 200, r.text
    assert r.json()["created"] is False and r.json()["rows"] == 1
    assert [row["name"] for row in rows(api, "append_me")] == ["Cleo", "Pancakes", "Fido", "Rex"]
    # A view is not a table to append to.
    api.post("/scratch/-/execute-write", json={"sql": "create view v1 as select 1 as a"})
    r = upload(api, "v.csv", "a\n2\n", table="v1", append="1")
    assert r.status_code == 400 and r.json()["error"] == "v1 is a view, not a table"


def test_permissions(server, api):
    anonymous = httpx.Client(base_url=server.url, timeout=30)
    assert anonymous.get("/scratch/-/upload").status_code == 403
    r = anonymous.post("/scratch/-/upload.json", files=[("file", ("anon.csv", CSV, "text/csv"))])
    assert r.status_code == 403
    assert r.json()["error"] == "You do not have permission to create tables in this database"
    assert "/-/upload" not in anonymous.get("/scratch").text
    # A token that may create tables but not insert rows.
    token = root_token(SECRET, r={"d": {"scratch": ["ct"]}})
    limited = httpx.Client(base_url=server.url, timeout=30,
                           headers={"Authorization": "Bearer " + token})
    r = limited.post("/scratch/-/upload.json", files=[("file", ("lim.csv", CSV, "text/csv"))])
    assert r.status_code == 403
    assert r.json()["error"] == "You do not have permission to insert rows in this database"
    assert "anon" not in tables(api) and "lim" not in tables(api)
    assert api.get("/nope/-/upload").status_code == 404


def test_cross_site_post_is_refused(server, api):
    r = httpx.post(server.url + "/scratch/-/upload.json",
                   headers={"Cookie": "ds_actor=anything", "Origin": "http://evil.example",
                            "Sec-Fetch-Site": "cross-site"},
                   files=[("file", ("csrf.csv", CSV, "text/csv"))])
    assert r.status_code == 403
    assert "csrf" not in tables(api)


@pytest.mark.parametrize("filename,content,fields,status,message", [
    ("empty.csv", "", {}, 400, "The upload is empty: choose a file or paste some data"),
    ("header.csv", "a,b\n", {}, 400, "The upload holds no rows"),
    ("book.xlsx", "a,b\n1,2\n", {}, 400, "Unknown format .xlsx: upload CSV, TSV, JSON or "
                                         "newline-delimited JSON, or choose the format"),
    ("x.csv", "a\n1\n", {"format": "parquet"}, 400,
     'Unknown format "parquet": use csv, tsv, json or ndjson'),
    ("bad.json", '[{"a": 1}, {"a": ', {}, 400, None),
    ("bad.csv", 'a,b\n1,"unterminated\n', {}, 400, None),
    ("data.csv.gz", gzip.compress(b"a\n1\n" * 1000), {}, 400,
     "The upload is gzip-compressed: compressed files are not expanded; upload the CSV, TSV "
     "or JSON itself"),
])
def test_malformed_uploads_get_clear_errors(api, filename, content, fields, status, message):
    before = tables(api)
    r = upload(api, filename, content, **fields)
    assert r.status_code == status, r.text
    assert r.json()["ok"] is False
    if message:
        assert r.json()["error"] == message
    assert tables(api) == before


def test_malformed_multipart_bodies(api):
    def post(body, content_type):
        return api.post("/scratch/-/upload.json", content=body,
                        headers={"Content-Type": content_type})
    r = post(b"a=1", "application/x-www-form-urlencoded")
    assert r.status_code == 400
    assert r.json()["error"].startswith("Expected a multipart/form-data body")
    r = post(b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n\r\n"
             b"a\n1\n", "multipart/form-data; boundary=b")
    assert r.status_code == 400
    assert r.json()["error"] == ("Malformed multipart/form-data body: the body ended before its "
                                 "closing boundary")
    r = post(b"--b\r\nContent-Type: text/csv\r\n\r\na\n1\n\r\n--b--\r\n",
             "multipart/form-data; boundary=b")
    assert r.status_code == 400
    assert r.json()["error"] == ("Malformed multipart/form-data body: a part has no "
                                 "Content-Disposition header")
    r = post(b"", "multipart/form-data")
    assert r.status_code == 400


def test_zip_bomb_is_not_expanded(api):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.csv", "a\n" + "1\n" * 5_000_000)
    r = upload(api, "bomb.zip", buffer.getvalue(), format="csv")
    assert r.status_code == 400
    assert r.json()["error"].startswith("The upload is zip-compressed")


def test_hostile_file_names_never_name_a_file(api, folder):
    outside = folder.parent / "outside.csv"
    outside.write_text("untouched\n")
    (folder / "link.csv").symlink_to(outside)
    before = sorted(os.listdir(folder))
    cases = {
        "../../../../etc/passwd.csv": "passwd",
        "/tmp/absolute.csv": "absolute",
        "..\\..\\windows.csv": "windows",
        "link.csv": "link",
        "..": None,
    }
    for filename, table in cases.items():
        r = upload(api, filename, "a\n1\n")
        if table is None:
            assert r.status_code == 400 and r.json()["error"] == "The table needs a name"
            continue
        assert r.status_code == 201, (filename, r.text)
        assert r.json()["table"] == table
    # A NUL byte in the headers is malformed; a quote-laden name is just a name.
    r = api.post("/scratch/-/upload.json", headers={"Content-Type": "multipart/form-data; boundary=b"},
                 content=b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                         b"filename=\"a\x00b.csv\"\r\n\r\na\n1\n\r\n--b--\r\n")
    assert r.status_code == 400
    sneaky = 'x"; drop table dogs; --'
    r = upload(api, "whatever.csv", "a\n1\n", table=sneaky)
    assert r.status_code == 201 and r.json()["table"] == sneaky
    r = api.get("/scratch/-/query.json", params={
        "sql": 'select a from "x""; drop table dogs; --"', "_shape": "array"})
    assert r.json() == [{"a": 1}]
    assert sneaky in tables(api) and "dogs" in tables(api)
    r = upload(api, "x.csv", "a\n1\n", table="sqlite_master")
    assert r.status_code == 400 and r.json()["error"] == "Invalid table name: sqlite_master"
    r = upload(api, "x.csv", "a\n1\n", table="tab\tname")
    assert r.status_code == 400
    # Nothing was written beside the database, and the symlink's target is as it was.
    after = sorted(n for n in os.listdir(folder) if not n.startswith("scratch.db"))
    assert after == sorted(n for n in before if not n.startswith("scratch.db"))
    assert outside.read_text() == "untouched\n"


def test_large_upload_streams_through(api, server):
    """A 60 MB CSV sent chunked: it is imported whole, and the server's peak memory grows by far
    less than the upload (the body is streamed to a temporary file, never held)."""
    line = "%08d,some text to make the line longer,3.25\n"
    count = 1_500_000

    def body():
        boundary = b"bigbound"
        yield (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"file\"; "
               b"filename=\"big.csv\"\r\n\r\nid,text,score\n")
        chunk = []
        for i in range(count):
            chunk.append(line % i)
            if len(chunk) == 20000:
                yield "".join(chunk).encode()
                chunk = []
        yield "".join(chunk).encode()
        yield b"\r\n--" + boundary + b"--\r\n"

    def peak():
        status = Path(f"/proc/{server.process.pid}/status").read_text()
        return int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM")))

    before = peak()
    r = api.post("/scratch/-/upload.json", content=body(),
                 headers={"Content-Type": "multipart/form-data; boundary=bigbound"})
    assert r.status_code == 201, r.text
    assert r.json()["rows"] == count
    assert r.json()["bytes"] == 14 + count * len(line % 0)
    grown_mb = (peak() - before) / 1024
    assert grown_mb < 40, grown_mb
    n = api.get("/scratch/-/query.json", params={"sql": "select count(*) as n from big",
                                                  "_shape": "array"}).json()[0]["n"]
    assert n == count


def test_cap_and_quota_leave_the_database_as_it_was(tmp_path):
    with AlmanacServer(["capped.db", "--create", "--secret", SECRET, "--root",
                        "--space-quota-mb", "1"], cwd=tmp_path) as capped:
        headers = {"Authorization": "Bearer " + root_token(SECRET)}
        with httpx.Client(base_url=capped.url, headers=headers, timeout=60) as c:
            def names():
                return {t["name"] for t in c.get("/capped.json").json()["tables"]}
            page = c.get("/capped/-/upload").text
            assert 'data-max-bytes="1048576"' in page and "Uploads up to 1 MB" in page
            assert c.post("/capped/-/upload.json",
                          files=[("file", ("small.csv", "a\n1\n", "text/csv"))]).status_code == 201
            # Announced larger than the cap: refused before the body is read.
            big = b"a\n" + b"1\n" * (1 << 20)
            r = c.post("/capped/-/upload.json", files=[("file", ("big.csv", big, "text/csv"))])
            assert r.status_code == 413
            assert r.json()["error"] == "The upload is larger than 1 MB, the most accepted here"

            # Sent chunked (no length announced): refused once the cap is passed.
            def chunked():
                yield (b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                       b"filename=\"chunked.csv\"\r\n\r\na\n")
                for _ in range(32):
                    yield b"1\n" * 32768
                yield b"\r\n--b--\r\n"
            r = c.post("/capped/-/upload.json", content=chunked(),
                       headers={"Content-Type": "multipart/form-data; boundary=b"})
            assert r.status_code == 413
            assert r.json()["error"] == "The upload is larger than 1 MB, the most accepted here"
            # Under the cap, but larger than the space once stored: the quota refuses the
            # transaction and no row of it stays.
            rows_csv = "id,v\n" + "".join(f"{i},ab\n" for i in range(100_000))
            assert len(rows_csv) < 1 << 20
            r = c.post("/capped/-/upload.json",
                       files=[("file", ("full.csv", rows_csv, "text/csv"))])
            assert r.status_code == 413, r.text
            assert r.json()["error"].startswith("This space is full")
            assert names() == {"small"}
            # The server still takes uploads that fit.
            r = c.post("/capped/-/upload.json", files=[("file", ("fits.csv", "a\n2\n", "text/csv"))])
            assert r.status_code == 201
