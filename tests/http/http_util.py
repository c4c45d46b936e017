"""Helpers for the HTTP tests: raw sockets (for what httpx will not send) and Datasette's
tilde encoding."""
import socket
import time


def tilde_encode(s):
    """Datasette's tilde_encode: bytes outside A-Za-z0-9_- become ~XX, space becomes +."""
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    out = []
    for b in s.encode("utf-8"):
        if b in safe:
            out.append(chr(b))
        elif b == ord(" "):
            out.append("+")
        else:
            out.append("~{:02X}".format(b))
    return "".join(out)


def connect(server, timeout=10):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


class ResponseReader:
    """Reads HTTP/1.1 responses (Content-Length bodies) one after another from a socket,
    keeping bytes that belong to the next response."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self, what):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed {what}: {self.buffer[:200]!r}")
        self.buffer += chunk

    def read(self):
        """Returns (status, headers, body). Raises ConnectionError when the server closes
        the connection before a full response."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill(f"after {len(self.buffer)} bytes")
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        self.buffer = rest
        while len(self.buffer) < length:
            self._fill("mid-body")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body


def read_response(sock):
    """Reads one response from `sock`; see ResponseReader.read."""
    return ResponseReader(sock).read()


def raw_request(server, data, timeout=10):
    """Sends raw bytes on a new connection and reads one response."""
    with connect(server, timeout) as sock:
        sock.sendall(data)
        return read_response(sock)


def wait_closed(sock, timeout):
    """Seconds until the peer closes `sock` (reading and discarding anything it sends), or
    None when it is still open after `timeout` seconds."""
    started = time.monotonic()
    sock.settimeout(timeout)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return time.monotonic() - started
            sock.settimeout(max(0.01, timeout - (time.monotonic() - started)))
    except ConnectionResetError:
        return time.monotonic() - started
    except socket.timeout:
        return None
