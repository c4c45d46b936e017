#!/usr/bin/env python3
"""Extracts every route regex of Datasette's app.py `_routes()` into datasette_routes.txt.

Usage: datasette_routes.py [APP_PY]   (default: datasette/app.py at tag 1.0a37, commit 481df7ff,
read from the bare mirror with `git show`; set DATASETTE_REPO to another clone).

Only literal regexes are taken: the routes built from --static mounts and plugin directories
(f-strings and concatenations) depend on the instance and have their own rows in Almanac's
table. The output keeps Datasette's order, one regex per line, as written in the source.
"""
import ast
import os
import subprocess
import sys
from pathlib import Path

COMMIT = "481df7ff"  # tag 1.0a37
DEFAULT_REPO = "/work/.mirror/simonw+datasette/repo"
OUTPUT = Path(__file__).with_name("datasette_routes.txt")


def app_source(argv):
    if len(argv) > 1:
        return Path(argv[1]).read_text()
    repo = os.environ.get("DATASETTE_REPO", DEFAULT_REPO)
    return subprocess.run(["git", "-C", repo, "show", f"{COMMIT}:datasette/app.py"],
                          check=True, capture_output=True, text=True).stdout


def route_regexes(source):
    tree = ast.parse(source)
    routes_fn = next(node for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef) and node.name == "_routes")
    regexes = []
    for node in ast.walk(routes_fn):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "add_route" and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            regexes.append((node.lineno, node.args[1].value))
    return [regex for _, regex in sorted(regexes)]


def main(argv):
    regexes = route_regexes(app_source(argv))
    if not regexes:
        sys.exit("no add_route(view, 'regex') calls found in _routes()")
    OUTPUT.write_text("".join(regex + "\n" for regex in regexes))
    print(f"{len(regexes)} routes written to {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv)
