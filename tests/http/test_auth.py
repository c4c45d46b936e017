"""Signed tokens, the ds_actor cookie, --root login, CSRF and permissions, black-box."""
import base64
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer, almanac_binary, shared_dir  # noqa: E402

SECRET = "auth-test-secret"
MINT = shared_dir() / "conformance" / "tools" / "mint_token.py"


def mint(actor, t=1700000000, d=None, r=None, secret=SECRET):
    args = [sys.executable, str(MINT), secret, actor, "--t", str(t)]
    if d:
        args += ["--d", str(d)]
    if r is not None:
        args += ["--r", json.dumps(r)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def bearer(token):
    return {"Authorization": "Bearer " + token}


def decode_payload(token):
    body = token[len("dstok_"):].rsplit(".", 1)[0]
    compressed = body.startswith(".")
    raw = base64.urlsafe_b64decode(body.lstrip(".") + "=" * (-len(body.lstrip(".")) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


@pytest.fixture(scope="module")
def root_server(fixtures_dir):
    args = ["fixtures.db", "extra database.db", "--secret", SECRET, "--root"]
    with AlmanacServer(args, cwd=fixtures_dir) as running:
        yield running


@pytest.fixture
def root_client(root_server):
    with httpx.Client(base_url=root_server.url, timeout=10) as c:
        yield c


def login_url(server):
    urls = [line.strip() for line in server.output if "/-/auth-token?token=" in line]
    assert urls, "--root did not print a login URL: " + "".join(server.output)
    return urls[0]


# --- tokens ------------------------------------------------------------------------------

def test_garbage_and_expired_tokens_get_401_with_bearer_challenge(root_client):
    for token, message in [("dstok_garbage", "Invalid token signature"),
                           (mint("root", d=60), "Token has expired"),
                           (mint("root", secret="other"), "Invalid token signature")]:
        r = root_client.get("/-/actor.json", headers=bearer(token))
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert r.json() == {"ok": False, "error": message, "errors": [message], "status": 401}


def test_401_comes_before_routing(root_client):
    r = root_client.get("/no/such/page", headers=bearer("dstok_garbage"))
    assert r.status_code == 401


def test_other_bearer_tokens_are_anonymous(root_client):
    r = root_client.get("/-/actor.json", headers=bearer("abc"))
    assert r.json() == {"ok": True, "actor": None}


def test_valid_token_becomes_the_actor(root_client):
    r = root_client.get("/-/actor.json", headers=bearer(mint("alice", r={"a": ["vi"]})))
    assert r.json()["actor"] == {"id": "alice", "token": "dstok", "_r": {"a": ["vi"]}}


def test_restricted_token_cannot_see_what_it_is_not_allowed(root_client):
    token = mint("root", r={"a": ["vi", "vd"], "r": {"fixtures": {"facetable": ["vt"]}}})
    assert root_client.get("/fixtures/facetable.json", headers=bearer(token)).status_code == 200
    assert root_client.get("/fixtures/sortable.json", headers=bearer(token)).status_code == 403
    # Restrictions never grant: alice gets no permissions-debug from _r.
    alice = mint("alice", r={"a": ["pd"]})
    assert root_client.get("/-/actions.json", headers=bearer(alice)).status_code == 403
    assert root_client.get("/-/actions.json", headers=bearer(mint("root"))).status_code == 200


def test_create_token_cli_matches_datasette_byte_for_byte():
    cmd = [almanac_binary(), "create-token", "alice", "--secret", SECRET, "-e", "3600",
           "-a", "view-instance", "-d", "fixtures", "execute-sql",
           "-r", "fixtures", "facetable", "insert-row", "-r", "fixtures", "facetable", "ur"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    token = out.stdout.strip()
    t = decode_payload(token)["t"]
    expected = mint("alice", t=t, d=3600, r={"a": ["vi"], "d": {"fixtures": ["es"]},
                                             "r": {"fixtures": {"facetable": ["ir", "ur"]}}})
    assert token == expected
    assert "Unknown permission: ur" in out.stderr  # abbreviations are not action names


def test_create_token_cli_reads_the_secret_from_the_environment():
    out = subprocess.run([almanac_binary(), "create-token", "root", "--debug"],
                         capture_output=True, text=True, check=True,
                         env={"DATASETTE_SECRET": SECRET})
    token, rest = out.stdout.split("\n", 1)
    assert token == mint("root", t=decode_payload(token)["t"])
    assert rest.startswith("\nDecoded:\n\n{\n  \"a\": \"root\",\n  \"t\": ")


# --- root login, cookie, logout, CSRF ------------------------------------------------------

def test_root_login_flow(root_server):
    url = login_url(root_server)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/-/auth-token\?token=[0-9a-f]{64}", url)
    with httpx.Client(base_url=root_server.url, timeout=10) as c:
        assert c.get("/-/auth-token?token=wrong").status_code == 403
        r = c.get(url.replace(root_server.url, ""))
        assert r.status_code == 302 and r.headers["location"] == "/"
        assert r.headers["set-cookie"].startswith("ds_actor=")
        assert c.get("/-/actor.json").json()["actor"] == {"id": "root"}
        # The cookie is signed with the secret the way Datasette signs it.
        cookie = c.cookies["ds_actor"]
        assert cookie == "eyJhIjp7ImlkIjoicm9vdCJ9fQ." + cookie.rsplit(".", 1)[1]
        # A cookie session may use the permission tools and the create-token page.
        assert c.get("/-/permissions").status_code == 200
        assert c.get("/-/create-token").status_code == 200
        # Tokens minted there work as Bearer tokens.
        page = c.post("/-/create-token", data={"all:view-instance": "on",
                                                "expire_type": "hours", "expire_duration": "2"})
        assert page.status_code == 200
        token = re.search(r'value="(dstok_[^"]+)"', page.text).group(1)
        actor = c.get("/-/actor.json", headers=bearer(token)).json()["actor"]
        assert actor["id"] == "root" and actor["_r"] == {"a": ["vi"]}
        assert actor["token_expires"] == decode_payload(token)["t"] + 7200
        # ... but tokens cannot mint tokens.
        with httpx.Client(base_url=root_server.url, timeout=10) as bare:
            assert bare.get("/-/create-token", headers=bearer(token)).status_code == 403
        # A cross-site POST with the cookie is refused; a same-origin one logs out.
        r = c.post("/-/logout", headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 403 and "text/html" in r.headers["content-type"]
        r = c.post("/-/logout", headers={"Sec-Fetch-Site": "same-origin"})
        assert r.status_code == 302 and "Max-Age=0" in r.headers["set-cookie"]
        assert c.get("/-/actor.json").json()["actor"] is None
    # The login URL works only once.
    with httpx.Client(base_url=root_server.url, timeout=10) as c:
        assert c.get(url.replace(root_server.url, "")).status_code == 403


def test_csrf_origin_check_and_bearer_exemption(root_client):
    cross = {"Origin": "http://evil.example"}
    assert root_client.post("/-/logout", headers=cross).status_code == 403
    same = {"Origin": str(root_client.base_url).rstrip("/")}
    assert root_client.post("/-/logout", headers=same).status_code == 302
    exempt = {**cross, **bearer(mint("root")), "Sec-Fetch-Site": "cross-site"}
    assert root_client.post("/-/logout", headers=exempt).status_code == 302


def test_anonymous_cannot_create_tokens(root_client):
    r = root_client.get("/-/create-token")
    assert r.status_code == 403


# --- permission tools ---------------------------------------------------------------------

def test_check_allowed_and_rules(root_client):
    root = bearer(mint("root"))
    assert root_client.get("/-/check.json?action=view-table").status_code == 403
    r = root_client.get("/-/check.json", params={
        "action": "execute-sql", "parent": "fixtures", "actor": "null"}, headers=root)
    body = r.json()
    assert body["allowed"] is True and body["actor"] is None
    assert body["explanation"]["required_actions"][0]["action"] == "view-database"
    r = root_client.get("/-/check.json?action=drop-table&parent=fixtures&child=facetable",
                        headers=root)
    assert r.json()["allowed"] is True and r.json()["actor_id"] == "root"
    assert root_client.get("/-/check.json?action=nope", headers=root).status_code == 404
    r = root_client.get("/-/allowed.json?action=view-database")
    assert [i["parent"] for i in r.json()["items"]] == ["extra database", "fixtures"]
    assert root_client.get("/-/allowed.json?action=insert-row").json()["total"] == 0
    assert root_client.get("/-/allowed.json").status_code == 400
    r = root_client.get("/-/rules.json?action=view-table", headers=root)
    reasons = {item["reason"] for item in r.json()["items"]}
    assert {"root user", "default allow for view-table"} <= reasons


def test_permissions_debug_post(root_client):
    r = root_client.post("/-/permissions", headers=bearer(mint("root")),
                         data={"actor": '{"id": "x"}', "permission": "view-table",
                               "resource_1": "fixtures", "resource_2": "facetable"})
    assert r.status_code == 200
    assert r.json()["allowed"] is True and r.json()["unstable"].startswith("This API")


# --- config permissions and --default-deny --------------------------------------------------

@pytest.fixture(scope="module")
def locked_server(tmp_path_factory, fixtures_dir):
    config = {"databases": {"fixtures": {"allow": {"id": "alice"},
                                         "tables": {"facetable": {"allow": True}}}},
              "permissions": {"insert-row": {"id": "writer"}}}
    target = tmp_path_factory.mktemp("locked")
    (target / "config.json").write_text(json.dumps(config))
    for name in ("fixtures.db", "extra database.db"):
        (target / name).write_bytes((fixtures_dir / name).read_bytes())
    with AlmanacServer(["fixtures.db", "extra database.db", "-c", "config.json",
                        "--secret", SECRET], cwd=target) as running:
        yield running


def test_allow_blocks_apply_to_reads(locked_server):
    with httpx.Client(base_url=locked_server.url, timeout=10) as c:
        assert c.get("/fixtures.json").status_code == 403
        assert c.get("/fixtures/sortable.json").status_code == 403
        assert c.get("/fixtures/facetable.json").status_code == 200  # table-level allow wins
        alice = bearer(mint("alice"))
        assert c.get("/fixtures.json", headers=alice).status_code == 200
        names = [d["name"] for d in c.get("/-/databases.json").json()["databases"]]
        assert names == ["extra database"]
        r = c.get("/-/allowed.json?action=view-table&parent=fixtures")
        assert [i["child"] for i in r.json()["items"]] == ["facetable"]
        # What alice sees that anonymous users cannot is flagged private.
        db = c.get("/fixtures.json", headers=alice).json()
        assert db["private"] is True
        private = {t["name"]: t["private"] for t in db["tables"]}
        assert private["facetable"] is False and private["sortable"] is True
        assert c.get("/fixtures.json").status_code == 403
        index = {d["name"]: d for d in c.get("/.json", headers=alice).json()["databases"]}
        assert index["fixtures"]["private"] is True
        assert index["extra database"]["private"] is False


def test_default_deny(fixtures_dir):
    with AlmanacServer(["fixtures.db", "--secret", SECRET, "--default-deny", "--root"],
                       cwd=fixtures_dir) as running:
        with httpx.Client(base_url=running.url, timeout=10) as c:
            assert c.get("/.json").status_code == 403
            assert c.get("/fixtures/facetable.json").status_code == 403
            assert c.get("/-/versions.json").status_code == 403
            assert c.get("/fixtures/facetable.json", headers=bearer(mint("root"))).status_code == 200
