"""Starting almanac and nginx on loopback, fetching over keep-alive, reading RSS."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def stop_process(proc):
    """Terminates `proc` if it still runs (killed if it takes over 15 s)."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, base, timeout=120):
        host, port = base.split("//", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        self.last_encoding = None  # Content-Encoding of the last answer

    def get(self, path, headers=None):
        self.conn.request("GET", path, headers=headers or {})
        resp = self.conn.getresponse()
        self.last_encoding = resp.getheader("content-encoding")
        return resp.status, resp.getheader("content-type"), resp.read()

    def post(self, path, body, headers):
        self.conn.request("POST", path, body=body, headers=headers)
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def timed_get(self, path):
        start = time.perf_counter()
        status, _, body = self.get(path)
        return (time.perf_counter() - start) * 1000, status, body

    def close(self):
        self.conn.close()


class Almanac:
    """`almanac serve ARGS` on a free loopback port; `startup_ms` is the time from exec until
    the first request was answered."""

    def __init__(self, binary, args, cwd):
        self.binary, self.args, self.cwd = binary, list(args), cwd
        self.proc = None
        self.url = None
        self.startup_ms = None

    def __enter__(self):
        port = free_port()
        start = time.perf_counter()
        self.proc = subprocess.Popen([self.binary, "serve", *self.args, "-h", "127.0.0.1",
                                      "-p", str(port)], cwd=self.cwd,
                                     stdout=subprocess.DEVNULL, stderr=self._log())
        self.url = f"http://127.0.0.1:{port}"
        deadline = start + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET /-/versions.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(12).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if self.proc.poll() is not None:
                sys.exit("almanac did not start: " + Path(self.cwd, "almanac.log").read_text())
            if time.perf_counter() > deadline:
                self.proc.kill()
                sys.exit("almanac did not answer within 30 s")
            time.sleep(0.0005)  # polling for the port to open; bounded by the deadline
        self.startup_ms = (time.perf_counter() - start) * 1000
        return self

    def _log(self):
        # A file, not a pipe: nobody reads the pipe while the server runs, so it could fill.
        return open(Path(self.cwd) / "almanac.log", "ab")

    @property
    def pid(self):
        return self.proc.pid

    def rss_mb(self):
        return proc_status_kb(self.pid, "VmRSS") / 1024

    def pss_mb(self):
        """Proportional set size: shared library pages divided among the processes using them."""
        try:
            with open(f"/proc/{self.pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0

    def anon_mb(self):
        return proc_status_kb(self.pid, "RssAnon") / 1024

    def hwm_mb(self):
        return proc_status_kb(self.pid, "VmHWM") / 1024

    def __exit__(self, *exc):
        stop_process(self.proc)


NGINX_CONF = """
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
  # Debian's nginx.conf defaults, without the access log (almanac writes none either).
  sendfile on;
  tcp_nopush on;
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path {dir}/client_body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  types {{ }}
  default_type application/json;
  charset utf-8;
  charset_types application/json;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    # The gzip'd pages' bytes are stored as almanac compressed them (gzip_static's way).
    location /gzip/ {{ add_header Content-Encoding gzip; }}
  }}
}}
"""


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


class Nginx:
    """Debian's nginx serving the files under `root` as JSON, `workers` worker processes
    (Debian's default, `auto`, is one per core)."""

    def __init__(self, workdir, root, workers="auto"):
        self.dir = Path(workdir)
        self.root = Path(root)
        self.workers = workers
        self.proc = None
        self.url = None

    def __enter__(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        for p in (self.dir, self.root):
            os.chmod(p, 0o755)
        port = free_port()
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(workers=self.workers, dir=self.dir, port=port,
                                          root=self.root))
        user = [] if os.geteuid() != 0 else ["-g", "daemon off; user root;"]
        cmd = [nginx_binary(), "-p", str(self.dir), "-e", str(self.dir / "error.log"),
               "-c", str(conf)] + (user or ["-g", "daemon off;"])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(400):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit("nginx did not start: " + self.proc.stderr.read().decode())
                time.sleep(0.01)  # polling for the port to open (bounded: 4 s)
        self.proc.kill()
        sys.exit("nginx did not answer")

    def __exit__(self, *exc):
        stop_process(self.proc)
