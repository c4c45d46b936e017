"""Small HTTP servers for the `almanac client` tests (standard library only).

FaultProxy forwards every request to an upstream server and misbehaves on chosen POSTs:
    "503"          answer 503 without forwarding (the server never saw it)
    "drop_before"  close the connection without forwarding
    "drop_after"   forward (the server writes the rows), then close without answering
Recorder answers every request itself and remembers each request's path and headers; it can
redirect to another server.
"""
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class _Server:
    def __init__(self, handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _forward(self, method, body):
        owner = self.server.owner
        upstream = urlsplit(owner.upstream)
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        conn.request(method, self.path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response, data

    def _reply(self, response, data):
        self.send_response(response.status)
        for k, v in response.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._reply(*self._forward("GET", None))

    def do_POST(self):
        owner = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with owner.lock:
            owner.posts += 1
            action = owner.plan.get(owner.posts)
            owner.log.append((owner.posts, self.path, action))
            owner.post_ports.add(self.client_address[1])
        if action == "503":
            data = b'{"ok": false, "error": "busy"}'
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if action == "drop_before":
            self.close_connection = True
            return
        response, data = self._forward("POST", body)
        if action == "drop_after":
            self.close_connection = True
            return
        self._reply(response, data)


class FaultProxy(_Server):
    def __init__(self, upstream, plan):
        self.upstream = upstream
        self.plan = dict(plan)
        self.posts = 0
        self.log = []
        self.post_ports = set()  # the client's ports the POSTs came from: its connections
        self.lock = threading.Lock()
        super().__init__(_ProxyHandler)


class _RecorderHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        owner = self.server.owner
        owner.requests.append((self.path, dict(self.headers)))
        status, headers, body = owner.answer(self.path)
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Recorder(_Server):
    """answer(path) -> (status, headers, json body or None)."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        super().__init__(_RecorderHandler)
