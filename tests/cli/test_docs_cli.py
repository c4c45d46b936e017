"""docs/cli.md runs: its ```sh blocks run top to bottom in one empty directory (`almanac` is the
built binary), and each ```output block is exactly what the sh block before it printed."""
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))

from almanac_server import almanac_binary  # noqa: E402

DOC = HERE.parents[1] / "docs" / "cli.md"


def blocks():
    """[(kind, text)] for the sh and output blocks, in order."""
    return re.findall(r"```(sh|output)\n(.*?)```", DOC.read_text(), re.S)


def test_cli_doc_examples_run(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "almanac").symlink_to(almanac_binary())
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    work = tmp_path / "work"
    work.mkdir()
    found = blocks()
    assert sum(kind == "sh" for kind, _ in found) >= 5
    for i, (kind, text) in enumerate(found):
        if kind != "sh":
            continue
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", text], cwd=work, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (text, result.stderr)
        if i + 1 < len(found) and found[i + 1][0] == "output":
            assert result.stdout == found[i + 1][1], text
