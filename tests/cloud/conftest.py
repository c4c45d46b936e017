"""Fixtures for the hosting-mode tests: a data directory, `almanac cloud` started on a free
port (stopped after the test), spaces made with `almanac cloud create-space`, and ways to find
a space's worker processes (children of the front door) and to count how often one started."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import almanac_binary  # noqa: E402


def wait_for(condition, timeout=20, what="condition"):
    """Polls `condition` until it is true (a condition, not a timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def children(pid):
    """Pids of the direct children of `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def descendants(pid):
    out = []
    for child in children(pid):
        out.append(child)
        out.extend(descendants(child))
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Cloud:
    def __init__(self, data, args):
        self.data = Path(data)
        self.args = list(args)
        self.process = None
        self.url = None
        self.output = []

    def start(self, timeout=20):
        cmd = [almanac_binary(), "cloud", "--data", str(self.data), "-p", "0", *self.args]
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        ready = threading.Event()

        def pump():
            for line in self.process.stdout:
                self.output.append(line)
                match = re.search(r"serving on (http://\S+?)/? ", line)
                if match and not ready.is_set():
                    self.url = match.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout) or self.url is None:
            self.stop()
            raise RuntimeError("almanac cloud did not start:\n" + "".join(self.output))
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def pid(self):
        return self.process.pid

    def workers(self):
        """Pids of the processes serving a space (pre-started pool workers not counted)."""
        return self.serve_processes()

    def pool_workers(self):
        """Pids of the pre-started workers still waiting for a space (inside bwrap when
        sandboxed: the `almanac pool-worker` process itself)."""
        return [pid for pid in descendants(self.pid)
                if len(cmdline(pid)) > 1 and cmdline(pid)[1] == b"pool-worker"]

    def pool_ready(self):
        return httpx.get(self.url + "/").json()["pool_ready"]

    def serve_processes(self, space=None):
        """Pids of `almanac serve` processes under the front door (inside sandboxes too)."""
        found = []
        for pid in descendants(self.pid):
            argv = cmdline(pid)
            if len(argv) > 1 and argv[1] == b"serve":
                if space is None or f"/{space}/".encode() in b" ".join(argv):
                    found.append(pid)
        return found

    def starts(self, space):
        """How many times a worker of `space` has started (its log's start lines)."""
        log = self.data / "logs" / f"{space}.log"
        if not log.exists():
            return 0
        return log.read_text(errors="replace").count("serving on")

    def client(self, token=None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)


def create_space(data, name):
    result = subprocess.run([almanac_binary(), "cloud", "create-space", name, "--data", str(data)],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture
def data_dir():
    # Short (Unix socket paths are limited to 108 bytes) and traversable by the workers' uids.
    path = tempfile.mkdtemp(prefix="almc-", dir="/tmp")
    os.chmod(path, 0o711)
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_cloud(data_dir):
    started = []

    def start(*args, data=None):
        cloud = Cloud(data or data_dir, args).start()
        started.append(cloud)
        return cloud

    yield start
    for cloud in started:
        cloud.stop()
