"""The owner renames a space (issue 17): its worker stops, its files, policy, members, tokens,
public tables and audit log follow the new name, the old address answers as a space that does
not exist, and the old name is free again."""
import httpx

from conftest import wait_for
from test_accounts import Browser, audit_actions


def test_the_owner_renames_a_space_and_everything_follows(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    alice, bob = Browser(cloud), Browser(cloud)
    alice.sign_up("alice")
    bob.sign_up("bob")
    alice.create_space("alpha")
    assert alice.client.post("/alpha/data/-/create", json={
        "table": "notes", "pk": "id", "rows": [{"id": 1, "body": "hi"}]}).status_code == 201
    code = alice.client.post("/-/api/spaces/alpha/invitations", json={"role": "viewer"}).json()["code"]
    assert bob.client.post(f"/-/api/invite/{code}", json={}).status_code == 200
    token = alice.client.post("/-/api/spaces/alpha/tokens", json={"name": "ci"}).json()["token"]
    assert alice.client.post("/-/api/spaces/alpha/public", json={
        "database": "data", "table": "notes", "public": True}).status_code == 200
    anonymous = httpx.Client(base_url=cloud.url, timeout=60)
    wait_for(lambda: anonymous.get("/alpha/data/notes.json").status_code == 200,
             what="the table to be public")
    [worker] = cloud.serve_processes("alpha")

    # Only the owner may rename, to a valid name that is free.
    assert bob.client.post("/-/api/spaces/alpha/rename", json={"name": "beta"}).status_code == 403
    bad = alice.client.post("/-/api/spaces/alpha/rename", json={"name": "Not Valid"})
    assert bad.status_code == 400, bad.text
    alice.create_space("taken")
    taken = alice.client.post("/-/api/spaces/alpha/rename", json={"name": "taken"})
    assert taken.status_code == 409, taken.text

    # The owner's form on the members page.
    renamed = alice.submit("/-/spaces/alpha/members", "/-/spaces/alpha/rename", {"name": "omega"})
    assert renamed.status_code == 303, renamed.text
    assert renamed.headers["location"] == "/-/spaces/omega/members"
    # The old worker (serving at /alpha/) is gone; the old address is a space that does not
    # exist, which answers as one the caller may not see (docs/cloud.md).
    wait_for(lambda: worker not in cloud.serve_processes(), what="the old worker to stop")
    for client in (alice, bob):
        assert client.get("/alpha/data/notes.json").status_code == 403
    assert anonymous.get("/alpha/data/notes.json").status_code == 401
    assert alice.get("/-/spaces/alpha/members").status_code == 404

    # Everything followed the new name: data, members and roles, tokens, public tables.
    assert alice.get("/omega/data/notes.json").json()["rows"] == [{"id": 1, "body": "hi"}]
    assert bob.get("/omega/data/notes.json").status_code == 200
    assert bob.client.post("/omega/data/notes/-/insert",
                           json={"row": {"id": 2, "body": "no"}}).status_code == 403
    with cloud.client(token) as scripted:
        assert scripted.get("/omega/data/notes.json").status_code == 200
        assert scripted.get("/alpha/data/notes.json").status_code == 401
    assert anonymous.get("/omega/data/notes.json").status_code == 200
    page = alice.get("/omega/data/notes")
    assert 'href="/omega/data/notes' in page.text  # the new worker links under the new name
    spaces = alice.get("/-/spaces").text
    assert "omega" in spaces and "alpha" not in spaces
    actions = audit_actions(alice, "omega")
    assert actions[0] == "space-rename" and "space-create" in actions
    entry = alice.get("/-/api/spaces/omega/audit").json()["entries"][0]
    assert entry["details"] == {"from": "alpha", "to": "omega"}

    # The old name is free again.
    alice.create_space("alpha")
    assert alice.get("/alpha/data.json").status_code == 200
    assert alice.get("/alpha/data/notes.json").status_code == 404


def test_deleting_a_space_stops_its_worker(start_cloud):
    cloud = start_cloud("--no-sandbox", "--pool", "0")
    alice = Browser(cloud)
    alice.sign_up("alice")
    alice.create_space("doomed")
    assert alice.get("/doomed/data.json").status_code == 200
    assert len(cloud.serve_processes("doomed")) == 1
    deleted = alice.client.post("/-/api/spaces/doomed/delete", json={"confirm": "doomed"})
    assert deleted.status_code == 200, deleted.text
    # Stopped at once, not left serving deleted files until its idle timeout.
    assert cloud.serve_processes("doomed") == []
    gone = alice.get("/doomed/data.json")  # as a space she may not see, or one never made
    assert gone.status_code == 403
    assert gone.json() == alice.get("/never-made/data.json").json()
