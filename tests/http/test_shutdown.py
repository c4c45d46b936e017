"""SIGTERM/SIGINT: the server stops accepting, lets requests in flight finish, and exits 0."""
import json
import signal

import httpx
import pytest

from http_util import connect, read_response

# A query that takes a noticeable fraction of a second and then succeeds.
SLOW_SQL = ("with recursive c(x) as (select 1 union all select x + 1 from c where x < 4000000) "
            "select count(*) as n from c")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_lets_the_request_in_flight_finish(start_server, sig):
    server = start_server("fixtures.db", "--setting", "sql_time_limit_ms", "60000")
    with connect(server, timeout=30) as slow:
        target = "/fixtures/-/query.json?" + str(httpx.QueryParams({"sql": SLOW_SQL}))
        slow.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        # A second request answered after the slow one was sent: the server has read the
        # slow one too (the same I/O thread reads both, in order).
        assert httpx.get(server.url + "/-/versions.json", timeout=30).status_code == 200
        slow.setblocking(False)
        with pytest.raises(BlockingIOError):
            slow.recv(1)  # not answered yet: the request is in flight
        slow.settimeout(30)
        server.process.send_signal(sig)
        status, headers, body = read_response(slow)
        assert status == 200
        assert json.loads(body)["rows"] == [{"n": 4000000}]
        assert headers.get("connection", "").lower() == "close"
    assert server.process.wait(30) == 0


def test_signal_with_idle_connections_exits_promptly(start_server):
    server = start_server("fixtures.db", "--keep-alive-timeout", "60")
    idle = [connect(server) for _ in range(10)]
    try:
        assert httpx.get(server.url + "/.json", timeout=30).status_code == 200
        server.process.send_signal(signal.SIGTERM)
        # Idle keep-alive connections do not hold the process up for their 60 s timeout.
        assert server.process.wait(30) == 0
    finally:
        for sock in idle:
            sock.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/.json", timeout=5)
