"""Starting and stopping a built almanac binary for black-box tests (standard library only).

    with AlmanacServer(["fixtures.db", "--create"], cwd=tmp) as server:
        urllib.request.urlopen(server.url + "/.json")

The server listens on a free port (-p 0); its URL is read from the first line it prints.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def almanac_binary():
    """The binary under test: $ALMANAC_BIN, else build/almanac in the checkout."""
    path = os.environ.get("ALMANAC_BIN") or str(ROOT / "build" / "almanac")
    if not os.path.exists(path):
        raise RuntimeError(f"almanac binary not found at {path}: run `make build` first")
    return path


def shared_dir():
    """../shared beside the checkout (the conformance corpus lives there)."""
    for candidate in (os.environ.get("ALMANAC_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "conformance" / "replay").exists():
            return Path(candidate)
    raise RuntimeError("../shared/conformance not found (set ALMANAC_SHARED_DIR)")


def copy_conformance_fixtures(target):
    """Copies the conformance databases and config into `target` (never write into shared)."""
    conformance = shared_dir() / "conformance"
    for name in ("fixtures.db", "extra database.db", "fixtures-config.json", "fixtures-metadata.json"):
        shutil.copy(conformance / name, Path(target) / name)
    return conformance


class AlmanacServer:
    def __init__(self, args, cwd=None, binary=None, env=None, host="127.0.0.1", fd_limit=None):
        self.args = list(args)
        self.host = host
        self.fd_limit = fd_limit
        self.cwd = cwd
        self.binary = binary or almanac_binary()
        self.env = env
        self.process = None
        self.url = None
        self.port = None
        self.output = []

    def start(self, timeout=20):
        cmd = [self.binary, "serve", *self.args, "-h", self.host, "-p", "0"]
        preexec = None
        if self.fd_limit:
            def preexec():
                import resource
                resource.setrlimit(resource.RLIMIT_NOFILE, (self.fd_limit, self.fd_limit))
        self.process = subprocess.Popen(
            cmd, cwd=self.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=self.env, preexec_fn=preexec)
        ready = threading.Event()

        def pump():
            for line in self.process.stdout:
                self.output.append(line)
                match = re.search(r"serving on (http://\S+)", line)
                if match and not ready.is_set():
                    self.url = match.group(1)
                    self.port = int(re.match(r"http://.*:(\d+)", self.url).group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout) or self.url is None:
            self.stop()
            raise RuntimeError("almanac did not start:\n" + "".join(self.output))
        return self

    def stop(self, timeout=10):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    sys.exit("a library module; see tests/compat and tests/http")
