"""The runs compared with the real git-history. A run is the arguments after DB: the file,
then options; "@N" stands for the hash of the repository's commit N (oldest is 0). A run may
differ between the tools ({"ours": [...], "theirs": [...]}) where the same thing is spelled
differently (a Python --convert against our --items)."""

SCENARIOS = {
    "scrape_id": {"repo": "scrape", "runs": [["items.json", "--id", "id"]]},
    "scrape_no_id": {"repo": "scrape", "runs": [["items.json"]]},
    "scrape_full_versions": {"repo": "scrape",
                             "runs": [["items.json", "--id", "id", "--full-versions"]]},
    "two_namespaces": {"repo": "scrape", "runs": [
        ["items.json", "--id", "id", "--namespace", "items"],
        ["other.json", "--id", "code", "--namespace", "other"],
        ["other.json", "--namespace", "other_rows"]]},
    "incremental": {"repo": "scrape", "runs": [
        ["items.json", "--id", "id", "--branch", "@2"],
        ["items.json", "--id", "id", "--branch", "@3"],
        ["items.json", "--id", "id"]]},
    "items_pointer": {"repo": "scrape", "runs": [{
        "ours": ["nested.json", "--id", "id", "--items", "/incidents"],
        "theirs": ["nested.json", "--id", "id", "--convert", 'json.loads(content)["incidents"]'],
    }]},
    "skip": {"repo": "scrape", "runs": [["items.json", "--id", "id", "--skip", "@1",
                                         "--skip", "@3"]]},
    "start_at": {"repo": "scrape", "runs": [["items.json", "--id", "id", "--start-at", "@2"]]},
    "start_after": {"repo": "scrape",
                    "runs": [["items.json", "--id", "id", "--start-after", "@2"]]},
    "ignore": {"repo": "edges", "runs": [["ignore.json", "--id", "id", "--ignore", "noise"]]},
    "reserved": {"repo": "edges", "runs": [["reserved.json", "--id", "_id"]]},
    "reserved_full": {"repo": "edges",
                      "runs": [["reserved.json", "--id", "_id", "--full-versions"]]},
    "duplicate_ids": {"repo": "edges",
                      "runs": [["dupes.json", "--id", "id", "--ignore-duplicate-ids"]]},
    "compound_id": {"repo": "edges", "runs": [["compound.json", "--id", "a", "--id", "b"]]},
    "types_no_id": {"repo": "edges", "runs": [["mixed.json"]]},
    "types_id": {"repo": "edges", "runs": [["mixed.json", "--id", "id"]]},
    "csv_id": {"repo": "csv", "runs": [["trees.csv", "--csv", "--id", "TreeID"]]},
    "csv_full_versions": {"repo": "csv", "runs": [["trees.csv", "--csv", "--id", "TreeID",
                                                   "--full-versions"]]},
    "csv_no_id": {"repo": "csv", "runs": [["quoted.csv", "--csv"]]},
    "csv_quoted": {"repo": "csv", "runs": [["quoted.csv", "--csv", "--id", "id"]]},
    "csv_semicolons": {"repo": "csv", "runs": [["semi.csv", "--csv", "--id", "id"]]},
    "tsv_sniffed": {"repo": "csv", "runs": [["trees.tsv", "--csv", "--id", "TreeID"]]},
    "dialect_excel": {"repo": "csv", "runs": [["trees.csv", "--dialect", "excel"]]},
    "dialect_excel_tab": {"repo": "csv", "runs": [
        ["trees.tsv", "--dialect", "excel-tab", "--id", "TreeID", "--namespace", "tsv"],
        ["trees.csv", "--dialect", "excel-tab", "--namespace", "one_column"]]},
    # Where Almanac differs on purpose (docs/compat.md); the tests assert the differences.
    "numbers": {"repo": "edges", "runs": [["numbers.json", "--id", "id"]], "differs": True},
    "vanish": {"repo": "edges", "runs": [["vanish.json", "--id", "id"]], "differs": True},
}


def expand(run, tool, hashes):
    """The argument list of `run` for `tool` ("ours" or "theirs"), with @N replaced."""
    args = run[tool] if isinstance(run, dict) else run
    return [hashes[int(a[1:])] if a.startswith("@") else a for a in args]
