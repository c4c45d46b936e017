"""The OAuth device flow `almanac serve` serves for `dclient login` and `almanac client login`:
POST /-/oauth/device, a signed-in user approving the code on /-/oauth/device/verify, and
POST /-/oauth/token (never slow_down), through real HTTP."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from almanac_server import AlmanacServer, almanac_binary
from tokens import root_token

SECRET = "device-secret"
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture
def server(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    with AlmanacServer(["fixtures.db", "--root", "--secret", SECRET], cwd=tmp_path) as running:
        yield running


@pytest.fixture
def signed_in(server):
    """A browser session signed in as root through the --root URL."""
    login = next(line.strip() for line in server.output if "/-/auth-token?token=" in line)
    with httpx.Client(base_url=server.url, timeout=10) as browser:
        assert browser.get(login).status_code == 302
        assert browser.get("/-/actor.json").json()["actor"]["id"] == "root"
        yield browser


def start(server, **form):
    r = httpx.post(server.url + "/-/oauth/device", data=form, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def poll(server, device_code):
    return httpx.post(server.url + "/-/oauth/token", timeout=10,
                      data={"grant_type": GRANT, "device_code": device_code})


def actor_of(server, token):
    return httpx.get(server.url + "/-/actor.json", timeout=10,
                     headers={"Authorization": f"Bearer {token}"}).json()["actor"]


def test_start_answers_what_dclient_reads(server):
    device = start(server)
    assert re.fullmatch(r"[0-9a-f]{64}", device["device_code"])
    assert re.fullmatch(r"[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}", device["user_code"])
    assert device["verification_uri"] == server.url + "/-/oauth/device/verify"
    assert device["verification_uri_complete"].endswith("?code=" + device["user_code"])
    assert isinstance(device["interval"], int) and device["expires_in"] == 900


def test_pending_never_slow_down(server):
    device = start(server)
    for _ in range(20):  # polling far faster than the interval
        r = poll(server, device["device_code"])
        assert r.status_code == 400
        assert r.json()["error"] == "authorization_pending"


def test_approve_gives_one_token_with_the_scope(server, signed_in):
    scope = '[["view-instance"], ["view-table", "fixtures"], ["insert-row", "fixtures", "facetable"]]'
    device = start(server, scope=scope)
    page = signed_in.get("/-/oauth/device/verify", params={"code": device["user_code"]})
    assert page.status_code == 200
    assert device["user_code"] in page.text and "view-table" in page.text
    approved = signed_in.post("/-/oauth/device/verify",
                              data={"user_code": device["user_code"].lower(), "action": "approve"})
    assert approved.status_code == 200 and "approved" in approved.text
    r = poll(server, device["device_code"])
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"
    token = r.json()["access_token"]
    actor = actor_of(server, token)
    assert actor["id"] == "root" and actor["token"] == "dstok"
    assert actor["_r"] == {"a": ["vi"], "d": {"fixtures": ["vt"]},
                           "r": {"fixtures": {"facetable": ["ir"]}}}
    # The code is used up: a second poll, and a second approval, are refused.
    assert poll(server, device["device_code"]).json()["error"] == "invalid_grant"
    again = signed_in.post("/-/oauth/device/verify",
                           data={"user_code": device["user_code"], "action": "approve"})
    assert again.status_code == 400


def test_deny(server, signed_in):
    device = start(server)
    denied = signed_in.post("/-/oauth/device/verify",
                            data={"user_code": device["user_code"], "action": "deny"})
    assert denied.status_code == 200
    r = poll(server, device["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "access_denied"


def test_only_a_signed_in_user_approves(server):
    device = start(server)
    anonymous = httpx.get(server.url + "/-/oauth/device/verify", timeout=10)
    assert anonymous.status_code == 403
    posted = httpx.post(server.url + "/-/oauth/device/verify", timeout=10,
                        data={"user_code": device["user_code"], "action": "approve"})
    assert posted.status_code == 403
    # A token cannot approve a login for more tokens (as /-/create-token refuses).
    with_token = httpx.post(server.url + "/-/oauth/device/verify", timeout=10,
                            headers={"Authorization": f"Bearer {root_token(SECRET)}"},
                            data={"user_code": device["user_code"], "action": "approve"})
    assert with_token.status_code == 403
    assert poll(server, device["device_code"]).json()["error"] == "authorization_pending"


def test_bad_requests(server, signed_in):
    bad_scope = httpx.post(server.url + "/-/oauth/device", data={"scope": "[1]"}, timeout=10)
    assert bad_scope.status_code == 400 and bad_scope.json()["error"] == "invalid_scope"
    grant = httpx.post(server.url + "/-/oauth/token", data={"grant_type": "password"}, timeout=10)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    unknown = poll(server, "0" * 64)
    assert unknown.json()["error"] == "invalid_grant"
    wrong_code = signed_in.post("/-/oauth/device/verify",
                                data={"user_code": "ZZZZ-ZZZZ", "action": "approve"})
    assert wrong_code.status_code == 400
    assert httpx.get(server.url + "/-/oauth/device", timeout=10).status_code == 405


def test_signed_tokens_off(tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    with AlmanacServer(["fixtures.db", "--setting", "allow_signed_tokens", "off"],
                       cwd=tmp_path) as s:
        r = httpx.post(s.url + "/-/oauth/device", timeout=10)
        assert r.status_code == 403 and r.json()["error"] == "access_denied"


def wait_for_code(process):
    """Reads the login's output until it shows the code; returns (lines, code)."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        match = re.search(r"Enter this code: (\S+)", line)
        if match:
            return lines, match.group(1)
    raise AssertionError("no code shown: " + "".join(lines))


def run_login(server, signed_in, command, env):
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True, env=env)
    try:
        lines, code = wait_for_code(process)
        approved = signed_in.post("/-/oauth/device/verify",
                                  data={"user_code": code, "action": "approve"})
        assert approved.status_code == 200
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    return "".join(lines) + out


def test_almanac_client_login(server, signed_in, tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               DCLIENT_CONFIG_DIR=str(tmp_path / "dclient"))
    out = run_login(server, signed_in, [almanac_binary(), "client", "login", server.url,
                                        "--read", "fixtures", "--token-only"], env)
    token = out.strip().splitlines()[-1]
    actor = actor_of(server, token)
    assert actor["id"] == "root" and "fixtures" in actor["_r"]["d"]


def test_real_dclient_login(server, signed_in, tmp_path):
    source = os.environ.get("DCLIENT_SRC")
    if not source or not (Path(source) / "dclient" / "cli.py").exists():
        pytest.skip("set DCLIENT_SRC to a checkout of dclient 0.5a3 to run the real dclient")
    env = dict(os.environ, PYTHONPATH=source, DCLIENT_CONFIG_DIR=str(tmp_path / "dclient"))
    out = run_login(server, signed_in, [sys.executable, "-m", "dclient", "login", server.url,
                                        "--token-only"], env)
    assert actor_of(server, out.strip().splitlines()[-1])["id"] == "root"
