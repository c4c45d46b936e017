"""The hostile-tenant suite (issue 17): Mallory, an admin of space `attic` (so she may write and
run any SQL, read-only and execute-write), tries to get at space `vault` (Victor's) and at
control.db, through real processes:

- SQL: ATTACH (absolute and relative paths, file: URIs), VACUUM INTO, load_extension(),
  dangerous pragmas, readfile()/writefile(), through `?sql=` and `/-/execute-write`. The front
  door runs unsandboxed here (--no-sandbox) so that the SQL checks are the only defence being
  tested (the sandbox beneath them is proven by test_sandbox.py); and every attack is shown to
  work, on copies of the same files, when nothing checks it.
- credentials: her token and her session on vault, vault's name guessed, a signed-out session
  and a revoked token replayed, forms and writes from another site.
- resource abuse in attic (runaway recursive SQL, huge blobs, many slow queries at once, the
  disk quota filled) while Victor writes to vault: the front door and vault keep answering and
  no acknowledged write is lost."""
import os
import re
import shutil
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conftest import Cloud

SECRET = "vault-secret-5e1f0c"
PASSWORD = "correct horse battery"


def sign_up(cloud, name, invitation=None):
    client = httpx.Client(base_url=cloud.url, timeout=60)
    body = {"name": name, "password": PASSWORD}
    if invitation:
        body["invitation"] = invitation
    made = client.post("/-/api/signup", json=body)
    assert made.status_code == 201, made.text
    return client


def bearer(cloud, token):
    return httpx.Client(base_url=cloud.url, timeout=60,
                        headers={"Authorization": f"Bearer {token}"})


class World:
    pass


@pytest.fixture(scope="module")
def world():
    data = Path(tempfile.mkdtemp(prefix="almh-", dir="/tmp"))
    os.chmod(data, 0o711)
    outside = Path(tempfile.mkdtemp(prefix="almh-outside-", dir="/tmp"))
    cloud = Cloud(data, ["--no-sandbox", "--pool", "0", "--space-quota-mb", "4",
                         "--write-time-limit", "2"]).start()
    w = World()
    w.cloud, w.data, w.outside = cloud, data, outside
    try:
        w.victor = sign_up(cloud, "victor")
        assert w.victor.post("/-/api/spaces", json={"name": "vault"}).status_code == 201
        assert w.victor.post("/-/api/spaces", json={"name": "ghost"}).status_code == 201
        made = w.victor.post("/vault/data/-/create", json={
            "table": "secrets", "pk": "id", "rows": [{"id": 1, "body": SECRET}]})
        assert made.status_code == 201, made.text
        w.alice = sign_up(cloud, "alice")
        assert w.alice.post("/-/api/spaces", json={"name": "attic"}).status_code == 201
        code = w.alice.post("/-/api/spaces/attic/invitations", json={"role": "admin"}).json()["code"]
        w.mallory = sign_up(cloud, "mallory", invitation=code)
        made = w.mallory.post("/-/api/spaces/attic/tokens", json={"name": "m", "expires_after": 3600})
        assert made.status_code == 201, made.text
        w.token = made.json()["token"]
        made = w.mallory.post("/attic/data/-/create", json={
            "table": "loot", "pk": "id", "rows": [{"id": 1, "body": "mine"}]})
        assert made.status_code == 201, made.text
        made = w.mallory.post("/attic/data/-/create", json={
            "table": "spin", "rows": [{"v": str(i)} for i in range(30)]})
        assert made.status_code == 201, made.text
        yield w
    finally:
        cloud.stop()
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(outside, ignore_errors=True)


# --- SQL -----------------------------------------------------------------------------------

