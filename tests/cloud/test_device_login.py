"""`dclient login` and `almanac client login` against a space (issue 17): the front door runs the
OAuth device flow itself, a signed-in member approves the code, and the client gets a stored
`almt_` token of that member in that space — listed with their tokens, revocable, and still
valid after the space's worker stops."""
import re
import subprocess

import httpx

from conftest import almanac_binary
from test_accounts import Browser, csrf_of

GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def poll(cloud, space, device_code):
    return httpx.post(f"{cloud.url}/{space}/-/oauth/token", timeout=30,
                      data={"grant_type": GRANT, "device_code": device_code})


def approve(browser, space, code, action="approve"):
    path = f"/{space}/-/oauth/device/verify"
    page = browser.get(path, params={"code": code})
    assert page.status_code == 200, page.text
    return browser.client.post(path, data={"csrf": csrf_of(page.text), "user_code": code,
                                           "action": action})


def test_a_member_approves_a_device_login_and_gets_a_stored_token(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    alice, carol = Browser(cloud), Browser(cloud)
    alice.sign_up("alice")
    carol.sign_up("carol")
    alice.create_space("team")
    assert alice.client.post("/team/data/-/create", json={
        "table": "notes", "pk": "id", "rows": [{"id": 1}]}).status_code == 201

    started = httpx.post(f"{cloud.url}/team/-/oauth/device", timeout=30,
                         data={"scope": '[["view-table", "data"]]'})
    assert started.status_code == 200, started.text
    device = started.json()
    assert device["verification_uri"] == f"{cloud.url}/team/-/oauth/device/verify"
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", device["user_code"])
    pending = poll(cloud, "team", device["device_code"])
    assert pending.status_code == 400 and pending.json()["error"] == "authorization_pending"
    bad_scope = httpx.post(f"{cloud.url}/team/-/oauth/device", data={"scope": "[[1]]"})
    assert bad_scope.status_code == 400 and bad_scope.json()["error"] == "invalid_scope"

    # Signed out, the verify page sends the browser to sign in, and back.
    anonymous = httpx.Client(base_url=cloud.url, timeout=30)
    signin = anonymous.get("/team/-/oauth/device/verify", params={"code": device["user_code"]})
    assert signin.status_code == 303
    assert signin.headers["location"].startswith("/-/signin?next=%2Fteam%2F-%2Foauth%2Fdevice")
    # A signed-in account that is not a member may not approve; a form without its CSRF token
    # is refused.
    assert carol.get("/team/-/oauth/device/verify").status_code == 403
    forged = alice.client.post("/team/-/oauth/device/verify",
                               data={"user_code": device["user_code"], "action": "approve"})
    assert forged.status_code == 403
    assert poll(cloud, "team", device["device_code"]).json()["error"] == "authorization_pending"

    approved = approve(alice, "team", device["user_code"])
    assert approved.status_code == 200 and "Device approved" in approved.text
    answer = poll(cloud, "team", device["device_code"])
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    assert token.startswith("almt_") and answer.json()["token_type"] == "bearer"
    assert poll(cloud, "team", device["device_code"]).json()["error"] == "invalid_grant"

    with cloud.client(token) as client:
        actor = client.get("/team/-/actor.json").json()["actor"]
        assert actor["id"] == "alice" and actor["token"] == "almt"
        assert actor["_r"] == {"d": {"data": ["vt"]}}
        assert client.get("/team/data/notes.json").status_code == 200
        # Narrowed to its scope: the owner's token may not write.
        assert client.post("/team/data/notes/-/insert",
                           json={"row": {"id": 2}}).status_code == 403
    tokens = alice.get("/-/api/spaces/team/tokens").json()["tokens"]
    [listed] = [t for t in tokens if t["name"] == "device login"]
    # Stored, so it outlives the worker: still valid after a restart of the whole front door.
    cloud.stop()
    cloud.start()
    with cloud.client(token) as client:
        assert client.get("/team/data/notes.json").status_code == 200
    alice = Browser(cloud)
    assert alice.client.post("/-/api/signin", json={
        "name": "alice", "password": "correct horse battery"}).status_code == 200
    revoked = alice.client.post(f"/-/api/spaces/team/tokens/{listed['id']}/revoke", json={})
    assert revoked.status_code == 200, revoked.text
    with cloud.client(token) as client:
        assert client.get("/team/data/notes.json").status_code == 401


def test_a_denied_login_gets_no_token(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    alice = Browser(cloud)
    alice.sign_up("alice")
    alice.create_space("team")
    device = httpx.post(f"{cloud.url}/team/-/oauth/device", timeout=30).json()
    denied = approve(alice, "team", device["user_code"], action="deny")
    assert denied.status_code == 200 and "Device denied" in denied.text
    assert poll(cloud, "team", device["device_code"]).json()["error"] == "access_denied"
    # A code of one space means nothing in another.
    alice.create_space("other")
    device = httpx.post(f"{cloud.url}/team/-/oauth/device", timeout=30).json()
    page = alice.get("/other/-/oauth/device/verify", params={"code": device["user_code"]})
    assert "No login is waiting for this code" in page.text


def test_almanac_client_login_to_a_space(start_cloud, tmp_path):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    alice = Browser(cloud)
    alice.sign_up("alice")
    alice.create_space("team")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "DCLIENT_CONFIG_DIR": str(tmp_path / "dc"),
           "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([almanac_binary(), "client", "login", f"{cloud.url}/team",
                                "--token-only"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True, env=env)
    try:
        code = None
        for line in process.stdout:
            match = re.search(r"Enter this code: (\S+)", line)
            if match:
                code = match.group(1)
                break
        assert code, "no code shown"
        assert approve(alice, "team", code).status_code == 200
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    token = out.strip().splitlines()[-1]
    with cloud.client(token) as client:
        assert client.get("/team/-/actor.json").json()["actor"]["id"] == "alice"
