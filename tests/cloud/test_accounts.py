"""Accounts, spaces, members, roles, invitations, API tokens and the audit log (issue 17),
end to end through `almanac cloud`: HTML forms as a browser without JavaScript sends them, and
the JSON equivalents under /-/api/."""
import re
import sqlite3
import subprocess

import httpx
import pytest

from conftest import create_space, wait_for
from almanac_server import almanac_binary


def csrf_of(html):
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


class Browser:
    """A cookie-keeping client that fills the front door's forms (no JavaScript)."""

    def __init__(self, cloud):
        self.client = httpx.Client(base_url=cloud.url, timeout=60)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def submit(self, page_path, action, fields, form_index=0):
        """Loads `page_path`, takes the CSRF token of its forms and posts `fields` to `action`."""
        page = self.client.get(page_path)
        assert page.status_code in (200, 201), page.text
        return self.client.post(action, data={"csrf": csrf_of(page.text), **fields})

    def sign_up(self, name, password="correct horse battery", invitation=""):
        response = self.submit("/-/signup", "/-/signup",
                               {"name": name, "password": password, "invitation": invitation})
        assert response.status_code == 303, response.text
        return response

    def create_space(self, name):
        response = self.submit("/-/spaces", "/-/spaces", {"name": name, "display_name": name})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/-/spaces/{name}/members"


def audit_actions(browser, space):
    page = browser.get(f"/-/api/spaces/{space}/audit")
    assert page.status_code == 200, page.text
    return [entry["action"] for entry in page.json()["entries"]]


def test_two_users_invite_roles_and_a_revoked_token(start_cloud):
    cloud = start_cloud("--pool", "0")
    alice, bob = Browser(cloud), Browser(cloud)
    alice.sign_up("alice")
    bob.sign_up("bob")
    alice.create_space("alpha")
    bob.create_space("bravo")
    mine = alice.get("/-/spaces")
    assert "alpha" in mine.text and "bravo" not in mine.text

    # Alice loads data into her space, through the proxy, as its owner.
    made = alice.client.post("/alpha/data/-/create",
                             json={"table": "notes", "pk": "id", "rows": [{"id": 1, "body": "hi"}]})
    assert made.status_code == 201, made.text
    # Neither sees the other's space.
    assert bob.get("/alpha/data/notes.json").status_code == 403
    assert alice.get("/bravo/data.json").status_code == 403
    assert bob.get("/-/spaces/alpha/members").status_code == 404

    # Alice invites Bob as a viewer: a single-use link.
    invited = alice.submit("/-/spaces/alpha/members", "/-/spaces/alpha/invitations",
                           {"role": "viewer"})
    assert invited.status_code == 201, invited.text
    link = re.search(r'value="(http://[^"]+/-/invite/[^"]+)"', invited.text).group(1)
    path = httpx.URL(link).path
    assert "viewer" in bob.get(path).text
    accepted = bob.submit(path, path, {})
    assert accepted.status_code == 303, accepted.text
    assert bob.get(path).status_code == 404  # used up
    members = alice.get("/-/api/spaces/alpha/members").json()["members"]
    assert {"account": "bob", "role": "viewer"} in members

    # The viewer reads but cannot write.
    assert bob.get("/alpha/data/notes.json").json()["rows"] == [{"id": 1, "body": "hi"}]
    assert bob.get("/alpha/-/actor.json").json()["actor"] == {
        "id": "bob", "role": "viewer", "space": "alpha"}
    refused = bob.client.post("/alpha/data/notes/-/insert", json={"row": {"id": 2, "body": "no"}})
    assert refused.status_code == 403, refused.text

    # Alice makes Bob a member (the form on the members page): now he writes.
    changed = alice.submit("/-/spaces/alpha/members", "/-/spaces/alpha/members/bob",
                           {"role": "member"})
    assert changed.status_code == 303, changed.text
    wrote = bob.client.post("/alpha/data/notes/-/insert", json={"row": {"id": 2, "body": "yes"}})
    assert wrote.status_code == 201, wrote.text
    # A member may not drop tables (an admin may).
    assert bob.client.post("/alpha/data/notes/-/drop", json={"confirm": True}).status_code == 403

    # Bob makes an API token (shown once), uses it, revokes it: refused on its next use.
    created = bob.submit("/-/spaces/alpha/tokens", "/-/spaces/alpha/tokens",
                         {"name": "laptop", "expires_days": "1"})
    assert created.status_code == 201, created.text
    token = re.search(r'value="(almt_[^"]+)"', created.text).group(1)
    assert token not in bob.get("/-/spaces/alpha/tokens").text  # never shown again
    with cloud.client(token) as api:
        assert api.get("/alpha/data/notes.json").status_code == 200
        assert api.post("/alpha/data/notes/-/insert",
                        json={"row": {"id": 3, "body": "by token"}}).status_code == 201
        # Alice's other space is out of the token's reach.
        assert api.get("/bravo/data.json").status_code == 401
    listed = bob.get("/-/api/spaces/alpha/tokens").json()["tokens"]
    assert listed[0]["name"] == "laptop" and listed[0]["last_used_at"] is not None
    revoked = bob.submit("/-/spaces/alpha/tokens",
                         f"/-/spaces/alpha/tokens/{listed[0]['id']}/revoke", {})
    assert revoked.status_code == 303, revoked.text
    with cloud.client(token) as api:
        assert api.get("/alpha/data/notes.json").status_code == 401

    # Every step is in the audit log, which only admins see.
    assert audit_actions(alice, "alpha") == [
        "token-revoke", "token-create", "role-change", "invitation-accept", "invite",
        "space-create"]
    assert bob.get("/-/spaces/alpha/audit").status_code == 403
    page = alice.get("/-/spaces/alpha/audit")
    assert page.status_code == 200 and "role-change" in page.text

    # Removing Bob ends his access at once.
    removed = alice.submit("/-/spaces/alpha/members", "/-/spaces/alpha/members/bob",
                           {"remove": "1"})
    assert removed.status_code == 303
    assert bob.get("/alpha/data/notes.json").status_code == 403