# (name, SQL); {vault} is vault's database, {control} control.db, {out} a directory outside
# every space, {ext} a loadable SQLite extension. Relative paths are from attic's directory.
READ_ONLY_ATTACKS = [
    ("attach vault", "ATTACH DATABASE '{vault}' AS b"),
    ("attach control.db", "ATTACH DATABASE '{control}' AS c"),
    ("attach vault, relative", "ATTACH '../vault/data.db' AS b"),
    ("attach control.db, relative", "ATTACH '../../control.db' AS c"),
    ("attach vault, file: URI", "ATTACH 'file:{vault}?mode=ro' AS b"),
    ("attach vault, relative file: URI", "ATTACH 'file:../vault/data.db?mode=ro' AS b"),
    ("attach control.db, file: URI", "ATTACH 'file://{control}' AS c"),
    ("vacuum into outside", "VACUUM INTO '{out}/copy.db'"),
    ("vacuum into vault", "VACUUM INTO '{vault_dir}/planted.db'"),
    ("load_extension", "SELECT load_extension('{ext}')"),
    ("writable_schema", "PRAGMA writable_schema = 1"),
    ("journal_mode", "PRAGMA journal_mode = delete"),
    ("temp_store_directory", "PRAGMA temp_store_directory = '{out}'"),
    ("readfile", "SELECT readfile('{vault}')"),
    ("writefile", "SELECT writefile('{out}/planted.txt', 'x')"),
    ("attach after a select", "SELECT 1; ATTACH '{vault}' AS b"),
]
# Execute-write needs a write in the statement: the functions ride in an INSERT.
WRITE_ATTACKS = [(name, sql) for name, sql in READ_ONLY_ATTACKS if not sql.startswith("SELECT")] + [
    ("load_extension in an insert", "INSERT INTO loot (body) SELECT load_extension('{ext}')"),
    ("readfile in an insert", "INSERT INTO loot (body) SELECT readfile('{vault}')"),
    ("writefile in an insert", "INSERT INTO loot (body) SELECT writefile('{out}/planted.txt', 'x')"),
]


def extension():
    found = os.environ.get("ALMANAC_TEST_EXTENSION")
    if found:
        return found
    return str(Path(__file__).resolve().parents[2] / "build" / "tests" / "libalm_test_extension.so")


def fill(sql, data, outside):
    return sql.format(vault=data / "spaces" / "vault" / "data.db", control=data / "control.db",
                      vault_dir=data / "spaces" / "vault", out=outside, ext=extension())


def fingerprint(directory):
    """Every file beneath `directory` with its size and modification time."""
    found = {}
    for root, _, files in os.walk(directory):
        for name in files:
            path = Path(root) / name
            try:
                st = path.stat()
            except OSError:
                continue
            found[str(path.relative_to(directory))] = (st.st_size, st.st_mtime_ns)
    return found


def refused(response):
    assert response.status_code in (400, 403), (response.status_code, response.text)
    assert response.json()["ok"] is False
    assert SECRET not in response.text and "argon2" not in response.text


@pytest.mark.parametrize("name,sql", READ_ONLY_ATTACKS, ids=[a[0] for a in READ_ONLY_ATTACKS])
def test_read_only_sql_reaches_nothing_outside_its_space(world, name, sql):
    vault_before = fingerprint(world.data / "spaces" / "vault")
    with bearer(world.cloud, world.token) as c:
        refused(c.get("/attic/data/-/query.json", params={"sql": fill(sql, world.data,
                                                                      world.outside)}))
    # The admin's session too (the same worker, another way in).
    refused(world.mallory.get("/attic/data/-/query.json",
                              params={"sql": fill(sql, world.data, world.outside)}))
    assert os.listdir(world.outside) == []
    assert fingerprint(world.data / "spaces" / "vault") == vault_before


@pytest.mark.parametrize("name,sql", WRITE_ATTACKS, ids=[a[0] for a in WRITE_ATTACKS])
def test_execute_write_reaches_nothing_outside_its_space(world, name, sql):
    vault_before = fingerprint(world.data / "spaces" / "vault")
    with bearer(world.cloud, world.token) as c:
        r = c.post("/attic/data/-/execute-write", json={"sql": fill(sql, world.data,
                                                                    world.outside)})
        refused(r)
    assert os.listdir(world.outside) == []
    assert fingerprint(world.data / "spaces" / "vault") == vault_before


def test_admin_may_execute_write_in_its_own_space(world):
    # The refusals above are of the attacks, not of execute-write: the same admin writes here.
    with bearer(world.cloud, world.token) as c:
        r = c.post("/attic/data/-/execute-write",
                   json={"sql": "INSERT INTO loot (body) VALUES ('by sql')"})
        assert r.status_code == 200, r.text
        assert c.get("/attic/data/-/query.json", params={
            "sql": "select count(*) from loot where body = 'by sql'", "_shape": "arrays"}
        ).json()["rows"] == [[1]]


