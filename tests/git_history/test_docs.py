"""docs/git-history.md's walkthrough runs as written: its shell blocks run in order in one
bash session, and each prints the text block that follows it (the examples under Options too);
the `almanac serve` step is started on a free port and its curl answers like the page says."""
import re
import subprocess
from pathlib import Path

import httpx

from almanac_server import AlmanacServer, almanac_binary

DOC = Path(__file__).resolve().parents[2] / "docs" / "git-history.md"
MARK = "@@@ block done @@@"


def walkthrough():
    """[(shell code, expected output or None)] in document order."""
    blocks = re.findall(r"```(sh|text)\n(.*?)```", DOC.read_text(), re.S)
    steps = []
    for i, (kind, body) in enumerate(blocks):
        if kind == "sh":
            follows = blocks[i + 1] if i + 1 < len(blocks) else None
            steps.append((body, follows[1] if follows and follows[0] == "text" else None))
    return steps


def test_walkthrough_prints_what_the_page_shows(tmp_path):
    steps = walkthrough()
    serve_at = next(i for i, (code, _) in enumerate(steps) if "almanac serve" in code)
    shell_steps = steps[:serve_at] + steps[serve_at + 1:]  # the examples after it run too
    script = "".join(code + f"\necho '{MARK}'\n" for code, _ in shell_steps)
    binary = Path(almanac_binary())
    script = re.sub(r"(^|\s|\()almanac ", lambda m: f"{m.group(1)}{binary} ", script, flags=re.M)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    outputs = result.stdout.split(MARK + "\n")
    assert len(outputs) == len(shell_steps) + 1
    for (code, expected), output in zip(shell_steps, outputs):
        if expected is not None:
            assert output.strip() == expected.strip(), code

    serve, expected = steps[serve_at]
    url = re.search(r"curl -s '(http://127\.0\.0\.1:8001[^']*)'", serve).group(1)
    with AlmanacServer(["bikes.db"], cwd=tmp_path) as server:
        body = httpx.get(url.replace("http://127.0.0.1:8001", server.url), timeout=10).text
    assert body.strip() == expected.strip()
