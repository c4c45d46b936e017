"""Every route of Datasette 1.0a37 (tests/compat/datasette_routes.txt, extracted from its
app.py `_routes()` by tests/compat/datasette_routes.py) is served by Almanac, or named in
docs/compat.md's "Datasette routes not served" list with the reason.

Served means: a request to an instance of the route (its captures filled with names that exist
in the fixtures) does not answer 404. A route that only takes POST is tried with a POST (a root
token, an empty JSON object), on a server of its own over copies of the databases."""
import re
from pathlib import Path

import httpx
import pytest

from almanac_server import copy_conformance_fixtures
from tokens import root_token

ROOT = Path(__file__).resolve().parents[2]
ROUTES = (ROOT / "tests" / "compat" / "datasette_routes.txt").read_text().split("\n")
ROUTES = [route for route in ROUTES if route]
SECRET = "routes-secret"

# A name that exists in the fixtures for each capture of Datasette's regexes.
SAMPLES = {"database": "fixtures", "table": "facetable", "query": "neighborhood_search",
           "pks": "1", "path": "app.css", "rest": ""}
FORMAT_GROUP = re.compile(r"\(\\\.\(\?P<format>([^)]*)\)\)\?")
NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def instances(regex):
    """The paths that instantiate `regex`: without its optional format, and with each format."""
    match = FORMAT_GROUP.search(regex)
    suffixes = [""]
    if match:
        suffixes += ["." + ("json" if f == r"\w+" else f) for f in match.group(1).split("|")]
    paths = []
    for suffix in suffixes:
        path = FORMAT_GROUP.sub(suffix, regex) if match else regex
        path = NAMED_GROUP.sub(lambda m: SAMPLES[m.group(1)], path)
        path = path.rstrip("$").replace("\\.", ".").replace("\\/", "/")
        assert re.fullmatch(regex.rstrip("$"), path), (regex, path)
        paths.append(path)
    return paths


def not_served_in_compat():
    """The routes docs/compat.md names as not served: `regex` at the start of a list item under
    the "Datasette routes not served" heading."""
    text = (ROOT / "docs" / "compat.md").read_text()
    section = text.split("## Datasette routes not served", 1)
    assert len(section) == 2, "docs/compat.md has no 'Datasette routes not served' section"
    body = section[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([^`]+)`", body, re.MULTILINE))


@pytest.fixture(scope="module")
def routes_server(tmp_path_factory, start_server):
    where = tmp_path_factory.mktemp("routes")
    copy_conformance_fixtures(where)
    return start_server("fixtures.db", "extra database.db", "-c", "fixtures-config.json",
                        "-m", "fixtures-metadata.json", "--secret", SECRET, cwd=where)


@pytest.fixture(scope="module")
def start_server(tmp_path_factory):
    # A module-scoped twin of conftest's start_server: one server for all the routes.
    from almanac_server import AlmanacServer
    started = []

    def start(*args, cwd):
        running = AlmanacServer(list(args), cwd=cwd).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def status_of(client, path):
    status = client.get(path).status_code
    if status == 405:  # a POST-only route: try it the way it is used
        token = root_token(SECRET)
        status = client.post(path, json={},
                             headers={"Authorization": f"Bearer {token}"}).status_code
    return status


def test_route_list_was_extracted():
    # The extraction found Datasette's whole table, not a fragment of it.
    assert len(ROUTES) >= 50
    assert ROUTES[0] == r"/(\.(?P<format>json))?$"
    assert r"/-/api$" in ROUTES


def test_compat_names_only_real_routes():
    stale = not_served_in_compat() - set(ROUTES)
    assert not stale, f"docs/compat.md names routes Datasette does not have: {stale}"


@pytest.mark.parametrize("regex", ROUTES)
def test_route_is_served_or_named_in_compat(routes_server, regex):
    not_served = not_served_in_compat()
    with httpx.Client(base_url=routes_server.url, timeout=10) as client:
        statuses = {path: status_of(client, path) for path in instances(regex)}
    missing = [path for path, status in statuses.items() if status == 404]
    if regex in not_served:
        assert missing, (f"{regex} is served now ({statuses}): remove it from docs/compat.md's "
                         "'Datasette routes not served'")
    else:
        assert not missing, f"{regex}: 404 for {missing}; serve it or name it in docs/compat.md"