def test_the_attacks_work_when_nothing_checks_them(world, tmp_path):
    """The same statements, run by Python's sqlite3 on copies of the same files laid out the
    same way (from attic's directory), read vault and control.db and write outside: so the
    refusals above are the checks' doing, not broken attacks."""
    data = tmp_path / "d"
    for space in ("attic", "vault"):
        (data / "spaces" / space).mkdir(parents=True)
        with sqlite3.connect(world.data / "spaces" / space / "data.db") as source, \
                sqlite3.connect(data / "spaces" / space / "data.db") as copy:
            source.backup(copy)
    with sqlite3.connect(world.data / "control.db") as source, \
            sqlite3.connect(data / "control.db") as copy:
        source.backup(copy)
    outside = tmp_path / "out"
    outside.mkdir()
    cwd = os.getcwd()
    os.chdir(data / "spaces" / "attic")
    try:
        worked = set()
        for name, sql in READ_ONLY_ATTACKS + WRITE_ATTACKS:
            conn = sqlite3.connect("data.db")
            conn.enable_load_extension(True)
            ok = True
            try:
                for statement in fill(sql, data, outside).split(";"):
                    conn.execute(statement)
                conn.commit()
            except sqlite3.Error:
                ok = False
            databases = [row[1] for row in conn.execute("PRAGMA database_list")]
            if ok and "b" in databases:
                ok = conn.execute("select body from b.secrets").fetchone() == (SECRET,)
            if ok and "c" in databases:
                ok = conn.execute("select count(*) from c.accounts").fetchone()[0] >= 3
            conn.close()
            if ok:
                worked.add(name)
    finally:
        os.chdir(cwd)
    # readfile()/writefile() are not in Python's SQLite either (nor in Almanac's): those and
    # what only fails for want of them are not attacks that "work" anywhere.
    missing_functions = {"readfile", "writefile", "readfile in an insert",
                         "writefile in an insert"}
    expected = {name for name, _ in READ_ONLY_ATTACKS + WRITE_ATTACKS} - missing_functions
    assert expected <= worked, expected - worked
    assert (outside / "copy.db").exists() and (data / "spaces" / "vault" / "planted.db").exists()


# --- credentials ---------------------------------------------------------------------------

def answer(response):
    return response.status_code, response.json()


def test_one_space_s_credentials_open_nothing_in_another(world):
    cloud = world.cloud
    with bearer(cloud, world.token) as by_token:
        assert by_token.get("/attic/data/loot.json").status_code == 200  # the token works...
        on_vault = by_token.get("/vault/data/secrets.json")  # ...in its own space only
        assert on_vault.status_code == 401 and SECRET not in on_vault.text
        assert by_token.post("/vault/data/secrets/-/insert",
                             json={"row": {"id": 9, "body": "x"}}).status_code == 401
        # Vault's name guessed answers exactly as a space that does not exist.
        assert answer(on_vault) == answer(by_token.get("/no-such-space/data/secrets.json"))
    mallory = world.mallory
    assert mallory.get("/attic/data/loot.json").status_code == 200
    on_vault = mallory.get("/vault/data/secrets.json")
    assert on_vault.status_code == 403 and SECRET not in on_vault.text
    assert answer(on_vault) == answer(mallory.get("/no-such-space/data/secrets.json"))
    assert answer(mallory.get("/-/api/spaces/vault/members")) == answer(
        mallory.get("/-/api/spaces/no-such-space/members"))
    assert "vault" not in mallory.get("/-/api/spaces").text
    with httpx.Client(base_url=cloud.url, timeout=60) as anonymous:
        assert answer(anonymous.get("/ghost/data.json")) == answer(
            anonymous.get("/no-such-space/data.json"))
        # Nor does the device login (`dclient login`): it starts, and its code waits, alike.
        started, polled = {}, {}
        for space in ("vault", "no-such-space"):
            start = anonymous.post(f"/{space}/-/oauth/device", data={"scope": ""})
            assert start.status_code == 200, start.text
            started[space] = start.json()
            poll = anonymous.post(f"/{space}/-/oauth/token", data={
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "device_code": start.json()["device_code"]})
            assert poll.json()["error"] == "authorization_pending", poll.text
            polled[space] = answer(poll)
        assert started["vault"].keys() == started["no-such-space"].keys()
        assert polled["vault"] == polled["no-such-space"]
        verify = mallory.get("/vault/-/oauth/device/verify")
        elsewhere = mallory.get("/no-such-space/-/oauth/device/verify")
        assert verify.status_code == elsewhere.status_code == 403, verify.text
        assert verify.text.replace("vault", "no-such-space") == elsewhere.text
    # None of it woke vault's neighbour `ghost`, nor a worker for a space that does not exist.
    for _ in range(3):
        mallory.get("/ghost/data.json")
    assert cloud.starts("ghost") == 0
    assert cloud.serve_processes("ghost") == [] and cloud.serve_processes("no-such-space") == []


