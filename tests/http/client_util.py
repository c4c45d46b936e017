"""Running `almanac client` in the tests, with configuration kept inside the test's tmp dir."""
import json
import os
import subprocess

import httpx

from almanac_server import almanac_binary
from tokens import root_token

SECRET = "client-extras-secret"


def client_env(tmp_path, **extra):
    env = dict(os.environ)
    for var in ("ALMANAC_URL", "ALMANAC_TOKEN", "ALMANAC_DATABASE", "DATASETTE_URL",
                "DATASETTE_TOKEN", "DATASETTE_DATABASE"):
        env.pop(var, None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    env["DCLIENT_CONFIG_DIR"] = str(tmp_path / "dclient")
    env.update(extra)
    return env


def run_client(tmp_path, *args, stdin=None, env=None, timeout=60):
    return subprocess.run([almanac_binary(), "client", *args], input=stdin, capture_output=True,
                          text=True, env=env or client_env(tmp_path), timeout=timeout,
                          start_new_session=True)


def token():
    return root_token(SECRET)


def sql(server, database, query):
    response = httpx.get(f"{server.url}/{database}/-/query.json",
                         params={"sql": query, "_shape": "array"},
                         headers={"Authorization": f"Bearer {token()}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def write_csv(path, header, rows):
    path.write_text("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n")
    return path


def create_table(server, database, body):
    response = httpx.post(f"{server.url}/{database}/-/create", content=json.dumps(body),
                          headers={"Authorization": f"Bearer {token()}"}, timeout=10)
    assert response.status_code == 201, response.text
