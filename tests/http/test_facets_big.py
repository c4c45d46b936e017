"""Facets over a table large enough to be counted in parallel chunks: the counts must be the
same as one GROUP BY, with and without filters, and must follow writes to the database."""
import sqlite3

import httpx
import pytest

from almanac_server import AlmanacServer

ROWS = 300_000  # above the size at which a facet is split into rowid chunks


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    directory = tmp_path_factory.mktemp("big")
    path = directory / "big.db"
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        create table big (id integer primary key, d text, n integer, day text);
        with recursive s(i) as (select 1 union all select i + 1 from s where i < {ROWS})
        insert into big select i, 'cat' || (i % 7), case when i % 5 = 0 then null else i % 3 end,
            date('2020-01-01', '+' || (i % 4) || ' days') from s;
    """)
    conn.close()
    # A generous facet time limit: these tests check the counts, not the speed.
    args = ["big.db", "--setting", "facet_time_limit_ms", "60000",
            "--setting", "sql_time_limit_ms", "60000"]
    with AlmanacServer(args, cwd=directory) as server:
        yield server, path


def expected(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def facet(server, query):
    response = httpx.get(server.url + "/big/big.json?_size=0&" + query, timeout=120)
    assert response.status_code == 200, response.text
    data = response.json()["facet_results"]
    assert data["timed_out"] == []
    return data["results"]


def test_column_facet_matches_group_by(big):
    server, path = big
    results = facet(server, "_facet=d")["d"]
    want = expected(path, "select d, count(*) from big where d is not null group by d "
                          "order by count(*) desc, d")
    assert [(v["value"], v["count"]) for v in results["results"]] == want
    assert results["truncated"] is False


def test_integer_facet_skips_nulls_and_keeps_sqlite_order(big):
    server, path = big
    results = facet(server, "_facet=n")["n"]["results"]
    want = expected(path, "select n, count(*) from big where n is not null group by n "
                          "order by count(*) desc, n")
    assert [(v["value"], v["count"]) for v in results] == want


def test_filtered_and_date_facets_match_group_by(big):
    server, path = big
    results = facet(server, "_facet=d&_facet_date=day&n=1")
    want = expected(path, "select d, count(*) from big where n = 1 group by d "
                          "order by count(*) desc, d")
    assert [(v["value"], v["count"]) for v in results["d"]["results"]] == want
    want_days = expected(path, "select date(day), count(*) from big where n = 1 group by "
                               "date(day) order by count(*) desc, date(day)")
    assert [(v["value"], v["count"]) for v in results["day"]["results"]] == want_days


def test_facet_size_truncates_merged_counts(big):
    server, _ = big
    results = facet(server, "_facet=d&_facet_size=3")["d"]
    assert len(results["results"]) == 3
    assert results["truncated"] is True


def test_cached_counts_follow_writes(big):
    server, path = big
    before = {v["value"]: v["count"] for v in facet(server, "_facet=d")["d"]["results"]}
    count = httpx.get(server.url + "/big/big.json?_size=0&_extra=count").json()["count"]
    conn = sqlite3.connect(path)
    conn.execute("insert into big (d) values ('cat0'), ('brand new')")
    conn.commit()
    conn.close()
    after = {v["value"]: v["count"] for v in facet(server, "_facet=d")["d"]["results"]}
    assert after["cat0"] == before["cat0"] + 1
    assert after["brand new"] == 1
    # The count is capped at 10,001 whatever the table's size.
    data = httpx.get(server.url + "/big/big.json?_size=0&_extra=count").json()
    assert data["count"] == count == 10001
    assert data["count_truncated"] is True
