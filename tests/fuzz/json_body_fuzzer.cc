// libFuzzer target: random JSON request bodies through the write API's body parsing and
// validation (insert, upsert, update, delete, create, alter, drop), end to end: the body is
// parsed by format::ParseJson (simdjson), validated by the endpoint, and a valid write runs
// through the database's WriteQueue on an in-memory database that is reset before each input.
// Input: a first line "<endpoint> <table>" (endpoints and tables below), then the body.
// Properties checked:
//   - nothing crashes, hangs or trips ASan/UBSan;
//   - ParseJson either fails with InvalidArgument "Invalid JSON: ..." or gives a value that
//     re-serialises to JSON which parses back to the same value, nested no deeper than 1024;
//   - an endpoint either fails with a client error (never Internal or Unavailable) that has a
//     message, or answers 200/201 with a body that is a JSON object whose "ok" is true;
//   - size limits: an insert or upsert that succeeds sent at most max_insert_rows rows;
//   - the database stays usable: its schema reloads after every write.
// Execute-write is left out: its body is SQL, which the query fuzzers' territory, and arbitrary
// write SQL could legitimately run for long (recursive CTEs) or write files.
// Seeds (tests/fuzz/corpus/json_body/) are realistic bodies for each endpoint.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "api/write/write.h"
#include "auth/permissions.h"
#include "config/config.h"
#include "config/settings.h"
#include "db/database.h"
#include "format/json_value.h"

namespace {

using namespace almanac;  // NOLINT(google-build-using-namespace): a test driver

constexpr int64_t kMaxInsertRows = 20;
constexpr int kMaxDepth = 1024;

// Dropped and recreated before each input, so every input starts from the same database.
constexpr const char* kReset = R"sql(
drop table if exists owners; drop table if exists dogs; drop table if exists pairs;
drop table if exists notes; drop table if exists keyed; drop table if exists created;
create table dogs (id integer primary key, name text not null default '', age integer,
  weight real, photo blob);
create table owners (id integer primary key, name text, dog_id integer references dogs(id));
create table pairs (a text, b integer, v, primary key (a, b));
create table notes (content text);
create table keyed (k text primary key, v text) without rowid;
insert into dogs (id, name, age) values (1, 'Cleo', 5), (2, 'Pancakes', 3);
insert into owners values (1, 'Ann', 1);
insert into pairs values ('x', 1, 'one'), ('y', 2, 'two');
insert into notes values ('hello'), ('world');
insert into keyed values ('k1', 'v1');
)sql";

void Check(bool ok, const char* what, std::string_view input) {
  if (ok) return;
  fprintf(stderr, "oracle failed: %s\ninput: %.*s\n", what, static_cast<int>(input.size()),
          input.data());
  std::abort();
}

struct World {
  db::Registry registry;
  config::Settings settings;
  config::Config config;
  std::unique_ptr<auth::PermissionEngine> permissions;
  std::unique_ptr<api::Instance> instance;
  db::Database* db = nullptr;
};

World& GetWorld() {
  static World* world = [] {
    auto* w = new World();
    w->settings.max_insert_rows = kMaxInsertRows;
    db::DatabaseOptions options;
    options.name = "data";
    options.path = "json_body_fuzzer";
    options.memory = true;
    Result<std::unique_ptr<db::Database>> database = db::Database::Open(options);
    Check(database.ok(), "open the database", "");
    w->db = database->get();
    Check(w->registry.Add(std::move(database).value()).ok(), "register", "");
    w->permissions = std::make_unique<auth::PermissionEngine>(
        w->config, w->settings, auth::PermissionOptions{false, true});  // --root
    w->instance = std::make_unique<api::Instance>(
        api::Instance{w->registry, w->settings, w->config, *w->permissions, "fuzz"});
    return w;
  }();
  return *world;
}

void Reset(World& w) {
  Status reset = w.db->write_queue()->Run([](db::WriteContext& ctx) -> Status {
    ALM_RETURN_IF_ERROR(ctx.conn().Exec(kReset));
    ctx.InvalidateSchema();
    return Status::Ok();
  });
  Check(reset.ok(), "reset the database", reset.message());
}

