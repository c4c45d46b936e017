"""Uploads through the front door (`almanac cloud`): a multipart file streamed to the space's
worker — sandboxed when bubblewrap can be used here — lands in a new table; a body announced
larger than the space's quota is refused by the front door, one sent chunked past it by the
worker, and neither leaves anything behind."""
import shutil
import subprocess

from conftest import create_space

CSV = "id,name,score\n1,Ann,2.5\n2,Bo,3\n"


def sandbox_args():
    usable = shutil.which("bwrap") and subprocess.run(
        ["bwrap", "--unshare-user", "--unshare-net", "--ro-bind", "/", "/", "true"],
        capture_output=True).returncode == 0
    return [] if usable else ["--no-sandbox"]


def test_upload_through_the_front_door(start_cloud, data_dir):
    token = create_space(data_dir, "loads")
    cloud = start_cloud(*sandbox_args(), "--space-quota-mb", "2")
    with cloud.client(token) as c:
        page = c.get("/loads/data/-/upload")
        assert page.status_code == 200, page.text
        assert 'enctype="multipart/form-data"' in page.text
        r = c.post("/loads/data/-/upload.json", files=[("file", ("scores.csv", CSV, "text/csv"))])
        assert r.status_code == 201, r.text
        assert r.json()["rows"] == 2 and r.json()["table"] == "scores"
        rows = c.get("/loads/data/scores.json", params={"_shape": "array"}).json()
        assert [(row["name"], row["score"]) for row in rows] == [("Ann", 2.5), ("Bo", 3.0)]

        # Announced larger than the whole space: the front door refuses it.
        big = b"a\n" + b"1\n" * (3 << 19)
        r = c.post("/loads/data/-/upload.json", files=[("file", ("big.csv", big, "text/csv"))])
        assert r.status_code == 413
        assert r.json()["error"].startswith("Too large for this space")

        # A file just under the quota passes the door with its form's framing (the worker's
        # own page allows the same); what the rows take is then the quota's to decide.
        under = b"a\n" + b"1\n" * ((2 << 19) - 64)
        r = c.post("/loads/data/-/upload.json", files=[("file", ("under.csv", under, "text/csv"))])
        assert len(under) < 2 << 20 < len(under) + 200
        assert not r.json().get("error", "").startswith("Too large for this space"), r.text

        # Chunked (no length to check at the door): the worker stops it at the cap.
        def chunked():
            yield (b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                   b"filename=\"chunked.csv\"\r\n\r\na\n")
            for _ in range(48):
                yield b"1\n" * 32768
            yield b"\r\n--b--\r\n"
        r = c.post("/loads/data/-/upload.json", content=chunked(),
                   headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert r.status_code == 413, r.text
        assert r.json()["error"] == "The upload is larger than 2 MB, the most accepted here"
        tables = {t["name"] for t in c.get("/loads/data.json").json()["tables"]}
        assert tables == {"scores"}
        # Nothing but the space's own files is left in its directory.
        space_files = {p.name for p in (data_dir / "spaces" / "loads").iterdir()} \
            if (data_dir / "spaces" / "loads").exists() else set()
        assert not any(name.startswith(("big", "chunked", "scores")) for name in space_files)

        # Anonymous visitors get no upload page.
        with cloud.client() as anonymous:
            assert anonymous.get("/loads/data/-/upload").status_code in (401, 403, 404)
