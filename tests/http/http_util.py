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


def read_response(sock):
    """Reads one HTTP/1.1 response (Content-Length bodies); returns (status, headers, body).
    Raises ConnectionError when the server closes the connection before a full response."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {len(data)} bytes: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed mid-body")
        body += chunk
    return status, headers, body[:length]


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
