"""Slow and idle clients (issue 2, item 3): while 100 connections send their headers a byte at
a time, a new request is still answered promptly; slow and idle connections are closed at
their timeouts. Raw sockets; waits are socket reads with timeouts, never sleeps."""
import subprocess
import threading
import time

import httpx
import pytest

from almanac_server import almanac_binary
from http_util import connect, read_response, wait_closed

REQUEST_PREFIX = b"GET /fixtures/facetable.json HTTP/1.1\r\nHost: x\r\nX-Slow: "


class Dribbler:
    """Sends one more header byte on every socket every `interval` seconds, in a thread,
    until stopped. Sockets the server has closed are dropped."""

    def __init__(self, sockets, interval=0.05):
        self.sockets = list(sockets)
        self.interval = interval
        self.stop_event = threading.Event()
        self.first_round = threading.Event()
        self.closed = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def payload(self, i):
        return REQUEST_PREFIX[i] if i < len(REQUEST_PREFIX) else ord("a")

    def run(self):
        i = 0
        while not self.stop_event.is_set():
            for sock in list(self.sockets):
                try:
                    sock.send(bytes([self.payload(i)]))
                except OSError:
                    self.sockets.remove(sock)
                    self.closed += 1
            i += 1
            self.first_round.set()
            self.stop_event.wait(self.interval)  # pacing, and the stop signal

    def __enter__(self):
        self.thread.start()
        assert self.first_round.wait(10)
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(10)


def open_connections(server, n):
    return [connect(server) for _ in range(n)]


def close_all(sockets):
    for sock in sockets:
        sock.close()


def test_slow_clients_do_not_block_new_requests(start_server):
    # The slow clients are allowed 60 s, so they stay connected for the whole test.
    server = start_server("fixtures.db", "--request-timeout", "60")
    slow = open_connections(server, 100)
    try:
        with Dribbler(slow) as dribbler:
            window_end = time.monotonic() + 6
            timings = []
            while time.monotonic() < window_end:
                started = time.monotonic()
                r = httpx.get(server.url + "/fixtures/facetable/1.json", timeout=30)
                timings.append(time.monotonic() - started)
                assert r.status_code == 200
                dribbler.stop_event.wait(0.5)  # pacing between the new requests
            # Every slow client is still connected and still sending: none was answered or
            # dropped, so the requests above really ran beside 100 unfinished ones.
            assert dribbler.closed == 0
            assert len(dribbler.sockets) == 100
        # "Answered within a second" (issue 2) with headroom for a loaded 2-core machine: a
        # server that waited on the slow clients would take the whole 6 s window.
        assert len(timings) >= 5
        assert max(timings) < 2.0, timings
    finally:
        close_all(slow)


def test_slow_headers_are_cut_off_at_the_request_timeout(start_server):
    server = start_server("fixtures.db", "--request-timeout", "2", "--keep-alive-timeout", "30")
    slow = open_connections(server, 20)
    try:
        with Dribbler(slow):
            started = time.monotonic()
            for sock in slow:
                remaining = 15 - (time.monotonic() - started)
                assert wait_closed(sock, max(remaining, 0.1)) is not None, "still open"
            elapsed = time.monotonic() - started
        # Closed at the 2 s request timeout: not before, and not much after.
        assert 1.5 <= elapsed < 10, elapsed
        r = httpx.get(server.url + "/.json", timeout=10)
        assert r.status_code == 200
    finally:
        close_all(slow)


def test_idle_connections_are_closed_at_the_keep_alive_timeout(start_server):
    server = start_server("fixtures.db", "--keep-alive-timeout", "1", "--request-timeout", "30")
    idle = open_connections(server, 20)
    try:
        started = time.monotonic()
        for sock in idle:
            remaining = 15 - (time.monotonic() - started)
            assert wait_closed(sock, max(remaining, 0.1)) is not None, "still open"
        elapsed = time.monotonic() - started
        assert 0.7 <= elapsed < 10, elapsed
    finally:
        close_all(idle)


def test_keep_alive_connection_closes_after_idle_timeout(start_server):
    server = start_server("fixtures.db", "--keep-alive-timeout", "1")
    with connect(server) as sock:
        sock.sendall(b"GET /.json HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, _ = read_response(sock)
        assert status == 200
        answered = time.monotonic()
        assert wait_closed(sock, 15) is not None, "the idle keep-alive connection stayed open"
        assert 0.7 <= time.monotonic() - answered < 10


def test_idle_connections_do_not_block_new_ones(start_server):
    server = start_server("fixtures.db", "--keep-alive-timeout", "30")
    idle = open_connections(server, 200)
    try:
        for _ in range(5):
            r = httpx.get(server.url + "/fixtures/facetable/1.json", timeout=30)
            assert r.status_code == 200
        # The idle connections are still open: the server did not shed them to answer.
        assert all(wait_closed(sock, 0.01) is None for sock in idle[:10])
    finally:
        close_all(idle)


@pytest.mark.parametrize("flag", ["--keep-alive-timeout", "--request-timeout"])
def test_timeout_flags_are_validated(fixtures_dir, flag):
    result = subprocess.run([almanac_binary(), "serve", "fixtures.db", flag, "0", "-p", "0"],
                            cwd=fixtures_dir, capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert flag in result.stderr
