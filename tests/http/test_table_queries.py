"""Table query behaviours the conformance corpus does not pin: hostile filter values, ?_where=
and its permission, search input, facet errors, redirects and labels."""
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from almanac_server import AlmanacServer  # noqa: E402


def rows(response):
    assert response.status_code == 200, response.text
    return response.json()["rows"]


@pytest.mark.parametrize(
    "value",
    ["' or 1=1 --", '"; drop table facetable; --', "CA' union select * from sqlite_master --",
     "%", "\x00", "😀", "[1, 2"],
)
def test_hostile_filter_values_are_just_values(client, value):
    for op in ("exact", "not", "contains", "gt", "like", "glob", "date", "isnull"):
        response = client.get("/fixtures/facetable.json", params={f"state__{op}": value})
        assert response.status_code == 200, (op, response.text)
    response = client.get("/fixtures/facetable.json", params={"tags__arraycontains": value})
    assert response.status_code == 200, response.text
    assert rows(client.get("/fixtures/facetable.json", params={"state": value})) == []
    # The table is still there, unchanged.
    assert len(rows(client.get("/fixtures/facetable.json?_size=max"))) == 15


def test_hostile_column_names_match_nothing(client):
    for key in ['state" = state or "1', "state) or (1", "nope"]:
        response = client.get("/fixtures/facetable.json", params={f"{key}__exact": "CA"})
        assert rows(response) == [], key


def test_in_filter_takes_csv_or_a_json_list(client):
    by_csv = rows(client.get("/fixtures/facetable.json?pk__in=1,%202&_col=pk"))
    by_json = rows(client.get("/fixtures/facetable.json", params={"pk__in": "[1, 2]", "_col": "pk"}))
    assert [r["pk"] for r in by_csv] == [1, 2]
    assert by_json == by_csv
    for bad in ("[1, 2", '[[1], 2]', '[{"a": 1}]'):
        response = client.get("/fixtures/facetable.json", params={"pk__in": bad})
        assert response.status_code == 400, bad
        assert response.json()["ok"] is False


def test_where_fragment_filters_rows(client):
    response = client.get("/fixtures/facetable.json",
                          params={"_where": "pk > 12", "_col": "pk", "_extra": "query"})
    assert [r["pk"] for r in rows(response)] == [13, 14, 15]
    assert "(pk > 12)" in response.json()["query"]["sql"]


@pytest.mark.parametrize(
    "fragment",
    ["1) union select name, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 from sqlite_master --",
     "1) or (1", "1 --", "1 /*", "1; delete from facetable", "pk > ?", "pk = :p0", "'open"],
)
def test_where_fragment_cannot_escape_its_parentheses(client, fragment):
    response = client.get("/fixtures/facetable.json", params={"_where": fragment})
    assert response.status_code == 400, response.text
    assert response.json()["ok"] is False


def test_where_fragment_cannot_call_unsafe_functions(client):
    response = client.get("/fixtures/facetable.json",
                          params={"_where": "load_extension('/tmp/x.so') is null"})
    assert response.status_code == 400
    assert "load_extension" in response.json()["error"] or (
        response.json()["error"] == "Statement must be a SELECT")


def test_where_needs_execute_sql(fixtures_dir):
    args = ["fixtures.db", "--setting", "default_allow_sql", "off"]
    with AlmanacServer(args, cwd=fixtures_dir) as server:
        response = httpx.get(server.url + "/fixtures/facetable.json", params={"_where": "1"})
        assert response.status_code == 403
        assert response.json()["error"] == "_where= is not allowed"
        # Without _where the table is still readable.
        assert httpx.get(server.url + "/fixtures/facetable.json").status_code == 200


def test_search_input_is_escaped_unless_raw(client):
    # FTS operators in the text are searched for literally (a lone '"' leaves nothing to
    # search for, and FTS5 rejects the empty query, as it does under Datasette).
    for text in ["dog OR", "NEAR(", "*", "te* AND", "(((", "'", 'a"b']:
        response = client.get("/fixtures/searchable.json", params={"_search": text})
        assert response.status_code == 200, (text, response.text)
    raw = client.get("/fixtures/searchable.json", params={"_search": "dog OR", "_searchmode": "raw"})
    assert raw.status_code == 400


def test_search_by_unknown_column_is_a_400(client):
    response = client.get("/fixtures/searchable.json", params={"_search_nope": "dog"})
    assert response.status_code == 400
    assert response.json()["error"] == "Cannot search by that column"


def test_through_filters_by_a_linked_table(client):
    through = '{"table": "roadside_attraction_characteristics", "column": "characteristic_id", "value": "1"}'
    response = client.get("/fixtures/roadside_attractions.json",
                          params={"_through": through, "_extra": "human_description_en"})
    data = response.json()
    assert [r["pk"] for r in rows(response)] == [3, 4]
    assert data["human_description_en"] == (
        'where roadside_attraction_characteristics.characteristic_id = "1"')
    bad = client.get("/fixtures/roadside_attractions.json",
                     params={"_through": '{"table": "facetable", "column": "pk", "value": 1}'})
    assert bad.status_code == 400


def test_facet_on_unknown_column_is_a_400(client):
    response = client.get("/fixtures/facetable.json?_facet=nope")
    assert response.status_code == 400
    assert "nope" in response.json()["error"]


def test_facet_size_max_and_selected_toggle(client):
    data = client.get("/fixtures/facetable.json?_facet=_neighborhood&_facet_size=max&_size=0").json()
    facet = data["facet_results"]["results"]["_neighborhood"]
    assert facet["truncated"] is False
    assert sum(v["count"] for v in facet["results"]) == 15
    chosen = client.get(facet["results"][0]["toggle_url"]).json()
    assert chosen["next"] is None


def test_filter_form_redirects_to_plain_filters(client):
    response = client.get("/fixtures/facetable.json?_filter_column_1=state&_filter_op_1=exact"
                          "&_filter_value_1=CA&_filter_column_2=pk&_filter_op_2=gt__3"
                          "&_filter_value_2=", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/fixtures/facetable.json?state__exact=CA&pk__gt=3"
    sort = client.get("/fixtures/facetable.json?_sort=pk&_sort_by_desc=1", follow_redirects=False)
    assert sort.headers["location"] == "/fixtures/facetable.json?_sort_desc=pk"


def test_sorting_by_a_hostile_name_is_refused(client):
    response = client.get("/fixtures/facetable.json", params={"_sort": "pk; drop table x"})
    assert response.status_code == 400


def test_keyset_pages_cover_every_row_once(client):
    seen = []
    url = "/fixtures/sortable.json?_sort=sortable_with_nulls&_size=7"
    while url:
        data = client.get(url).json()
        seen.extend((r["pk1"], r["pk2"]) for r in data["rows"])
        url = data["next_url"]
    assert len(seen) == len(set(seen)) == 201


def test_label_expansion_can_be_turned_off_and_is_bounded_to_fk_columns(client):
    data = client.get("/fixtures/facetable.json?_label=state&_label=_city_id&_size=1").json()
    assert data["rows"][0]["_city_id"] == {"value": 1, "label": "San Francisco"}
    assert data["rows"][0]["state"] == "CA"
    plain = client.get("/fixtures/facetable.json?_labels=off&_size=1").json()
    assert plain["rows"][0]["_city_id"] == 1


def test_unknown_extra_is_a_400_but_html_ignores_it(client):
    assert client.get("/fixtures/facetable.json?_extra=nope").status_code == 400
    assert client.get("/fixtures/facetable?_extra=nope").status_code == 200
