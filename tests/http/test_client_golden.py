"""`almanac client` gives dclient 0.5a3's output: every case in client_cases.py, recorded from
the real dclient by make_client_golden.py (client_golden.json says with which command), is
run against a fresh `almanac serve` and compared."""
import json
from pathlib import Path

import pytest

import client_cases
from almanac_server import almanac_binary

GOLDEN = json.loads(Path(__file__).with_name("client_golden.json").read_text())


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("client")
    results, forms = client_cases.run_all([almanac_binary(), "client"],
                                          client_cases.almanac_env(tmp), tmp)
    return {r["id"]: r for r in results}, forms


def test_every_case_was_recorded():
    assert [c["id"] for c in GOLDEN["cases"]] == [c["id"] for c in client_cases.CASES]
    assert [c["args"] for c in GOLDEN["cases"]] == [c["args"] for c in client_cases.CASES]


@pytest.mark.parametrize("expected", GOLDEN["cases"], ids=lambda c: c["id"])
def test_same_output_as_dclient(ours, expected):
    problems = client_cases.compare(expected, ours[0][expected["id"]])
    assert not problems, "\n".join(problems)


def test_login_sends_the_same_scopes(ours):
    assert ours[1] == GOLDEN["login_forms"]