int Depth(const format::JsonValue& v) {
  int deepest = 0;
  if (v.is_array()) {
    for (const format::JsonValue& item : v.as_array()) deepest = std::max(deepest, Depth(item));
    return deepest + 1;
  }
  if (v.is_object()) {
    for (const auto& [key, member] : v.as_object()) deepest = std::max(deepest, Depth(member));
    return deepest + 1;
  }
  return 0;
}

// The parser alone: an error that says so, or a value that survives a round trip.
void CheckParse(std::string_view body) {
  Result<format::JsonValue> parsed = format::ParseJson(body);
  if (!parsed.ok()) {
    Check(parsed.status().code() == ErrorCode::kInvalidArgument, "parse error code", body);
    Check(parsed.status().message().starts_with("Invalid JSON: "), "parse error message", body);
    return;
  }
  Check(Depth(*parsed) <= kMaxDepth, "nesting beyond the limit", body);
  Result<format::JsonValue> again = format::ParseJson(format::ToJsonText(*parsed));
  Check(again.ok(), "re-serialised JSON does not parse", body);
  Check(*again == *parsed, "round trip changed the value", body);
}

size_t RowsSent(std::string_view body) {
  Result<format::JsonValue> parsed = format::ParseJson(body);
  if (!parsed.ok()) return 0;
  const format::JsonValue* rows = parsed->Find("rows");
  if (rows && rows->is_array()) return rows->as_array().size();
  return parsed->Find("row") ? 1 : 0;
}

bool ClientError(ErrorCode code) {
  return code != ErrorCode::kInternal && code != ErrorCode::kUnavailable &&
         code != ErrorCode::kDeadlineExceeded;
}

Result<api::write::Outcome> Dispatch(const World& w, std::string_view endpoint,
                                     const std::string& table, const api::Request& request) {
  using namespace api::write;  // NOLINT(google-build-using-namespace)
  const api::Instance& i = *w.instance;
  if (endpoint == "insert") return InsertRows(i, request, "data", table, false);
  if (endpoint == "upsert") return InsertRows(i, request, "data", table, true);
  if (endpoint == "update") return UpdateRow(i, request, "data", table, "1");
  if (endpoint == "delete") return DeleteRow(i, request, "data", table, "1");
  if (endpoint == "create") return CreateTable(i, request, "data");
  if (endpoint == "alter") return AlterTable(i, request, "data", table);
  return DropTable(i, request, "data", table);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  std::string_view header = input.substr(0, newline);
  std::string_view body = input.substr(newline + 1);
  size_t space = header.find(' ');
  if (space == std::string_view::npos) return 0;
  std::string_view endpoint = header.substr(0, space);
  std::string table(header.substr(space + 1));
  if (endpoint != "insert" && endpoint != "upsert" && endpoint != "update" &&
      endpoint != "delete" && endpoint != "create" && endpoint != "alter" && endpoint != "drop") {
    return 0;
  }

  CheckParse(body);

  World& w = GetWorld();
  Reset(w);
  api::Request request;
  request.method = "POST";
  request.host = "127.0.0.1:8001";
  request.body = std::string(body);
  request.actor = auth::Actor{format::ParseJson(R"({"id": "root"})").value()};
  Result<api::write::Answer> answer =
      api::write::RunToCompletion(Dispatch(w, endpoint, table, request));
  if (!answer.ok()) {
    Check(ClientError(answer.status().code()), "a server error", input);
    Check(!answer.status().message().empty(), "an error without a message", input);
  } else {
    Check(answer->status == 200 || answer->status == 201, "an unexpected status", input);
    Result<format::JsonValue> out = format::ParseJson(answer->body.text);
    Check(out.ok(), "the answer is not JSON", input);
    Check(out->is_object(), "the answer is not an object", input);
    const format::JsonValue* ok = out->Find("ok");
    Check(ok && ok->is_bool() && ok->as_bool(), "the answer is not ok", input);
    if (endpoint == "insert" || endpoint == "upsert") {
      Check(RowsSent(body) <= static_cast<size_t>(kMaxInsertRows), "more rows than allowed", input);
    }
  }
  Result<db::Connection*> conn = w.db->ReadConnection();
  Check(conn.ok(), "a read connection", input);
  Result<std::shared_ptr<const db::Schema>> schema = w.db->CurrentSchema(**conn);
  if (!schema.ok()) {
    fprintf(stderr, "schema: %s\n", schema.status().message().c_str());
  }
  Check(schema.ok(), "the schema no longer loads", input);
  return 0;
}
