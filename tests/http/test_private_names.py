"""A visitor who may view some tables of a database never learns the names of the others.

Hosting mode (`serve --space-policy FILE`, as `almanac cloud` starts a worker): an anonymous
visitor of a public table gets its pages, and every page it can reach says nothing of the
private tables — not in foreign-key lists, expandable columns, "links from other tables", table
definitions and schema pages, search and `_through` arguments, and a private table answers
exactly as a table that does not exist. Outside hosting mode the same pages hide the same
names, and a private table keeps Datasette's 403."""
import json
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer  # noqa: E402

# Every private name starts with "zz", so one search of a body finds any of them.
SCHEMA = """
create table zzpriv (id integer primary key, zzsecretcol text);
insert into zzpriv values (1, 'ZZLABEL');
create table shown (id integer primary key, name text, hid integer references zzpriv(id));
insert into shown values (1, 'apple', 1), (2, 'banana', 1);
create table zzrefs (id integer primary key, sid integer references shown(id));
insert into zzrefs values (1, 1);
create table also (id integer primary key, sid integer references shown(id));
insert into also values (1, 1), (2, 1);
create virtual table shown_fts using fts5(name, content='shown', content_rowid='id');
insert into shown_fts(shown_fts) values ('rebuild');
create view zzview as select * from zzpriv;
create view shown_view as select id, name from shown;
create view leaky_view as select s.id from shown s where exists (select 1 from zzpriv z where z.id = s.hid);
"""
PUBLIC = ["shown", "also", "shown_view", "leaky_view"]

# Pages an anonymous visitor may reach, with what each must answer.
VISIBLE_PAGES = [
    "/data/shown", "/data/shown.json", "/data/shown.csv", "/data/shown?_labels=on",
    "/data/shown.json?_labels=on", "/data/shown.json?_facet=hid", "/data/shown?_facet=hid",
    "/data/shown.json?_extra=suggested_facets", "/data/shown/1", "/data/shown/1.json",
    "/data/shown/1.json?_extra=foreign_key_tables", "/data/shown?_search=apple",
    "/data/shown.json?_extra=expandable_columns", "/data/shown.json?_extra=table_definition",
    "/data/shown.json?_extra=columns,primary_keys,display_columns,renderers,debug",
    "/data/shown_view.json?_extra=view_definition", "/data/also", "/data/also/1",
    "/data/also.json?_extra=expandable_columns", "/data/also/-/schema.json",
    "/data/shown_view/-/schema.json", "/data/leaky_view.json",
    "/data/leaky_view.json?_extra=view_definition",
]


def make_db(directory):
    con = sqlite3.connect(directory / "data.db")
    con.executescript(SCHEMA)
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    work = tmp_path_factory.mktemp("hosted")
    make_db(work)
    policy = work / "policy.json"
    policy.write_text(json.dumps({"public_tables": [f"data/{t}" for t in PUBLIC]}))
    vault = sqlite3.connect(work / "zzvault.db")  # a database with nothing public in it
    vault.executescript("create table zzthings (id integer primary key); insert into zzthings values (1);")
    vault.close()
    with AlmanacServer(["data.db", "zzvault.db", "--space-policy", str(policy)],
                       cwd=work) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    """Outside hosting mode: the database is private, the public tables allowed one by one."""
    work = tmp_path_factory.mktemp("configured")
    make_db(work)
    config = {"databases": {"data": {"allow": False,
                                     "tables": {t: {"allow": True} for t in PUBLIC}}}}
    (work / "config.json").write_text(json.dumps(config))
    with AlmanacServer(["data.db", "-c", "config.json"], cwd=work) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client


def private_names(text):
    return sorted({word for word in text.replace('"', " ").split() if "zz" in word.lower()})


@pytest.mark.parametrize("path", VISIBLE_PAGES)
def test_pages_of_public_tables_never_name_a_private_one(hosted, configured, path):
    for client in (hosted, configured):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert "zz" not in r.text.lower(), (path, private_names(r.text))


def test_what_a_visitor_still_sees_of_the_public_relations(hosted):
    # The foreign keys between public tables stay: the row's incoming links from `also`.
    row = hosted.get("/data/shown/1.json?_extra=foreign_key_tables").json()
    assert [(t["other_table"], t["count"]) for t in row["foreign_key_tables"]] == [("also", 2)]
    # A public view that reads only public tables keeps its definition.
    view = hosted.get("/data/shown_view.json?_extra=view_definition").json()
    assert "select id, name from shown" in view["view_definition"]
    # The public table's search through its own (private) FTS index still works.
    found = hosted.get("/data/shown.json?_search=apple&_shape=array").json()
    assert [r["name"] for r in found] == ["apple"]


