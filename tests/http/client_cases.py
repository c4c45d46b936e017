"""The `almanac client` golden cases: every command and flag of dclient 0.5a3's cli.py, run in
order against one `almanac serve` (and, for what Almanac does not serve yet and for `login`, a
small fake Datasette). tests/http/make_client_golden.py runs them with the real dclient and
records its output in client_golden.json; test_client_golden.py runs them with
`almanac client` and compares.

Placeholders in arguments and standard input: {URL} the server, {FAKE} the fake server,
{TOKEN} a root token, {DATA} tests/http/client_data.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
from almanac_server import AlmanacServer, copy_conformance_fixtures  # noqa: E402
from tokens import root_token  # noqa: E402

DATA = HERE / "client_data"
SECRET = "client-test-secret"
SERVER_ARGS = ["fixtures.db", "extra database.db", "scratch.db", "--create", "-c",
               "fixtures-config.json", "-m", "fixtures-metadata.json", "--secret", SECRET,
               "--root"]
# What dclient prints that almanac client deliberately does not (see docs/client.md).
DCLIENT_ONLY_STDOUT = ["Inserting rows\n"]


def case(id, *args, stdin=None, compare="stdout", env=None):
    """compare: "stdout" (stdout and exit code), "both" (stderr too), "error" (exit code and
    the first line of stderr, which Almanac may extend with the server's message)."""
    return {"id": id, "args": list(args), "stdin": stdin, "compare": compare, "env": env or {}}


I = ["-i", "{URL}"]
T = ["--token", "{TOKEN}"]
F = ["-i", "{FAKE}"]

CASES = [
    # ---- reading
    case("databases", "databases", *I),
    case("databases-json", "databases", *I, "--json"),
    case("databases-bad-instance", "databases", "-i", "nowhere", compare="error"),
    case("tables", "tables", *I, "-d", "fixtures"),
    case("tables-views", "tables", *I, "-d", "fixtures", "--views"),
    case("tables-views-only", "tables", *I, "-d", "fixtures", "--views-only"),
    case("tables-hidden", "tables", *I, "-d", "fixtures", "--hidden"),
    case("tables-json", "tables", *I, "-d", "fixtures", "--json"),
    case("tables-json-views", "tables", *I, "-d", "fixtures", "--json", "--views"),
    case("tables-json-views-only", "tables", *I, "-d", "fixtures", "--json", "--views-only"),
    case("tables-no-database", "tables", *I, compare="error"),
    case("tables-missing-database", "tables", *I, "-d", "nope", compare="error"),
    case("schema-database", "schema", *I, "-d", "fixtures"),
    case("schema-database-json", "schema", *I, "-d", "fixtures", "--json"),
    case("schema-table", "schema", "facetable", *F, "-d", "fixtures"),
    case("schema-table-json", "schema", "facetable", *F, "-d", "fixtures", "--json"),
    case("plugins", "plugins", *F),
    case("plugins-json", "plugins", *F, "--json"),
    case("actor", "actor", *I, *T),
    case("actor-anonymous", "actor", *I),
    case("get-json", "get", "/fixtures/facetable.json?_size=2", *I),
    case("get-text", "get", "fixtures/facetable.csv?_size=3", *I, *T),
    case("get-404", "get", "/nope/nope.json", *I, compare="error"),
    case("query", "query", "fixtures", "select * from facetable order by pk limit 3", *I),
    case("query-csv", "query", "fixtures", "select * from facetable order by pk limit 3", *I,
         "--csv"),
    case("query-tsv", "query", "fixtures", "select pk, tags, complex_array from facetable", *I,
         "--tsv"),
    case("query-nl", "query", "fixtures", "select * from facetable order by pk limit 3", *I,
         "--nl"),
    case("query-table", "query", "fixtures", "select * from facetable order by pk", *I, "-t"),
    case("query-table-long", "query", "fixtures", "select 1 as a, null as b, 2.5 as c", *I,
         "--table"),
    case("query-values", "query", "fixtures",
         "select 1 as i, 1.5 as f, 1e20 as big, null as n, 'caf\u00e9 \u2603' as u, x'00ff' as b,"
         " 'a,\"b\"' as q, 'x\ny' as nlf", *I),
    case("query-values-csv", "query", "fixtures",
         "select 1 as i, 1.5 as f, null as n, 'caf\u00e9' as u, x'00ff' as b, 'a,\"b\"' as q,"
         " 'x\ny' as nlf", *I, "--csv"),
    case("query-values-nl", "query", "fixtures",
         "select 1 as i, 1.5 as f, null as n, 'caf\u00e9' as u, x'00ff' as b", *I, "--nl"),
    case("query-values-table", "query", "fixtures",
         "select 'caf\u00e9' as u, null as n, 1.0 as f", *I, "-t"),
    case("query-empty", "query", "fixtures", "select * from facetable where 0", *I),
    case("query-empty-csv", "query", "fixtures", "select * from facetable where 0", *I, "--csv"),
    case("query-empty-table", "query", "fixtures", "select pk from facetable where 0", *I, "-t"),
    case("query-verbose", "query", "fixtures", "select 1 + 1 as two", *I, "-v", compare="both"),
    case("query-bad-sql", "query", "fixtures", "select * from nope", *I, compare="error"),
    case("query-bad-database", "query", "nope", "select 1", *I, compare="error"),
    case("query-missing-sql", "query", "fixtures", compare="exit"),
    case("default-query", "select 40 + 2 as answer", *I, "-d", "fixtures"),
    case("default-query-table", "select 40 + 2 as answer", *I, "-d", "fixtures", "-t"),
    case("default-query-csv", "select 'a' as x union all select 'b'", *I, "-d", "fixtures",
         "--csv"),
    case("default-query-no-db", "select 1", *I, compare="error"),
    case("rows", "rows", "fixtures", "facetable", *I, "--size", "3"),
    case("rows-one-arg", "rows", "facetable", *I, "-d", "fixtures", "--size", "2"),
    case("rows-filter", "rows", "fixtures", "facetable", *I, "-f", "pk", "gte", "13"),
    case("rows-filter-eq", "rows", "fixtures", "facetable", *I, "-f", "state", "eq", "MI",
         "-f", "on_earth", "exact", "1", "--nl"),
    case("rows-filter-ops", "rows", "fixtures", "sortable", *I, "-f", "sortable", "lt", "5",
         "-f", "text", "contains", "a", "-f", "sortable_with_nulls", "notnull", "1", "--csv"),
    case("rows-filter-in", "rows", "fixtures", "facetable", *I, "-f", "pk", "in", "1,3,5",
         "-t"),
    case("rows-search", "rows", "fixtures", "searchable", *I, "--search", "dog"),
    case("rows-sort", "rows", "fixtures", "sortable", *I, "--sort", "sortable", "--size", "4",
         "--tsv"),
    case("rows-sort-desc", "rows", "fixtures", "sortable", *I, "--sort-desc", "sortable",
         "--limit", "4", "-t"),
    case("rows-col", "rows", "fixtures", "facetable", *I, "--col", "state", "--col",
         "planet_int", "--size", "3"),
    case("rows-nocol", "rows", "fixtures", "facetable", *I, "--nocol", "tags", "--nocol",
         "complex_array", "--size", "3", "--csv"),
    case("rows-limit", "rows", "fixtures", "sortable", *I, "--limit", "5", "--nl"),
    case("rows-all", "rows", "fixtures", "compound_three_primary_keys", *I, "--all", "--nl"),
    case("rows-all-size-limit", "rows", "fixtures", "sortable", *I, "--all", "--size", "7",
         "--limit", "30", "--csv"),
    case("rows-all-csv", "rows", "fixtures", "facetable", *I, "--all", "--size", "4", "--csv"),
    case("rows-blob-csv", "rows", "fixtures", "binary_data", *I, "--csv"),
    case("rows-blob-table", "rows", "fixtures", "binary_data", *I, "-t"),
    case("rows-verbose", "rows", "fixtures", "facetable", *I, "--size", "1", "-v",
         compare="both"),
    case("rows-unknown-column", "rows", "fixtures", "facetable", *I, "-f", "nope", "gt", "1",
         "--size", "1"),
    case("rows-missing-table", "rows", "fixtures", "nope", *I, compare="error"),
    # ---- writing (into scratch.db)
    case("create-table", "create-table", "scratch", "dogs", "--column", "id", "integer",
         "--column", "name", "text", "-c", "age", "integer", "--pk", "id", *I, *T),
    case("create-table-compound", "create-table", "scratch", "pairs", "-c", "a", "text", "-c",
         "b", "text", "-c", "n", "float", "--pk", "a", "--pk", "b", *I, *T, "-v",
         compare="both"),
    case("create-table-no-columns", "create-table", "scratch", "empty", *I, *T, compare="error"),
    case("create-table-exists", "create-table", "scratch", "dogs", "-c", "id", "integer", *I, *T,
         compare="error"),
    case("insert-csv", "insert", "scratch", "dogs", "{DATA}/dogs.csv", "--csv", *I, *T),
    case("insert-csv-check", "query", "scratch", "select * from dogs order by id", *I),
    case("insert-conflict", "insert", "scratch", "dogs", "{DATA}/dogs.csv", "--csv", *I, *T,
         compare="error"),
    case("insert-ignore", "insert", "scratch", "dogs", "{DATA}/dogs_changed.csv", "--ignore",
         *I, *T),
    case("insert-ignore-check", "query", "scratch", "select * from dogs order by id", *I),
    case("insert-replace", "insert", "scratch", "dogs", "{DATA}/dogs_changed.csv", "--replace",
         *I, *T),
    case("insert-replace-check", "query", "scratch", "select * from dogs order by id", *I),
    case("insert-alter", "insert", "scratch", "dogs", "{DATA}/dogs_more.csv", "--alter", *I, *T),
    case("insert-alter-check", "query", "scratch", "select * from dogs order by id", *I),
    case("insert-create-tsv", "insert", "scratch", "cats", "{DATA}/cats.tsv", "--tsv",
         "--create", "--pk", "id", *I, *T),
    case("insert-create-json", "insert", "scratch", "birds", "{DATA}/birds.json", "--json",
         "--create", *I, *T),
    case("insert-create-nl", "insert", "scratch", "fish", "{DATA}/fish.ndjson", "--nl",
         "--create", "--pk", "id", *I, *T, "--silent"),
    case("insert-detected-format", "insert", "scratch", "fish", "{DATA}/fish_more.json", *I,
         *T),
    case("insert-no-detect", "insert", "scratch", "strings", "{DATA}/dogs.csv", "--csv",
         "--create", "--no-detect-types", *I, *T),
    case("insert-encoding", "insert", "scratch", "latin", "{DATA}/latin1.csv", "--csv",
         "--create", "--encoding", "latin-1", *I, *T),
    case("insert-batches", "insert", "scratch", "batched", "{DATA}/numbers.csv", "--csv",
         "--create", "--pk", "n", "--batch-size", "7", "--interval", "5", *I, *T),
    case("insert-stdin", "insert", "scratch", "piped", "-", "--csv", "--create", *I, *T,
         stdin="a,b\n1,x\n2,y\n"),
    case("insert-stdin-no-format", "insert", "scratch", "piped", "-", *I, *T, stdin="a\n1\n",
         compare="error"),
    case("insert-verbose", "insert", "scratch", "verbose", "{DATA}/cats.tsv", "--tsv",
         "--create", "--pk", "id", "-v", *I, *T, compare="both"),
    case("insert-check-types", "query", "scratch",
         "select name, type, pk from pragma_table_info('cats') union all "
         "select name, type, pk from pragma_table_info('birds') union all "
         "select name, type, pk from pragma_table_info('strings') union all "
         "select name, type, pk from pragma_table_info('batched')", *I, "-t"),
    case("insert-check-rows", "query", "scratch",
         "select (select count(*) from batched) as batched, (select count(*) from fish) as fish,"
         " (select json_group_array(name) from latin) as latin,"
         " (select json_group_array(b) from piped) as piped,"
         " (select json_group_array(typeof(age)) from strings) as strings", *I),
    case("upsert", "upsert", "scratch", "dogs", "{DATA}/dogs_upsert.csv", "--csv", *I, *T),
    case("upsert-check", "query", "scratch", "select * from dogs order by id", *I, "--csv"),
    case("upsert-alter", "upsert", "scratch", "dogs", "{DATA}/dogs_upsert_more.json", "--alter",
         *I, *T),
    case("upsert-alter-check", "query", "scratch", "select * from dogs order by id", *I, "--nl"),
    case("upsert-no-replace-flag", "upsert", "scratch", "dogs", "{DATA}/dogs.csv", "--replace",
         *I, *T, compare="exit"),
    case("insert-no-token", "insert", "scratch", "dogs", "{DATA}/dogs.csv", *I,
         compare="exit"),
    # ---- aliases, defaults, instances
    case("alias-list-empty", "alias", "list"),
    case("alias-add", "alias", "add", "local", "{URL}"),
    case("alias-add-2", "alias", "add", "other", "https://example.com"),
    case("alias-list", "alias", "list"),
    case("alias-list-json", "alias", "list", "--json"),
    case("instances", "instances"),
    case("default-instance-none", "default", "instance"),
    case("default-instance-set", "default", "instance", "local"),
    case("default-instance-show", "default", "instance"),
    case("default-instance-unknown", "default", "instance", "nope", compare="error"),
    case("default-database-none", "default", "database", "local"),
    case("default-database-set", "default", "database", "local", "fixtures"),
    case("default-database-show", "default", "database", "{URL}"),
    case("instances-default", "instances"),
    case("instances-json", "instances", "--json"),
    case("defaults-tables", "tables"),
    case("defaults-rows", "rows", "facetable", "--size", "2", "-t"),
    case("defaults-query", "select count(*) as n from facetable"),
    case("defaults-schema", "schema"),
    case("alias-query", "query", "fixtures", "select 1 as one", "-i", "local"),
    case("default-database-clear", "default", "database", "local", "--clear"),
    case("defaults-no-database", "tables", compare="error"),
    case("default-instance-url", "default", "instance", "{URL}/"),
    case("default-instance-url-show", "default", "instance"),
    case("default-instance-clear", "default", "instance", "--clear"),
    case("default-instance-cleared", "default", "instance"),
    case("no-instance", "databases", compare="error"),
    case("env-url", "databases", env={"DATASETTE_URL": "{URL}/"}),
    case("env-database", "tables", "--views-only",
         env={"DATASETTE_URL": "{URL}", "DATASETTE_DATABASE": "fixtures"}),
    case("env-token", "actor", env={"DATASETTE_URL": "{URL}", "DATASETTE_TOKEN": "{TOKEN}"}),
    case("alias-remove", "alias", "remove", "other"),
    case("alias-remove-missing", "alias", "remove", "other", compare="error"),
    case("alias-list-after", "alias", "list"),
    # ---- tokens
    case("auth-list-empty", "auth", "list"),
    case("auth-add", "auth", "add", "local", "--token", "{TOKEN}"),
    case("auth-add-stdin", "auth", "add", "https://example.com/db", stdin="secret-token\n",
         compare="exit"),
    case("auth-list", "auth", "list"),
    case("auth-status", "auth", "status", "-i", "local"),
    case("auth-alias-token", "actor", "-i", "local"),
    case("auth-url-token", "actor", "-i", "{URL}"),
    case("auth-write-with-stored", "create-table", "scratch", "stored", "-c", "id", "integer",
         "-i", "local"),
    case("auth-remove", "auth", "remove", "https://example.com/db"),
    case("auth-remove-missing", "auth", "remove", "https://example.com/db", compare="error"),
    case("auth-list-after", "auth", "list"),
    # ---- login (the fake server plays Datasette's device flow)
    case("login-token-only", "login", "{FAKE}", "--token-only"),
    case("login-scopes", "login", "{FAKE}", "--token-only", "--read-all", "--write", "db3/dogs",
         "--read", "db1", "--scope", '[["view-instance"]]'),
    case("login-write-all", "login", "{FAKE}/", "--token-only", "--write-all"),
    case("login-save", "login", "{FAKE}"),
    case("login-saved-defaults", "instances"),
    case("login-saved-token", "actor", "-i", "{FAKE}"),
    case("login-denied", "login", "{FAKE}/deny", "--token-only", compare="error"),
    case("login-expired", "login", "{FAKE}/expire", "--token-only", compare="error"),
    case("login-prompt", "login", "--token-only", stdin="{FAKE}\n"),
    case("login-alias", "login", "fake-alias", "--token-only", compare="error"),
    case("login-broken", "login", "{FAKE}/broken", "--token-only", compare="error"),
    # ---- the group itself
    case("unknown-command-is-sql", "selectt 1", *I, "-d", "fixtures", compare="error"),
    case("missing-argument", "rows", *I, compare="exit"),
]


class FakeDatasette(BaseHTTPRequestHandler):
    """The device flow (/-/oauth/device, /-/oauth/token), /-/plugins.json, a table schema and
    /.json, as a Datasette with datasette-oauth answers them. Paths under /deny, /expire and
    /broken end the flow those ways."""
    protocol_version = "HTTP/1.1"
    polls = {}
    forms = []

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if self.path == "/-/plugins.json":
            return self.reply(200, [{"name": "datasette-oauth", "static": False,
                                     "templates": False, "version": "0.1",
                                     "hooks": ["register_routes"]},
                                    {"name": "datasette-write", "version": "0.4"}])
        if self.path == "/fixtures/facetable/-/schema.json":
            return self.reply(200, {"ok": True, "database": "fixtures", "table": "facetable",
                                    "schema": "CREATE TABLE facetable (\n  pk integer primary"
                                              " key,\n  state text\n)"})
        if self.path == "/-/actor.json":
            actor = {"id": "fake-user"} if auth == "Bearer dstok_fake_token" else None
            return self.reply(200, {"actor": actor})
        if self.path == "/.json":
            return self.reply(200, {"ok": True, "databases": [{"name": "other"},
                                                              {"name": "data"}]})
        return self.reply(404, {"ok": False, "error": "Not found", "status": 404})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        prefix = self.path.rsplit("/-/oauth/", 1)[0]
        if self.path.endswith("/-/oauth/device"):
            FakeDatasette.forms.append(form)
            code = "code" + prefix.replace("/", "-")
            FakeDatasette.polls[code] = 0
            return self.reply(200, {"device_code": code, "user_code": "WXYZ-1234",
                                    "verification_uri": "http://fake.example/-/oauth/verify",
                                    "interval": 0})
        if self.path.endswith("/-/oauth/token"):
            code = form.get("device_code", "")
            FakeDatasette.polls[code] = FakeDatasette.polls.get(code, 0) + 1
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code":
                return self.reply(400, {"error": "unsupported_grant_type"})
            if FakeDatasette.polls[code] < 3:
                return self.reply(400, {"error": "authorization_pending"})
            if prefix == "/deny":
                return self.reply(400, {"error": "access_denied"})
            if prefix == "/expire":
                return self.reply(400, {"error": "expired_token"})
            if prefix == "/broken":
                return self.reply(400, {"error": "invalid_grant"})
            return self.reply(200, {"access_token": "dstok_fake_token", "token_type": "bearer"})
        return self.reply(404, {"ok": False, "error": "Not found"})


class Session:
    """One run of the cases: a fresh server over copies of the fixtures, the fake server and
    empty configuration directories under `tmp`."""

    def __init__(self, tmp):
        self.tmp = Path(tmp)

    def __enter__(self):
        work = self.tmp / "work"
        work.mkdir()
        copy_conformance_fixtures(work)
        self.server = AlmanacServer(SERVER_ARGS, cwd=work).start()
        self.fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeDatasette)
        threading.Thread(target=self.fake.serve_forever, daemon=True).start()
        self.fake_url = f"http://127.0.0.1:{self.fake.server_address[1]}"
        self.token = root_token(SECRET)
        return self

    def __exit__(self, *exc):
        self.fake.shutdown()
        self.server.stop()

    def fill(self, text):
        return (text.replace("{URL}", self.server.url).replace("{FAKE}", self.fake_url)
                .replace("{TOKEN}", self.token).replace("{DATA}", str(DATA)))

    def normalize(self, text):
        text = text.replace(self.server.url, "{URL}").replace(self.fake_url, "{FAKE}")
        text = text.replace(self.token, "{TOKEN}").replace(str(DATA), "{DATA}")
        text = text.replace(str(self.tmp), "{TMP}")
        # Paths to the tokens file differ between the two tools.
        return re.sub(r"Tokens file: \S+", "Tokens file: {AUTH_FILE}", text)

    def run(self, command, c, env):
        full_env = dict(os.environ)
        full_env.update(env)
        full_env.update({k: self.fill(v) for k, v in c["env"].items()})
        # Bytes, so that "\r\n" (csv.writer's line ends) is compared as written.
        result = subprocess.run(command + [self.fill(a) for a in c["args"]],
                                input=self.fill(c["stdin"] or "").encode(),
                                capture_output=True, env=full_env, timeout=60,
                                start_new_session=True)
        return {"id": c["id"], "args": c["args"], "exit": result.returncode,
                "stdout": self.normalize(result.stdout.decode("utf-8", "replace")),
                "stderr": self.normalize(result.stderr.decode("utf-8", "replace"))}


