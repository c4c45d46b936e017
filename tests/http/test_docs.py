"""The docs cover what the server has: every setting and every `serve` flag is documented."""
import re
import subprocess
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_setting_is_documented(client):
    settings = client.get("/-/settings.json").json()
    text = (DOCS / "settings.md").read_text()
    missing = [name for name in settings if name != "ok" and f"`{name}`" not in text]
    assert missing == []


def test_every_serve_flag_is_documented(server):
    help_text = subprocess.run([server.binary, "serve", "--help"], capture_output=True,
                               text=True, check=True).stdout
    flags = set(re.findall(r"(--[a-z][a-z-]+)", help_text))
    text = (DOCS / "serve.md").read_text()
    missing = sorted(flag for flag in flags if flag not in text)
    assert missing == []
