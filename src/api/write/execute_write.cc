// POST /<db>/-/execute-write (Datasette's ExecuteWriteView, JSON answers): one statement of
// write SQL. On the writer thread the statement is prepared under an authorizer that records
// what it would do; every operation is mapped to the permissions it needs (or refused, like
// VACUUM and transaction control), checked for the actor, and only then is the same prepared
// statement run. RETURNING rows are capped at 10.
#include <algorithm>
#include <memory>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/write.h"
#include "core/url.h"
#include "db/sql_analysis.h"

namespace almanac::api::write {
namespace {

constexpr size_t kReturningLimit = 10;

using format::JsonValue;

struct ExecState {
  const Instance* instance = nullptr;
  auth::MaybeActor actor;
  std::string database;
  std::string sql;
  std::vector<std::pair<std::string, Value>> params;
  // Results
  std::vector<db::SqlOperation> analysis;
  db::Rows rows;
  bool returns_rows = false;
  bool truncated = false;
  int64_t rowcount = -1;
};

enum class DecisionKind { kIgnore, kRequire, kReject, kUnsupported };

struct Decision {
  DecisionKind kind = DecisionKind::kIgnore;
  std::vector<std::pair<auth::Action, auth::Resource>> permissions;
  std::string message;
};

// Datasette's decision_for_write_sql_operation.
Decision DecisionFor(const db::SqlOperation& op) {
  using A = auth::Action;
  Decision d;
  const std::string& o = op.operation;
  const std::string& t = op.target_type;
  bool named = op.database && op.table;
  auto table = [&] { return auth::Resource::Table(*op.database, *op.table); };
  auto require = [&](std::initializer_list<A> actions, const auth::Resource& resource) {
    d.kind = DecisionKind::kRequire;
    for (A a : actions) d.permissions.emplace_back(a, resource);
    return d;
  };
  if (op.internal || o == "select") return d;
  if (o == "vacuum")
    return {DecisionKind::kReject, {}, "VACUUM is not allowed in user-supplied SQL"};
  if (o == "insert" || o == "update" || o == "delete") {
    if (op.table_kind == "virtual") {
      return {DecisionKind::kReject,
              {},
              "Writes to virtual tables are not allowed in user-supplied SQL"};
    }
    if (op.table_kind == "shadow") {
      return {DecisionKind::kReject,
              {},
              "Writes to shadow tables are not allowed in user-supplied SQL"};
    }
  }
  if (o == "function") return d;
  if (o == "read" && t == "table" && named) return require({A::kViewTable}, table());
  if ((o == "insert" || o == "update") && t == "table" && named) {
    return require({A::kInsertRow, A::kUpdateRow, A::kDeleteRow}, table());
  }
  if (o == "delete" && t == "table" && named) return require({A::kDeleteRow}, table());
  if (o == "create" && (t == "table" || t == "view") && op.database) {
    return require({t == "table" ? A::kCreateTable : A::kCreateView},
                   auth::Resource::Database(*op.database));
  }
  if (o == "drop" && t == "view" && named) return require({A::kDropView}, table());
  if (o == "alter" && t == "table" && named) return require({A::kAlterTable}, table());
  if (o == "drop" && t == "table" && named) return require({A::kDropTable}, table());
  if ((o == "create" || o == "drop") && t == "index" && named) {
    return require({A::kAlterTable}, table());
  }
  return {DecisionKind::kUnsupported, {}, "Unsupported SQL operation: " + o + " " + t};
}

std::string ResourceText(const auth::Resource& r) {
  return r.child.empty() ? r.database : r.database + "/" + r.child;
}

Status CheckPermissions(const ExecState& s) {
  bool is_write = std::any_of(s.analysis.begin(), s.analysis.end(), db::IsWriteOperation);
  if (!is_write) {
    return InvalidArgument("Use /-/query for read-only SQL; this endpoint only executes writes");
  }
  for (const db::SqlOperation& op : s.analysis) {
    Decision d = DecisionFor(op);
    if (d.kind == DecisionKind::kIgnore) continue;
    if (d.kind != DecisionKind::kRequire) return PermissionDenied(d.message);
    if (op.database != s.database) {
      return PermissionDenied("Writable queries may not access attached databases");
    }
    for (const auto& [action, resource] : d.permissions) {
      if (!s.instance->permissions.Allowed(s.actor, action, resource)) {
        return PermissionDenied("Permission denied: need " + std::string(auth::Info(action).name) +
                                " on " + ResourceText(resource));
      }
    }
  }
  return Status::Ok();
}

Status RunExecute(db::WriteContext& ctx, ExecState& s) {
  db::Connection& conn = ctx.conn();
  Result<db::AnalyzedStatement> analyzed = db::AnalyzeStatement(conn, s.sql, s.database);
  if (!analyzed.ok())
    return InvalidArgument("Could not analyze query: " + analyzed.status().message());
  s.analysis = analyzed->operations;
  ALM_RETURN_IF_ERROR(CheckPermissions(s));
  db::Statement& stmt = analyzed->statement;
  for (int i = 1; i <= stmt.ParameterCount(); ++i) {
    std::string name = stmt.ParameterName(i);
    Value value = Value::Text("");
    for (const auto& [k, v] : s.params) {
      if (k == name) value = v;
    }
    ALM_RETURN_IF_ERROR(stmt.Bind(i, value));
  }
  int n = stmt.ColumnCount();
  s.returns_rows = n > 0;
  for (int i = 0; i < n; ++i) s.rows.columns.emplace_back(stmt.ColumnName(i));
  size_t count = 0;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (count++ >= kReturningLimit) {
      s.truncated = true;
      continue;
    }
    for (int i = 0; i < n; ++i) s.rows.cells.push_back(stmt.Column(i));
  }
  s.rowcount = IsDml(s.sql) && !s.truncated ? conn.Changes() : -1;
  return Status::Ok();
}

Value ParamValue(const JsonValue& v) {
  Result<Value> cell = CellValue(v);
  return cell.ok() ? *cell : Value::Text(format::ToJsonText(v));
}

// The body: form fields (sql=...&name=...) when sent as a form, JSON otherwise — and JSON
// too when a "form" body is plainly a JSON object (curl -d '{...}' without a Content-Type).
Status ParsePayload(const Request& request, ExecState& s) {
  const std::string* type = request.Header("content-type");
  size_t first = request.body.find_first_not_of(" \t\r\n");
  bool looks_json = first != std::string::npos && request.body[first] == '{';
  bool form = type && (type->starts_with("application/x-www-form-urlencoded") ||
                       type->starts_with("multipart/form-data"));
  bool json = !form || looks_json;
  if (!json) {
    for (const auto& [key, value] : ParseQueryString(request.body)) {
      if (key == "sql") {
        s.sql = value;
      } else if (key != "csrftoken" && key != "_json") {
        std::string name = key.starts_with("_sql_param_") ? key.substr(11) : key;
        s.params.emplace_back(name, Value::Text(value));
      }
    }
    return Status::Ok();
  }
  JsonValue data = JsonValue::MakeObject();
  if (!request.body.empty()) {
    ALM_ASSIGN_OR_RETURN(data, ParseBody(request));
  }
  if (!data.is_object()) return InvalidArgument("JSON must be a dictionary");
  std::vector<std::string> invalid;
  for (const auto& [key, value] : data.as_object()) {
    if (key != "sql" && key != "params") invalid.push_back(key);
  }
  if (!invalid.empty()) {
    std::sort(invalid.begin(), invalid.end());
    std::string keys;
    for (const std::string& k : invalid) keys += (keys.empty() ? "" : ", ") + k;
    return InvalidArgument("Invalid keys: " + keys);
  }
  const JsonValue* params = data.Find("params");
  if (params && params->Truthy()) {
    if (!params->is_object()) return InvalidArgument("params must be a dictionary");
    for (const auto& [key, value] : params->as_object()) {
      s.params.emplace_back(key, ParamValue(value));
    }
  }
  const JsonValue* sql = data.Find("sql");
  if (sql && sql->is_string()) s.sql = sql->as_string();
  return Status::Ok();
}

void WriteAnalysis(format::JsonWriter& w, const std::vector<db::SqlOperation>& ops) {
  auto opt = [&](const char* key, const std::optional<std::string>& v) {
    if (v) {
      w.Member(key, *v);
    } else {
      w.MemberNull(key);
    }
  };
  w.BeginArray();
  for (const db::SqlOperation& op : ops) {
    Decision d = DecisionFor(op);
    if (op.internal || op.operation == "select" || op.operation == "function") continue;
    std::string required;
    for (const auto& [action, resource] : d.permissions) {
      required += (required.empty() ? "" : ", ") + std::string(auth::Info(action).name);
    }
    w.BeginObject();
    w.Member("operation", op.operation);
    opt("database", op.database);
    opt("table", op.table ? op.table : op.target);
    w.Member("required_permission", required);
    opt("source", op.source);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

Result<Outcome> ExecuteWrite(const Instance& instance, const Request& request,
                             const std::string& database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(RequireDatabase(instance, request, auth::Action::kExecuteWriteSql, database,
                                      "Permission denied: need execute-write-sql"));
  if (!resolved.db->is_mutable()) return PermissionDenied("Database is immutable");
  auto s = std::make_shared<ExecState>();
  s->instance = &instance;
  s->actor = request.actor;
  s->database = database;
  ALM_RETURN_IF_ERROR(ParsePayload(request, *s));
  if (s->sql.empty()) return InvalidArgument("SQL is required");
  std::vector<std::string> names = sql::NamedParameters(s->sql);
  std::vector<std::string> unknown;
  for (const std::string& name : names) {
    if (name.starts_with("_")) return InvalidArgument("Magic parameters are not allowed");
  }
  for (const auto& [key, value] : s->params) {
    if (std::find(names.begin(), names.end(), key) == names.end()) unknown.push_back(key);
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::string list;
    for (const std::string& k : unknown) list += (list.empty() ? "" : ", ") + k;
    return InvalidArgument("Unknown parameters: " + list);
  }
  PendingWrite pending;
  pending.db = resolved.db;
  pending.work = [s](db::WriteContext& ctx) { return RunExecute(ctx, *s); };
  pending.respond = [s]() {
    Answer answer;
    answer.headers = BlockFramingHeaders();
    format::JsonWriter w(answer.body.text);
    w.BeginObject();
    w.MemberBool("ok", true);
    w.Member("message", s->rowcount == -1
                            ? std::string("Query executed")
                            : "Query executed, " + std::to_string(s->rowcount) +
                                  (s->rowcount == 1 ? " row" : " rows") + " affected");
    w.Member("rowcount", s->rowcount);
    w.Key("rows");
    if (s->returns_rows) {
      WriteRowObjects(w, s->rows);
    } else {
      w.BeginArray();
      w.EndArray();
    }
    w.MemberBool("truncated", s->truncated);
    w.Key("analysis");
    WriteAnalysis(w, s->analysis);
    w.EndObject();
    return answer;
  };
  return Outcome::Later(std::move(pending));
}

}  // namespace almanac::api::write