def test_definitions_naming_a_private_table_are_withheld(hosted, configured):
    table = hosted.get("/data/shown.json?_extra=table_definition").json()
    assert table["table_definition"] is None
    view = hosted.get("/data/leaky_view.json?_extra=view_definition").json()
    assert view["view_definition"] is None
    # The schema page of such a table answers as for a table that is not there...
    for path in ["/data/shown/-/schema.json", "/data/leaky_view/-/schema.json"]:
        r = hosted.get(path)
        assert (r.status_code, r.json()["error"]) == (404, "Table not found"), path
    # ...and outside hosting mode as Datasette refuses a table's schema (403).
    assert configured.get("/data/shown/-/schema.json").status_code == 403


def test_a_private_table_answers_as_an_absent_one_in_hosting_mode(hosted):
    for private, absent in [("/data/zzpriv.json", "/data/nosuch.json"),
                            ("/data/zzpriv", "/data/nosuch"),
                            ("/data/zzpriv/1.json", "/data/nosuch/1.json"),
                            ("/data/zzview.json", "/data/nosuch.json"),
                            ("/data/zzpriv.csv", "/data/nosuch.csv"),
                            ("/data/zzpriv/-/schema.json", "/data/nosuch/-/schema.json")]:
        seen, missing = hosted.get(private), hosted.get(absent)
        assert seen.status_code == missing.status_code == 404, (private, seen.status_code)
        if private.endswith(".json"):
            assert seen.json() == missing.json(), private


# Every page of a database (read or write, HTML or JSON), reached with GET.
DATABASE_PAGES = ["", ".json", "/-/upload", "/-/query?sql=select+1", "/-/query.json?sql=select+1",
                  "/zzthings.json", "/zzthings/1.json", "/-/schema.json", "/-/queries.json",
                  "/-/changes.json", "/-/links.json?target=zzthings/1", "/-/create", "/-/insert",
                  ".db", "/-/execute-write", "/nosuchtable.json", "/nosuchtable"]


@pytest.mark.parametrize("page", DATABASE_PAGES)
def test_a_private_database_answers_as_an_absent_one_in_hosting_mode(hosted, page):
    seen, missing = hosted.get("/zzvault" + page), hosted.get("/nosuch" + page)
    assert seen.status_code == missing.status_code, (page, seen.status_code, missing.status_code)
    assert seen.status_code != 200, page
    # The same answer, but for the name asked for (which a page may repeat).
    assert seen.text.replace("zzvault", "nosuch") == missing.text, page


def test_a_private_table_keeps_datasettes_403_outside_hosting_mode(configured):
    assert configured.get("/data/zzpriv.json").status_code == 403
    assert configured.get("/data/nosuch.json").status_code == 404


def test_url_arguments_cannot_reach_through_a_private_table(hosted, configured):
    through = quote(json.dumps({"table": "zzrefs", "column": "sid", "value": "1"}))
    absent = quote(json.dumps({"table": "nosuch", "column": "sid", "value": "1"}))
    for client in (hosted, configured):
        # _through a private table is refused as through a table that is not there: its rows
        # cannot be probed by filtering a public one.
        r, missing = client.get(f"/data/shown.json?_through={through}"), client.get(
            f"/data/shown.json?_through={absent}")
        assert r.status_code == missing.status_code == 400
        assert r.json()["error"] == missing.json()["error"]
        # A public link table still works.
        ok = client.get("/data/shown.json?_shape=array&_through=" + quote(json.dumps(
            {"table": "also", "column": "id", "value": "2"})))
        assert [row["id"] for row in ok.json()] == [1]
        # Naming a private table as the FTS index says what naming a missing one says.
        r = client.get("/data/shown.json?_fts_table=zzpriv&_search=x")
        missing = client.get("/data/shown.json?_fts_table=nosuch&_search=x")
        assert r.status_code == missing.status_code == 400
        assert r.json()["error"].replace("zzpriv", "X") == missing.json()["error"].replace(
            "nosuch", "X")


@pytest.fixture(scope="module")
def open_database(tmp_path_factory):
    """The database and most tables are open; the zz tables are not."""
    work = tmp_path_factory.mktemp("open")
    make_db(work)
    hidden = ["zzpriv", "zzrefs", "zzview", "shown_fts"]
    config = {"databases": {"data": {"tables": {t: {"allow": False} for t in hidden}}}}
    (work / "config.json").write_text(json.dumps(config))
    with AlmanacServer(["data.db", "-c", "config.json"], cwd=work) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client


@pytest.mark.parametrize("path", ["/data", "/data.json", "/", "/.json", "/-/databases.json",
                                  "/data.json?_sort=relationships", "/-/allowed.json?action=view-table"])
def test_database_and_instance_pages_list_only_what_may_be_viewed(open_database, path):
    r = open_database.get(path)
    assert r.status_code == 200, (path, r.status_code)
    assert "zz" not in r.text.lower(), (path, private_names(r.text))
    # The public relations are still listed.
    if path == "/data.json":
        shown = next(t for t in r.json()["tables"] if t["name"] == "shown")
        assert [fk["other_table"] for fk in shown["foreign_keys"]["incoming"]] == ["also"]
        assert shown["foreign_keys"]["outgoing"] == []
        assert shown["fts_table"] is None