def test_a_signed_out_session_and_a_revoked_token_are_refused(world):
    cloud = world.cloud
    again = httpx.Client(base_url=cloud.url, timeout=60)
    assert again.post("/-/api/signin", json={"name": "mallory", "password": PASSWORD}
                      ).status_code == 200
    cookie = again.cookies["almanac_session"]
    assert again.get("/attic/data/loot.json").status_code == 200
    assert again.post("/-/api/signout", json={}).status_code == 200
    with httpx.Client(base_url=cloud.url, timeout=60,
                      cookies={"almanac_session": cookie}) as replay:
        assert replay.get("/attic/data/loot.json").status_code == 401
        assert replay.post("/attic/data/loot/-/insert",
                           json={"row": {"body": "replayed"}}).status_code == 401
        assert replay.get("/-/api/spaces").status_code == 401
    made = world.mallory.post("/-/api/spaces/attic/tokens", json={"name": "short",
                                                                  "expires_after": 3600})
    token, token_id = made.json()["token"], made.json()["id"]
    with bearer(cloud, token) as c:
        assert c.get("/attic/data/loot.json").status_code == 200
        assert world.mallory.post(f"/-/api/spaces/attic/tokens/{token_id}/revoke",
                                  json={}).status_code == 200
        assert c.get("/attic/data/loot.json").status_code == 401
        assert c.post("/attic/data/loot/-/insert",
                      json={"row": {"body": "revoked"}}).status_code == 401


