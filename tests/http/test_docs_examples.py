"""The examples in README.md and docs/ really run: every read URL answers against the demo
database, and the write walkthroughs run top to bottom as shell scripts (each curl must succeed)."""
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from almanac_server import AlmanacServer, almanac_binary

ROOT = Path(__file__).resolve().parents[2]
READ_DOCS = ["README.md", "docs/json-api.md"]
DEMO_URL = re.compile(r"curl -s (?:-o \S+ )?'?(http://127\.0\.0\.1:8001/[^'\s]*)")
SERVE_LINE = re.compile(r"^(?:build/)?almanac serve (.*) &$")


def shell_blocks(markdown):
    return re.findall(r"```sh\n(.*?)```", markdown, re.S)


def demo_urls():
    urls = []
    for name in READ_DOCS:
        for block in shell_blocks((ROOT / name).read_text()):
            urls += [(name, url) for url in DEMO_URL.findall(block)]
    return urls


@pytest.fixture(scope="module")
def demo():
    with AlmanacServer([]) as running:
        yield running


@pytest.mark.parametrize("doc,url", demo_urls())
def test_read_example_answers(demo, doc, url):
    response = httpx.get(url.replace("http://127.0.0.1:8001", demo.url), timeout=30)
    assert response.status_code == 200, (doc, url, response.text[:300])
    if ".json" in url.split("?")[0]:
        body = response.json()
        assert not (isinstance(body, dict) and body.get("ok") is False), (doc, url, body)


def write_walkthroughs():
    """(doc, script) for each markdown file whose shell blocks start a writable server."""
    found = []
    for name in ["README.md", "docs/write-api.md", "docs/changes.md"]:
        blocks = shell_blocks((ROOT / name).read_text())
        serving = [b for b in blocks if any(SERVE_LINE.match(line) for line in b.splitlines())]
        if serving:
            start = blocks.index(serving[0])
            found.append((name, "\n".join(blocks[start:])))
    return found


def run_walkthrough(script, binary, tmp_path):
    lines = script.splitlines()
    serve_at = next(i for i, line in enumerate(lines) if SERVE_LINE.match(line))
    serve = SERVE_LINE.match(lines[serve_at])
    # The serve line's arguments as bash expands them after the lines before it ($SECRET,
    # $DIR...); temporary directories land in the test's own (TMPDIR).
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    expand = "\n".join(lines[:serve_at] + ["printf '%s\\0' " + serve.group(1)])
    expanded = subprocess.run(["bash", "-euo", "pipefail", "-c", expand], cwd=tmp_path, env=env,
                              capture_output=True, text=True, check=True).stdout
    args = expanded.split("\0")[:-1]
    port = args[args.index("-p") + 1]
    del args[args.index("-p"):args.index("-p") + 2]
    with AlmanacServer(args, cwd=tmp_path) as server:
        body = "\n".join(line for line in lines if not SERVE_LINE.match(line))
        body = body.replace(f"http://127.0.0.1:{port}", server.url)
        body = re.sub(r"(^|\$\()(?:build/)?almanac ", lambda m: f"{m.group(1)}{binary} ", body,
                      flags=re.M)
        body = body.replace("curl -s ", "curl -sS --fail-with-body ")
        return subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("doc,script", write_walkthroughs(), ids=lambda v: v if v.endswith(".md") else "")
def test_write_walkthrough_runs(tmp_path, doc, script):
    result = run_walkthrough(script, almanac_binary(), tmp_path)
    assert result.returncode == 0, (doc, result.stdout[-2000:], result.stderr[-2000:])
    assert '"ok": false' not in result.stdout.replace('"ok":false', '"ok": false')


def test_the_docs_have_examples_to_check():
    assert len(demo_urls()) >= 15
    assert {doc for doc, _ in write_walkthroughs()} == {"README.md", "docs/write-api.md",
                                                         "docs/changes.md"}
