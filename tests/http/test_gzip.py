"""gzip over HTTP: HTML, JSON and CSV (whole and streamed) are compressed when the client
accepts gzip and the body passes the size floor; the decompressed bytes are the uncompressed
answer; every compressible answer says Vary: Accept-Encoding."""
import gzip

import httpx
import pytest


def fetch(server, path, accept="gzip", method="GET"):
    """(status, headers, raw body bytes as sent on the wire)."""
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        with client.stream(method, path, headers=headers) as r:
            raw = b"".join(r.iter_raw())
            return r.status_code, r.headers, raw


@pytest.mark.parametrize("path,media", [
    ("/fixtures/compound_three_primary_keys.json?_size=100", "application/json"),
    ("/fixtures/compound_three_primary_keys?_size=100", "text/html"),
    ("/fixtures/compound_three_primary_keys.csv?_size=100", "text/plain"),
    ("/fixtures/-/query.json?sql=select+*+from+compound_three_primary_keys", "application/json"),
])
def test_compressed_bodies_decompress_to_the_plain_answer(server, path, media):
    status, headers, raw = fetch(server, path)
    plain_status, plain_headers, plain = fetch(server, path, accept="identity")
    assert status == plain_status == 200
    assert headers["content-type"].startswith(media)
    assert headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain_headers
    assert headers["vary"] == plain_headers["vary"] == "Accept-Encoding"
    body = gzip.decompress(raw)
    if media == "text/html":
        # The page shows no per-request values except the CSRF token in forms.
        assert len(body) == len(plain)
    else:
        assert body == plain
    assert len(raw) < len(plain) / 2


def test_streamed_csv_is_compressed_chunk_by_chunk(server):
    path = "/fixtures/compound_three_primary_keys.csv?_stream=on&_size=max"
    status, headers, raw = fetch(server, path)
    _, plain_headers, plain = fetch(server, path, accept="identity")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == plain
    assert plain.count(b"\n") == 1002


def test_small_answers_are_not_compressed(server):
    status, headers, raw = fetch(server, "/fixtures/facetable/1.json?_shape=object")
    assert status == 200
    assert len(raw) < 1024
    assert "content-encoding" not in headers
    assert headers["vary"] == "Accept-Encoding"
    assert raw.startswith(b"{")


@pytest.mark.parametrize("accept,compressed", [
    ("gzip", True), ("deflate, gzip;q=0.8", True), ("*", True), ("GZIP", True),
    ("gzip;q=0", False), ("identity", False), ("br", False), ("*;q=0", False),
])
def test_accept_encoding_is_honoured(server, accept, compressed):
    status, headers, raw = fetch(server, "/fixtures/compound_three_primary_keys.json?_size=50",
                                 accept=accept)
    assert status == 200
    assert (headers.get("content-encoding") == "gzip") == compressed
    assert (raw[:2] == b"\x1f\x8b") == compressed


def test_head_reports_the_compressed_length(server):
    path = "/fixtures/compound_three_primary_keys.json?_size=100"
    _, get_headers, raw = fetch(server, path)
    status, head_headers, head_body = fetch(server, path, method="HEAD")
    assert status == 200
    assert head_body == b""
    assert head_headers["content-encoding"] == "gzip"
    assert int(head_headers["content-length"]) == len(raw)


def test_binary_downloads_are_not_compressed(server):
    status, headers, raw = fetch(server, "/fixtures/binary_data/1.blob?_blob_column=data")
    assert status == 200
    assert "content-encoding" not in headers


def test_gzip_can_be_turned_off(start_server):
    server = start_server("fixtures.db", "--gzip-level", "0")
    status, headers, raw = fetch(server, "/fixtures/compound_three_primary_keys.json?_size=100")
    assert status == 200
    assert "content-encoding" not in headers
    assert raw.startswith(b"{")