def csrf_of(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


CROSS_SITE = [
    ("another site's Origin", {"Origin": "http://evil.example"}),
    ("a cross-site fetch", {"Sec-Fetch-Site": "cross-site"}),
    ("another site's Referer, no Origin", {"Referer": "http://evil.example/form.html"}),
    ("no Origin at all", {}),
]


@pytest.mark.parametrize("why,headers", CROSS_SITE, ids=[c[0] for c in CROSS_SITE])
def test_a_form_from_another_site_is_refused_on_the_account_pages(world, why, headers):
    # Another site's form cannot read the page's CSRF token; it may send its own visitor's.
    for fields in ({"name": "x-" + str(len(why))},
                   {"name": "x-" + str(len(why)), "csrf": csrf_of(world.victor.get("/-/spaces").text)}):
        r = world.mallory.post("/-/spaces", data=fields, headers=headers)
        assert r.status_code == 403, (why, r.text)
    r = world.mallory.post("/-/spaces/attic/invitations", data={"role": "admin"}, headers=headers)
    assert r.status_code == 403, r.text
    # The same form from this site, with its token, is accepted (the refusals are the checks').
    page = world.mallory.get("/-/spaces/attic/members")
    ok = world.mallory.post("/-/spaces/attic/invitations",
                            data={"role": "viewer", "csrf": csrf_of(page.text)})
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("why,headers", CROSS_SITE[:3], ids=[c[0] for c in CROSS_SITE[:3]])
def test_a_write_from_another_site_with_the_session_is_refused(world, why, headers):
    # A cross-site form can send a JSON-looking body as text/plain; the worker reads JSON
    # whatever the Content-Type, so the front door's same-origin check is what stops it.
    marker = "forged-" + "-".join(headers)
    body = '{"row": {"body": "%s"}}' % marker
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        r = world.mallory.post("/attic/data/loot/-/insert", content=body,
                               headers={"Content-Type": content_type, **headers})
        assert r.status_code == 403, (why, r.text)
    rows = world.mallory.get("/attic/data/-/query.json", params={
        "sql": "select count(*) from loot where body = :m", "m": marker, "_shape": "arrays"})
    assert rows.json()["rows"] == [[0]]
    # From this site it is written.
    ok = world.mallory.post("/attic/data/loot/-/insert", content=body,
                            headers={"Content-Type": "text/plain",
                                     "Origin": world.cloud.url, "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 201, ok.text


# --- resource abuse ------------------------------------------------------------------------

RUNAWAY = ("with recursive c(x) as (select 1 union all select x + 1 from c) "
           "select count(*) from c")
# 30^8 rows joined: a write that would run for days (execute-write refuses recursive CTEs).
RUNAWAY_WRITE = ("insert into loot (body) select max(a.v || b.v || c.v || d.v || e.v || f.v || g.v "
                 "|| h.v) from spin a, spin b, spin c, spin d, spin e, spin f, spin g, spin h")


def test_abuse_in_one_space_leaves_the_others_answering_and_loses_no_write(world):
    cloud = world.cloud
    with bearer(cloud, world.token) as c:
        # One at a time, each abuse is refused with a reason, not a dead worker.
        slow = c.get("/attic/data/-/query.json", params={"sql": RUNAWAY})
        assert slow.status_code == 400 and "time limit" in slow.json()["error"].lower(), slow.text
        # A runaway write is stopped too, and the space's writer is free again after it.
        slow = c.post("/attic/data/-/execute-write", json={"sql": RUNAWAY_WRITE})
        assert slow.status_code == 400 and "time limit" in slow.json()["error"].lower(), slow.text
        assert c.post("/attic/data/loot/-/insert",
                      json={"row": {"body": "after"}}).status_code == 201
        huge = c.get("/attic/data/-/query.json",
                     params={"sql": "select length(randomblob(2000000000))"})
        assert huge.status_code == 400 and huge.json()["ok"] is False, huge.text

    acknowledged = {"attic": [], "vault": []}

    def abuse(kind):
        with bearer(cloud, world.token) as c:
            if kind == "runaway":
                return c.get("/attic/data/-/query.json", params={"sql": RUNAWAY}).status_code
            if kind == "blob":
                return c.get("/attic/data/-/query.json", params={
                    "sql": "select length(randomblob(2000000000))"}).status_code
            if kind == "runaway write":
                r = c.post("/attic/data/-/execute-write", json={"sql": RUNAWAY_WRITE})
                assert "time limit" in r.text, r.text
                return r.status_code
            # Fill the 4 MB quota: 1 MB rows until the space is full.
            for i in range(100, 120):
                r = c.post("/attic/data/loot/-/insert",
                           json={"row": {"id": i, "body": "x" * 1_000_000}})
                if r.status_code != 201:
                    return r.status_code
                acknowledged["attic"].append(i)
            return 201

    with ThreadPoolExecutor(12) as pool:
        kinds = ["runaway"] * 6 + ["blob"] * 3 + ["runaway write", "fill"]
        futures = [pool.submit(abuse, kind) for kind in kinds]
        # Meanwhile the front door answers and Victor's writes go through, every one.
        with httpx.Client(base_url=cloud.url, timeout=60) as door:
            for i in range(100, 130):
                assert door.get("/").status_code == 200
                r = world.victor.post("/vault/data/secrets/-/insert",
                                      json={"row": {"id": i, "body": f"row {i}"}})
                assert r.status_code == 201, r.text
                acknowledged["vault"].append(i)
        results = dict(zip(kinds, (f.result() for f in futures)))
    assert results["runaway"] == 400 and results["blob"] == 400, results
    assert results["fill"] == 413, results  # the space is full, said so
    assert results["runaway write"] == 400, results  # stopped (--write-time-limit), rolled back
    # Every acknowledged write is there, in both spaces.
    stored = world.victor.get("/vault/data/-/query.json", params={
        "sql": "select id from secrets where id >= 100", "_shape": "arrays", "_size": "max"})
    assert [row[0] for row in stored.json()["rows"]] == acknowledged["vault"]
    with bearer(cloud, world.token) as c:
        stored = c.get("/attic/data/-/query.json", params={
            "sql": "select id, length(body) from loot where id >= 100", "_shape": "arrays"})
        assert stored.status_code == 200, stored.text
        assert [row[0] for row in stored.json()["rows"]] == acknowledged["attic"]
        assert acknowledged["attic"], "no row fitted before the quota"
        # And attic itself still answers.
        assert c.get("/attic/data/loot.json").status_code == 200