def test_sign_out_revokes_the_session_server_side(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    carol = Browser(cloud)
    carol.sign_up("carol")
    cookie = carol.client.cookies["almanac_session"]
    assert carol.get("/-/api/spaces").status_code == 200
    out = carol.submit("/-/spaces", "/-/signout", {})
    assert out.status_code == 303
    # The old cookie, replayed, no longer signs anyone in.
    with httpx.Client(base_url=cloud.url, cookies={"almanac_session": cookie}) as replay:
        assert replay.get("/-/api/spaces").status_code == 401
    # Signing in again works; a wrong password does not.
    again = Browser(cloud)
    assert again.submit("/-/signin", "/-/signin",
                        {"name": "carol", "password": "wrong password"}).status_code == 401
    assert again.submit("/-/signin", "/-/signin",
                        {"name": "carol", "password": "correct horse battery"}).status_code == 303


def test_forms_need_their_csrf_token_and_this_origin(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    dave = Browser(cloud)
    dave.sign_up("dave")
    # No token, a wrong token, or another site's Origin: refused.
    assert dave.client.post("/-/spaces", data={"name": "x1"}).status_code == 403
    assert dave.client.post("/-/spaces", data={"name": "x1", "csrf": "nope"}).status_code == 403
    page = dave.get("/-/spaces")
    assert dave.client.post("/-/spaces", data={"name": "x1", "csrf": csrf_of(page.text)},
                            headers={"Origin": "http://evil.example"}).status_code == 403
    # JSON needs its content type (a cross-site form cannot send it).
    assert dave.client.post("/-/api/spaces", content="name=x1",
                            headers={"Content-Type": "text/plain"}).status_code == 400
    assert dave.client.post("/-/api/spaces", json={"name": "x1"}).status_code == 201
    # A session's write to a space from another site is refused at the front door.
    attack = dave.client.post("/x1/data/-/create", json={"table": "t", "columns": [
        {"name": "id"}]}, headers={"Origin": "http://evil.example"})
    assert attack.status_code == 403, attack.text


def test_sign_in_is_rate_limited_per_account_and_per_address(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    Browser(cloud).sign_up("erin")
    with httpx.Client(base_url=cloud.url, timeout=60) as c:
        def sign_in(name, password):
            return c.post("/-/api/signin", json={"name": name, "password": password})

        for _ in range(5):
            assert sign_in("erin", "guess guess").status_code == 401
        # The sixth try is refused before the password is even checked, right one or not.
        limited = sign_in("erin", "correct horse battery")
        assert limited.status_code == 429, limited.text
        assert int(limited.headers["Retry-After"]) > 0
        # Per address: 20 failures over any names, then this client is refused for all.
        for i in range(15):
            assert sign_in(f"nobody{i}", "guess guess").status_code == 401
        assert sign_in("someone-new", "guess guess").status_code == 429


def test_invite_only_sign_up(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0", "--signup", "invite")
    with httpx.Client(base_url=cloud.url) as c:
        refused = c.post("/-/api/signup", json={"name": "frank", "password": "long enough"})
        assert refused.status_code == 403
    # An invitation link (made here by an account from when sign-up was open) lets one in.
    cloud.stop()
    open_cloud = start_cloud("--no-sandbox", "--pool", "0")
    grace = Browser(open_cloud)
    grace.sign_up("grace")
    grace.create_space("gamma")
    code = grace.client.post("/-/api/spaces/gamma/invitations",
                             json={"role": "member"}).json()["code"]
    open_cloud.stop()
    cloud = start_cloud("--no-sandbox", "--pool", "0", "--signup", "invite")
    with httpx.Client(base_url=cloud.url) as c:
        joined = c.post("/-/api/signup",
                        json={"name": "frank", "password": "long enough", "invitation": code})
        assert joined.status_code == 201, joined.text
        assert c.get("/-/api/spaces").json()["spaces"][0]["role"] == "member"


def test_token_restrictions_narrow_the_role(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    hana = Browser(cloud)
    hana.sign_up("hana")
    hana.create_space("hotel")
    assert hana.client.post("/hotel/data/-/create", json={
        "table": "t", "pk": "id", "rows": [{"id": 1}]}).status_code == 201
    made = hana.client.post("/-/api/spaces/hotel/tokens", json={
        "name": "reader", "expires_after": 3600, "restrictions": {"a": ["view-instance",
                                                                        "view-database",
                                                                        "view-table"]}})
    assert made.status_code == 201, made.text
    with cloud.client(made.json()["token"]) as api:
        assert api.get("/hotel/data/t.json").status_code == 200
        assert api.post("/hotel/data/t/-/insert", json={"row": {"id": 2}}).status_code == 403


def test_command_line_spaces_keep_their_admin_token(start_cloud, data_dir):
    token = create_space(data_dir, "legacy")
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    with cloud.client(token) as c:
        assert c.get("/legacy/data.json").status_code == 200
    # Recorded in control.db without an owner; listed and deleted from the command line.
    with sqlite3.connect(data_dir / "control.db") as db:
        assert db.execute("select owner_account_id from spaces where name = 'legacy'").fetchall() \
            == [(None,)]
    assert (data_dir / "control.db").stat().st_mode & 0o777 == 0o600
    cloud.stop()
    subprocess.run([almanac_binary(), "cloud", "delete-space", "legacy", "--data",
                    str(data_dir)], check=True)
    with sqlite3.connect(data_dir / "control.db") as db:
        assert db.execute("select count(*) from spaces where name = 'legacy'").fetchone() == (0,)
        actions = [row[0] for row in db.execute("select action from audit_log order by id")]
        assert actions == ["space-create", "space-delete"]


@pytest.mark.parametrize("path", ["/-/signin", "/-/signup"])
def test_pages_share_the_stylesheet(start_cloud, path):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    with httpx.Client(base_url=cloud.url) as c:
        page = c.get(path)
        assert page.status_code == 200
        assert '<link rel="stylesheet" href="/-/static/app.css">' in page.text
        assert "<script" not in page.text  # works without JavaScript
        css = c.get("/-/static/app.css")
        assert css.status_code == 200 and ".hd {" in css.text


def test_admins_make_tables_public_and_every_toggle_is_audited(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    ivan, judy = Browser(cloud), Browser(cloud)
    ivan.sign_up("ivan")
    judy.sign_up("judy")
    ivan.create_space("india")
    for table in ("open", "secret"):
        assert ivan.client.post("/india/data/-/create", json={
            "table": table, "pk": "id", "rows": [{"id": 1}]}).status_code == 201
    anonymous = httpx.Client(base_url=cloud.url, timeout=60)
    assert anonymous.get("/india/data/open.json").status_code == 401
    # Judy, a member, may not publish anything.
    code = ivan.client.post("/-/api/spaces/india/invitations", json={"role": "member"}).json()["code"]
    assert judy.client.post(f"/-/api/invite/{code}", json={}).status_code == 200
    assert judy.client.post("/-/api/spaces/india/public", json={
        "database": "data", "table": "open", "public": True}).status_code == 403
    # A table or database that is not there is refused (a typo publishes nothing).
    for database, table, error in [("data", "nosuch", "Database data has no table or view named "
                                    "nosuch"),
                                   ("nodb", "open", "The space has no database named nodb")]:
        missing = ivan.client.post("/-/api/spaces/india/public", json={
            "database": database, "table": table, "public": True})
        assert missing.status_code == 404 and error in missing.json()["error"], missing.text
    assert ivan.client.post("/-/api/spaces/india/public", json={
        "database": "data", "table": "open", "public": False}).status_code == 404  # not public
    # Ivan, the owner, makes one table public with the form.
    made = ivan.submit("/-/spaces/india/public", "/-/spaces/india/public",
                       {"database": "data", "table": "open", "public": "1"})
    assert made.status_code == 303, made.text
    assert judy.get("/-/api/spaces/india/public").json()["public_tables"] == [
        {"database": "data", "table": "open"}]
    # The worker reloads its policy within 0.1 s: anonymous visitors see that table only.
    wait_for(lambda: anonymous.get("/india/data/open.json").status_code == 200,
             what="the table to be public")
    assert anonymous.get("/india/data/secret.json").status_code == 404  # as if absent
    assert anonymous.post("/india/data/open/-/insert", json={"row": {"id": 2}}).status_code == 401
    # And private again.
    assert ivan.client.post("/-/api/spaces/india/public", json={
        "database": "data", "table": "open", "public": False}).status_code == 200
    # (No public table left: the front door refuses anonymous visitors before the worker.)
    wait_for(lambda: anonymous.get("/india/data/open.json").status_code == 401,
             what="the table to be private")
    actions = audit_actions(ivan, "india")
    assert actions[:2] == ["table-private", "table-public"]


def test_the_owner_hands_the_space_over(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    kim, leo = Browser(cloud), Browser(cloud)
    kim.sign_up("kim")
    leo.sign_up("leo")
    kim.create_space("kilo")
    code = kim.client.post("/-/api/spaces/kilo/invitations", json={"role": "admin"}).json()["code"]
    assert leo.client.post(f"/-/api/invite/{code}", json={}).status_code == 200
    # An admin cannot take the space; the owner can give it.
    assert leo.client.post("/-/api/spaces/kilo/members/leo",
                           json={"role": "owner"}).status_code == 403
    moved = kim.submit("/-/spaces/kilo/members", "/-/spaces/kilo/transfer", {"account": "leo"})
    assert moved.status_code == 303, moved.text
    members = {m["account"]: m["role"] for m in
               leo.get("/-/api/spaces/kilo/members").json()["members"]}
    assert members == {"kim": "admin", "leo": "owner"}
    assert leo.get("/kilo/-/actor.json").json()["actor"]["role"] == "owner"
    assert audit_actions(leo, "kilo")[0] == "owner-transfer"
    # Only the owner deletes the space.
    assert kim.client.post("/-/api/spaces/kilo/delete",
                           json={"confirm": "kilo"}).status_code == 403
    assert leo.client.post("/-/api/spaces/kilo/delete",
                           json={"confirm": "kilo"}).status_code == 200
    # Gone: it answers as a space he may not see, the same as a name no space ever had.
    gone = leo.get("/kilo/data.json")
    assert gone.status_code == 403
    assert gone.json() == leo.get("/never-was/data.json").json()
