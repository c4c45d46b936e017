"""`?_trace=1` with the trace_debug setting: the SQL a request ran, as Datasette adds it (a
`_trace` block in JSON objects, a <pre> at the end of HTML pages)."""
import json

import httpx
import pytest


@pytest.fixture(scope="module")
def traced(fixtures_dir):
    from almanac_server import AlmanacServer
    with AlmanacServer(["fixtures.db", "--setting", "trace_debug", "1"],
                       cwd=fixtures_dir) as running:
        yield running


def test_trace_block_as_datasette_gives_it(traced):
    # Datasette's tests/test_api.py test_trace, field by field.
    data = httpx.get(traced.url + "/fixtures/simple_primary_key.json?_trace=1", timeout=10).json()
    info = data["_trace"]
    assert isinstance(info["request_duration_ms"], float)
    assert isinstance(info["sum_trace_duration_ms"], float)
    assert isinstance(info["num_traces"], int)
    traces = info["traces"]
    assert len(traces) == info["num_traces"] > 0
    for trace in traces:
        assert trace["type"] == "sql"
        assert isinstance(trace["start"], float) and isinstance(trace["end"], float)
        assert trace["duration_ms"] == (trace["end"] - trace["start"]) * 1000
        assert trace["traceback"] == []
        assert trace["database"] == "fixtures"
        assert isinstance(trace["sql"], str)
        assert isinstance(trace["params"], (list, dict))
    assert any(t["sql"].startswith("select ") for t in traces)
    assert data["rows"]  # the page itself is unchanged


def test_trace_names_a_query_pages_parameters(traced):
    data = httpx.get(traced.url + "/fixtures/-/query.json",
                     params={"sql": "select :a as a", "a": "5", "_trace": "1"}, timeout=10).json()
    assert data["rows"] == [{"a": "5"}]
    user = [t for t in data["_trace"]["traces"] if t["sql"] == "select :a as a"]
    assert user and user[0]["params"] == {"a": "5"}


def test_trace_at_the_end_of_html_pages(traced):
    r = httpx.get(traced.url + "/fixtures/simple_primary_key?_trace=1", timeout=10)
    assert r.status_code == 200
    body = r.text
    pre = body[body.rindex("<pre>") + 5:body.rindex("</pre>")]
    assert body.rstrip().endswith("</html>") and pre.endswith("}")
    assert "num_traces" in pre and "&quot;" in pre  # the JSON, HTML-escaped


def test_no_trace_without_the_setting(client):
    data = client.get("/fixtures/simple_primary_key.json?_trace=1").json()
    assert "_trace" not in data