def compare(expected, got):
    """A list of differences between dclient's recorded run and ours (empty when they agree)."""
    problems = []
    kind = expected.get("compare", "stdout")
    if (expected["exit"] == 0) != (got["exit"] == 0) or (kind == "exit" and
                                                        expected["exit"] != got["exit"]):
        problems.append(f"exit {got['exit']}, dclient {expected['exit']}")
    stdout = expected["stdout"]
    for line in DCLIENT_ONLY_STDOUT:
        stdout = stdout.replace(line, "")
    stdout = stdout.replace("'dclient alias add'", "'almanac client alias add'")
    if kind in ("stdout", "both") and got["stdout"] != stdout:
        problems.append(f"stdout:\n{got['stdout']!r}\ndclient:\n{stdout!r}")
    if kind == "both" and got["stderr"] != expected["stderr"]:
        problems.append(f"stderr:\n{got['stderr']!r}\ndclient:\n{expected['stderr']!r}")
    if kind == "error":
        want = expected["stderr"].strip().splitlines()
        want = next((line for line in want if line.startswith("Error:")), want[-1] if want else "")
        if not got["stderr"].startswith(want.split("Traceback")[0]):
            problems.append(f"stderr:\n{got['stderr']!r}\ndclient's error line:\n{want!r}")
    return problems


def dclient_env(tmp):
    return {"DCLIENT_CONFIG_DIR": str(Path(tmp) / "dclient-config")}


def almanac_env(tmp):
    return {"XDG_CONFIG_HOME": str(Path(tmp) / "xdg"),
            "DCLIENT_CONFIG_DIR": str(Path(tmp) / "no-dclient-config")}


def run_all(command, env, tmp):
    with Session(tmp) as session:
        results = []
        for c in CASES:
            r = session.run(command, c, env)
            r["compare"] = c["compare"]
            results.append(r)
        return results, list(FakeDatasette.forms)
