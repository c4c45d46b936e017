"""`.blob` downloads of BLOB cells, and the links CSV writes for them."""
import hashlib

DATA_1 = bytes.fromhex("151c02c7ad05fe")


def test_row_blob_download(client):
    response = client.get("/fixtures/binary_data/1.blob?_blob_column=data")
    assert response.status_code == 200
    assert response.content == DATA_1
    assert response.headers["content-type"] == "application/binary"
    assert response.headers["content-disposition"] == 'attachment; filename="binary_data-1-data.blob"'
    assert response.headers["x-content-type-options"] == "nosniff"


def test_table_csv_links_resolve_to_the_bytes(client, server):
    lines = client.get("/fixtures/binary_data.csv").text.split("\r\n")
    link = server.url + "/fixtures/binary_data/1.blob?_blob_column=data"
    assert lines[1] == "1," + link
    assert lines[3] == "3,"  # NULL
    assert client.get(link).content == DATA_1


def test_query_csv_links_carry_the_hash(client):
    rows = client.get("/fixtures/-/query.csv?sql=select+data+from+binary_data+order+by+rowid").text
    link = rows.split("\r\n")[1]
    digest = hashlib.sha256(DATA_1).hexdigest()
    assert link.endswith("&_blob_column=data&_blob_hash=" + digest)
    response = client.get(link)
    assert response.content == DATA_1
    assert response.headers["content-disposition"] == f'attachment; filename="data-{digest[:6]}.blob"'


def test_blob_errors_are_400(client):
    assert client.get("/fixtures/binary_data/1.blob").status_code == 400
    assert client.get("/fixtures/binary_data/1.blob?_blob_column=nope").status_code == 400
    stale = client.get("/fixtures/binary_data.blob?_blob_column=data&_blob_hash=abc")
    assert stale.status_code == 400
    assert "Link has expired" in stale.text


def test_missing_row_is_404(client):
    assert client.get("/fixtures/binary_data/99.blob?_blob_column=data").status_code == 404
