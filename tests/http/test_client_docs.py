"""docs/client.md runs: its `sh` blocks run in order (one bash script, `set -euo pipefail`)
against a fresh server, and each plain block that follows one is that block's exact output."""
import re
import shlex
import subprocess
from pathlib import Path

from almanac_server import AlmanacServer, almanac_binary
from client_util import client_env

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "client.md"
SERVE_LINE = re.compile(r"^almanac serve (.*) &$", re.M)
DOC_URL = "http://127.0.0.1:8001"


def blocks():
    """[(commands, expected output or None)] in document order."""
    found = []
    for lang, body in re.findall(r"^```(\w*)\n(.*?)^```$", DOC.read_text(), re.S | re.M):
        if lang == "sh":
            found.append([body, None])
        elif lang == "" and found and found[-1][1] is None:
            found[-1][1] = body
    return found


def test_client_doc_examples_run(tmp_path):
    doc_blocks = blocks()
    script = "\n".join(body for body, _ in doc_blocks)
    args = shlex.split(SERVE_LINE.search(script).group(1))
    del args[args.index("-p"):args.index("-p") + 2]
    secret = re.search(r"^SECRET=(\S+)$", script, re.M).group(1)
    args = [a.replace("$SECRET", secret) for a in args]
    binary = almanac_binary()
    with AlmanacServer(args, cwd=tmp_path) as server:
        parts = ["set -euo pipefail"]
        for i, (body, _) in enumerate(doc_blocks):
            body = SERVE_LINE.sub("", body).replace(DOC_URL, server.url)
            body = re.sub(r"(^|\$\(|\| )almanac ", lambda m: f"{m.group(1)}{binary} ", body,
                          flags=re.M)
            parts += [f"echo '@@BLOCK {i}@@'", body]
        result = subprocess.run(["bash", "-c", "\n".join(parts)], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120,
                                env=client_env(tmp_path))
        assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
        outputs = re.split(r"^@@BLOCK \d+@@\n", result.stdout, flags=re.M)[1:]
        assert len(outputs) == len(doc_blocks)
        checked = 0
        for (body, expected), got in zip(doc_blocks, outputs):
            if expected is None:
                continue
            checked += 1
            got = got.replace(server.url, DOC_URL)
            assert got == expected, f"{body}\n--- printed:\n{got}\n--- docs/client.md says:\n{expected}"
        assert checked >= 6
