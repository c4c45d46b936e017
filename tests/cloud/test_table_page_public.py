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
    # A database (or a query of a database) the space does not have is refused, naming what it
    # has, rather than silently publishing nothing; so is taking back what is not public.
    for change in ({"database": "dta", "public": True},
                   {"database": "dta", "query": "by_year", "public": True},
                   {"database": "data", "public": False},
                   {"database": "data", "query": "by_year", "public": False}):
        missing = ivan.client.post("/-/api/spaces/india/public", json=change)
        assert missing.status_code == 404, (change, missing.text)
        assert missing.json()["ok"] is False
    assert "its databases: data" in ivan.client.post("/-/api/spaces/india/public", json={
        "database": "dta", "public": True}).json()["error"]
    assert ivan.get("/-/api/spaces/india/public").json()["public_databases"] == []

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


def test_the_space_s_own_canned_queries_public_one_by_one(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    ivan, judy = Browser(cloud), Browser(cloud)
    ivan.sign_up("ivan")
    judy.sign_up("judy")
    ivan.create_space("india")
    assert ivan.client.post("/india/data/-/create", json={
        "table": "open", "pk": "id", "rows": [{"id": 1}, {"id": 2}]}).status_code == 201
    code = ivan.client.post("/-/api/spaces/india/invitations", json={"role": "member"}).json()["code"]
    assert judy.client.post(f"/-/api/invite/{code}", json={}).status_code == 200
    anonymous = httpx.Client(base_url=cloud.url, timeout=60)
    api = "/-/api/spaces/india/queries"
    for bad, status in (({"database": "data", "name": "a b", "sql": "select 1"}, 400),
                        ({"database": "data", "name": "empty", "sql": " "}, 400),
                        ({"database": "dta", "name": "typo", "sql": "select 1"}, 404),
                        ({"database": "data", "name": "never", "delete": True}, 404)):
        refused = ivan.client.post(api, json=bad)
        assert refused.status_code == status, (bad, refused.text)
    # A member may not save one; an admin may.
    assert judy.client.post(api, json={"database": "data", "name": "x", "sql": "select 1"}
                            ).status_code == 403
    for name, sql, title in (("above", "select id from open where id > :min", "Rows above"),
                             ("counted", "select count(*) as n from open", "")):
        saved = ivan.client.post(api, json={"database": "data", "name": name, "sql": sql,
                                            "title": title})
        assert saved.status_code == 200, saved.text
    listed = judy.get(api).json()["queries"]
    assert [(q["name"], q["title"], q["public"]) for q in listed] == [
        ("above", "Rows above", False), ("counted", None, False)]
    # The worker serves them as canned queries: to members, with their parameters.
    above = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(
        judy.get("/india/data/above.json", params={"min": 1, "_shape": "array"})),
        what="the saved query to reach the worker")
    assert above.json() == [{"id": 2}]
    assert "Rows above" in judy.get("/india/data").text
    assert anonymous.get("/india/data/above.json").status_code == 401

    # Public one by one: the world may run `above`, and sees nothing else of the space.
    unsaved = ivan.client.post("/-/api/spaces/india/public", json={
        "database": "data", "query": "nosuch", "public": True})
    assert unsaved.status_code == 404, unsaved.text
    made = ivan.client.post("/-/api/spaces/india/public", json={
        "database": "data", "query": "above", "public": True})
    assert made.status_code == 200, made.text
    public = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(
        anonymous.get("/india/data/above.json", params={"min": 0, "_shape": "array"})),
        what="the query to be public")
    assert public.json() == [{"id": 1}, {"id": 2}]
    missing = anonymous.get("/india/data/nosuch.json")
    for hidden in ("/india/data/counted.json", "/india/data/open.json"):
        seen = anonymous.get(hidden)
        assert seen.status_code == 404 and seen.json() == missing.json(), hidden
    assert anonymous.get("/india/data/-/query.json", params={"sql": "select 1"}).status_code == 403
    # Read-only whatever its SQL says.
    assert ivan.client.post(api, json={"database": "data", "name": "counted",
                                       "sql": "delete from open"}).status_code == 200
    wait_for(lambda: judy.get("/india/data/counted.json").status_code != 200,
             what="the changed query to reach the worker")
    assert len(judy.get("/india/data/open.json").json()["rows"]) == 2

    # Deleting a query takes its public entry with it.
    assert ivan.client.post(api, json={"database": "data", "name": "above", "delete": True}
                            ).status_code == 200
    wait_for(lambda: anonymous.get("/india/data/above.json").status_code != 200,
             what="the deleted query to be gone")
    assert ivan.get("/-/api/spaces/india/public").json()["public_queries"] == []
    assert [q["name"] for q in ivan.get(api).json()["queries"]] == ["counted"]
    assert audit_actions(ivan, "india")[:4] == [
        "query-delete", "query-save", "query-public", "query-save"]
    page = ivan.get("/-/spaces/india/queries").text
    assert "Save a canned query" in page and "delete from open" in page
