"""A space's admins make a table public or private from the table page itself (issue 17): the
worker renders the form (from the space's policy, for admins only), the front door answers it
(it alone writes the policy), checks who sent it and from where, audit-logs it and sends the
browser back to the table page — without JavaScript."""
import re

import httpx

from conftest import wait_for
from test_accounts import Browser, audit_actions


def toggle_form(html):
    """The (action, public value, label) of the table page's public toggle, or None."""
    match = re.search(r'<form method="post" action="([^"]+)" class="menu-form">'
                      r'<input type="hidden" name="public" value="([01])">'
                      r'<button type="submit" class="button-link">([^<]+)</button>', html)
    return match.groups() if match else None


def test_admins_toggle_a_table_public_from_its_page(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    ivan, judy = Browser(cloud), Browser(cloud)
    ivan.sign_up("ivan")
    judy.sign_up("judy")
    ivan.create_space("india")
    for table in ("open", "secret"):
        assert ivan.client.post("/india/data/-/create", json={
            "table": table, "pk": "id", "rows": [{"id": 1}]}).status_code == 201
    code = ivan.client.post("/-/api/spaces/india/invitations", json={"role": "member"}).json()["code"]
    assert judy.client.post(f"/-/api/invite/{code}", json={}).status_code == 200
    anonymous = httpx.Client(base_url=cloud.url, timeout=60)

    page = ivan.get("/india/data/open")
    assert page.status_code == 200
    assert toggle_form(page.text) == ("/india/data/open/-/public", "1", "Make this table public")
    assert "This table is public" not in page.text
    etag = page.headers["etag"]
    # A member (who may write rows but not drop tables) gets no such form, and may not post it.
    assert toggle_form(judy.get("/india/data/open").text) is None
    refused = judy.client.post("/india/data/open/-/public", data={"public": "1"})
    assert refused.status_code == 403, refused.text
    # Nor may a form posted from another site with the admin's cookie.
    cross_site = ivan.client.post("/india/data/open/-/public", data={"public": "1"},
                                  headers={"Origin": "http://evil.example",
                                           "Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403, cross_site.text
    assert anonymous.get("/india/data/open.json").status_code == 401

    # The admin's form: back to the table page, which the world can now see.
    made = ivan.client.post("/india/data/open/-/public", data={"public": "1"},
                            headers={"Origin": cloud.url, "Sec-Fetch-Site": "same-origin"})
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/india/data/open"
    wait_for(lambda: anonymous.get("/india/data/open.json").status_code == 200,
             what="the table to be public")
    assert anonymous.get("/india/data/secret.json").status_code == 404
    assert ivan.get("/-/api/spaces/india/public").json()["public_tables"] == [
        {"database": "data", "table": "open"}]
    # The page says so (not a stale copy: its ETag changed with the policy) and offers the way back.
    page = ivan.get("/india/data/open", headers={"If-None-Match": etag})
    assert page.status_code == 200
    assert "This table is public" in page.text
    assert toggle_form(page.text) == ("/india/data/open/-/public", "0", "Make this table private")
    assert "This table is public" in judy.get("/india/data/open").text

    made = ivan.client.post("/india/data/open/-/public", data={"public": "0"})
    assert made.status_code == 303, made.text
    wait_for(lambda: anonymous.get("/india/data/open.json").status_code == 401,
             what="the table to be private")
    assert audit_actions(ivan, "india")[:2] == ["table-private", "table-public"]
    entry = ivan.get("/-/api/spaces/india/audit").json()["entries"][0]
    assert entry["actor"] == "ivan"


def test_the_toggle_is_only_a_form_post_for_an_existing_name(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    ivan = Browser(cloud)
    ivan.sign_up("ivan")
    ivan.create_space("india")
    assert ivan.client.get("/india/data/open/-/public").status_code == 405
    bad = ivan.client.post("/india/data/open/-/public", data={"public": "yes"})
    assert bad.status_code == 400, bad.text
    assert ivan.get("/-/api/spaces/india/public").json()["public_tables"] == []


def test_a_whole_database_public_with_or_without_sql(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    ivan = Browser(cloud)
    ivan.sign_up("ivan")
    ivan.create_space("india")
    for table in ("open", "other"):
        assert ivan.client.post("/india/data/-/create", json={
            "table": table, "pk": "id", "rows": [{"id": 1}]}).status_code == 201
    anonymous = httpx.Client(base_url=cloud.url, timeout=60)
    sql = {"sql": "select count(*) as n from other"}
    # SQL reads every table of its database: only a public database may allow it.
    refused = ivan.client.post("/-/api/spaces/india/public", json={
        "database": "data", "table": "open", "public": True, "sql": True})
    assert refused.status_code == 400, refused.text

    made = ivan.client.post("/-/api/spaces/india/public", json={"database": "data", "public": True})
    assert made.status_code == 200, made.text
    assert made.json()["sql"] is False
    wait_for(lambda: anonymous.get("/india/data/other.json").status_code == 200,
             what="the database to be public")
    assert [t["name"] for t in anonymous.get("/india/data.json").json()["tables"]] == [
        "open", "other"]
    assert anonymous.get("/india/data/-/query.json", params=sql).status_code == 403
    assert anonymous.get("/india/.json").status_code == 403  # the instance stays private
    assert anonymous.post("/india/data/other/-/insert", json={"row": {"id": 2}}).status_code == 401

    made = ivan.client.post("/-/api/spaces/india/public", json={
        "database": "data", "public": True, "sql": True})
    assert made.status_code == 200, made.text
    answer = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(
        anonymous.get("/india/data/-/query.json", params={**sql, "_shape": "array"})),
        what="SQL to be allowed")
    assert answer.json() == [{"n": 1}]
    # Read-only all the same.
    write = anonymous.get("/india/data/-/query.json", params={"sql": "delete from other"})
    assert write.status_code in (400, 403), write.text
    listed = ivan.get("/-/api/spaces/india/public").json()
    assert listed["public_databases"] == [{"database": "data", "sql": True}]
    page = ivan.get("/-/spaces/india/public").text
    assert "data</a> (with SQL)" in page

    assert ivan.client.post("/-/api/spaces/india/public", json={
        "database": "data", "public": False}).status_code == 200
    wait_for(lambda: anonymous.get("/india/data/other.json").status_code == 401,
             what="the database to be private")
    assert ivan.get("/-/api/spaces/india/public").json()["public_databases"] == []
    assert audit_actions(ivan, "india")[:3] == [
        "database-private", "database-public", "database-public"]
