"""base_url: serving under a path prefix (behind a proxy, or as a space of the hosting mode).

The crawl starts at /prefix/ and follows every link an HTML page gives (href, src, form
action), every URL field of the pages' JSON twins, and every Link and Location header; each
one must stay under the prefix. Requests under the prefix are routed with it stripped."""
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

PREFIX = "/prefix/"
MAX_PAGES = 400
# Links the fixtures' metadata writes itself (description_html): the author's, not Almanac's.
AUTHORS_LINKS = {"/login-as-root"}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is not None and (name in ("href", "src") or (tag == "form" and name == "action")):
                self.links.append(value)


def json_urls(value):
    """Strings in a JSON document that look like URLs or paths of this instance."""
    if isinstance(value, dict):
        for v in value.values():
            yield from json_urls(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_urls(v)
    elif isinstance(value, str) and (value.startswith("/") or value.startswith("http://")):
        if " " not in value:
            yield value


def header_links(response):
    out = []
    for value in response.headers.get_list("link"):
        out += re.findall(r"<([^>]+)>", value)
    if "location" in response.headers:
        out.append(response.headers["location"])
    return out


@pytest.fixture(scope="module")
def prefixed(fixtures_dir):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
    from almanac_server import AlmanacServer
    args = ["fixtures.db", "extra database.db", "-c", "fixtures-config.json",
            "-m", "fixtures-metadata.json", "--secret", "test-secret",
            "--setting", "base_url", PREFIX, "--root"]
    with AlmanacServer(args, cwd=fixtures_dir) as running:
        yield running


def origin(server):
    return f"http://127.0.0.1:{server.port}"


def test_the_printed_url_has_the_prefix(prefixed):
    assert prefixed.url == origin(prefixed) + PREFIX


def test_pages_under_the_prefix_are_routed_without_it(prefixed):
    with httpx.Client(base_url=origin(prefixed), timeout=10) as c:
        assert c.get(PREFIX + "fixtures/facetable.json?_size=1").json()["rows"]
        index = c.get(PREFIX + ".json").json()
        paths = {d["name"]: d["path"] for d in index["databases"]}
        assert paths["fixtures"] == PREFIX + "fixtures"
        # A redirect stays under the prefix.
        r = c.get(PREFIX + "-")
        assert r.status_code == 301 and r.headers["location"] == PREFIX + "-/"
        r = c.get(PREFIX + "fixtures?sql=select+1")
        assert r.headers["location"].startswith(PREFIX + "fixtures/-/query")


def test_crawl_finds_no_link_that_escapes_the_prefix(prefixed):
    base = origin(prefixed)
    # Signed in as root, so that the write forms and their links are on the pages too.
    login = next(line.strip() for line in prefixed.output if "/-/auth-token?token=" in line)
    escaped = []
    seen = set()
    queue = [PREFIX, PREFIX + "fixtures/facetable?_facet=state&_size=5",
             PREFIX + "fixtures/compound_three_primary_keys?_size=2",
             PREFIX + "fixtures/-/query?sql=select+*+from+facetable+limit+2"]
    with httpx.Client(base_url=base, timeout=10, follow_redirects=False) as c:
        r = c.get(login.replace(base, ""))
        assert r.status_code == 302 and r.headers["location"] == PREFIX
        while queue and len(seen) < MAX_PAGES:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            r = c.get(path)
            assert r.status_code < 500, path
            found = header_links(r)
            kind = r.headers.get("content-type", "")
            if kind.startswith("text/html"):
                parser = Links()
                parser.feed(r.text)
                found += parser.links
            elif kind.startswith("application/json"):
                try:
                    found += list(json_urls(r.json()))
                except json.JSONDecodeError:
                    pass
            for link in found:
                url = urljoin(base + path, link)
                parts = urlsplit(url)
                if f"{parts.scheme}://{parts.netloc}" != base:
                    continue  # another site (a license link, a CDN)
                if link in AUTHORS_LINKS:
                    continue
                if not parts.path.startswith(PREFIX):
                    escaped.append((path, link))
                    continue
                target = parts.path + ("?" + parts.query if parts.query else "")
                # Stay on pages that only read; logging out would end the crawl's session.
                if "/-/logout" not in target and target not in seen:
                    queue.append(target)
    assert len(seen) > 100, "the crawl should reach a good part of the instance"
    assert sorted(set(link for _, link in escaped)) == []
