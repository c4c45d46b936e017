"""JSON details as Datasette 1.0a37 gives them: tilde-encoded `_shape=object` keys, the index's
`_sort=relationships`, `_extra=debug` URL variables, `_extra=query` parameters of a canned query,
the `hash` of immutable databases, `_extra=sorted_facet_results` in metadata order, and the
`Link: rel="next"` header on every paginated shape."""
import hashlib
import json
import shutil

import pytest


def test_shape_object_keys_are_tilde_encoded(client):
    r = client.get("/fixtures/compound_primary_key.json", params={"_shape": "object"})
    assert r.status_code == 200
    assert list(r.json()) == ["a,b", "a~2Fb,~2Ec-d", "d,e"]


def test_index_sort_relationships(client):
    default = client.get("/.json").json()["databases"]
    fixtures = next(d for d in default if d["name"] == "fixtures")
    assert all(t["num_relationships_for_sorting"] == 0
               for t in fixtures["tables_and_views_truncated"] if "count" in t)
    data = client.get("/.json", params={"_sort": "relationships"}).json()["databases"]
    fixtures = next(d for d in data if d["name"] == "fixtures")
    tables = [t for t in fixtures["tables_and_views_truncated"] if "count" in t]
    counts = [t["num_relationships_for_sorting"] for t in tables]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0


def test_extra_debug_url_vars(client):
    table = client.get("/fixtures/facetable.json", params={"_extra": "debug", "_size": 1}).json()
    assert table["debug"]["url_vars"] == {"database": "fixtures", "table": "facetable",
                                          "format": "json"}
    row = client.get("/fixtures/simple_primary_key/1.json", params={"_extra": "debug"}).json()
    assert row["debug"]["url_vars"] == {"database": "fixtures", "table": "simple_primary_key",
                                        "pks": "1", "format": "json"}
    # The values are the URL's, tilde-encoded as sent.
    other = client.get("/extra+database/-/query.json",
                       params={"sql": "select 1", "_extra": "debug"}).json()
    assert other["debug"]["url_vars"] == {"database": "extra+database", "format": "json"}


def test_extra_query_canned_parameters(start_server, tmp_path, fixtures_dir):
    config = {"databases": {"fixtures": {"queries": {
        "declared": {"sql": "select :a as a, :b as b, :_now_epoch as now", "params": ["b", "a"]},
        "derived": {"sql": "select :x as x, :_header_user_agent as ua"},
    }}}}
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    (tmp_path / "config.json").write_text(json.dumps(config))
    server = start_server("fixtures.db", "-c", "config.json", cwd=tmp_path)
    import httpx
    with httpx.Client(base_url=server.url) as c:
        declared = c.get("/fixtures/declared.json", params={"a": "1", "_extra": "query"}).json()
        assert declared["query"]["params"] == {"b": "", "a": "1"}
        derived = c.get("/fixtures/derived.json", params={"x": "9", "_extra": "query"}).json()
        assert derived["query"]["params"] == {"x": "9"}


def test_databases_hash_of_immutable_files(start_server, tmp_path, fixtures_dir):
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "frozen.db")
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "live.db")
    expected = hashlib.sha256((tmp_path / "frozen.db").read_bytes()).hexdigest()
    server = start_server("live.db", "-i", "frozen.db", cwd=tmp_path)
    import httpx
    with httpx.Client(base_url=server.url) as c:
        databases = {d["name"]: d for d in c.get("/-/databases.json").json()["databases"]}
        assert databases["frozen"]["hash"] == expected
        assert databases["live"]["hash"] is None
        index = {d["name"]: d for d in c.get("/.json").json()["databases"]}
        assert index["frozen"]["hash"] == expected
        assert index["live"]["hash"] is None


def test_sorted_facet_results_follow_metadata_order(start_server, tmp_path, fixtures_dir):
    metadata = {"databases": {"fixtures": {"tables": {"facetable": {
        "facets": ["planet_int", "state"]}}}}}
    shutil.copy(fixtures_dir / "fixtures.db", tmp_path / "fixtures.db")
    (tmp_path / "metadata.json").write_text(json.dumps(metadata))
    server = start_server("fixtures.db", "-m", "metadata.json", cwd=tmp_path)
    import httpx
    with httpx.Client(base_url=server.url) as c:
        data = c.get("/fixtures/facetable.json",
                     params={"_facet": "_city_id", "_extra": "sorted_facet_results"}).json()
        assert [f["name"] for f in data["sorted_facet_results"]] == [
            "planet_int", "state", "_city_id"]


@pytest.mark.parametrize("shape", ["objects", "arrays", "array", "object", "arrayfirst"])
def test_link_next_on_every_paginated_shape(client, shape):
    r = client.get("/fixtures/compound_three_primary_keys.json",
                   params={"_size": 2, "_shape": shape})
    assert r.status_code == 200
    assert r.headers["link"] == (
        f"<{client.base_url}/fixtures/compound_three_primary_keys.json?_size=2&_shape={shape}"
        "&_next=a%2Ca%2Cb>; rel=\"next\"")
