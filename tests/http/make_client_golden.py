"""Records dclient 0.5a3's output for every case in client_cases.py into client_golden.json.

    # dclient's source at tag 0.5a3 (fetched, not vendored) on Debian's Python packages:
    #   apt-get install python3-click python3-httpx python3-click-default-group sqlite-utils
    git -C DCLIENT_REPO archive 0.5a3 | tar -x -C /tmp/dclient-0.5a3
    ALMANAC_BIN=build/almanac DCLIENT_SRC=/tmp/dclient-0.5a3 \
        /usr/bin/python3 tests/http/make_client_golden.py

The server is the built `almanac serve`, so a case whose endpoint Almanac lacks records that
error; such cases point at the fake server instead (see client_cases.py).
"""
import json
import os
import sys
import tempfile
from pathlib import Path

import client_cases

COMMAND = ("ALMANAC_BIN=build/almanac DCLIENT_SRC=/tmp/dclient-0.5a3 "
           "/usr/bin/python3 tests/http/make_client_golden.py")


def main():
    src = os.environ.get("DCLIENT_SRC")
    if not src or not (Path(src) / "dclient" / "cli.py").exists():
        sys.exit("set DCLIENT_SRC to a checkout of dclient 0.5a3")
    with tempfile.TemporaryDirectory() as tmp:
        env = client_cases.dclient_env(tmp)
        env["PYTHONPATH"] = src
        results, forms = client_cases.run_all(["/usr/bin/python3", "-m", "dclient"], env, tmp)
    golden = {"generated_by": COMMAND, "dclient": "0.5a3", "cases": results,
              "login_forms": forms}
    out = Path(__file__).with_name("client_golden.json")
    out.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out} ({len(results)} cases)")


if __name__ == "__main__":
    main()
