#include "write/execute_write.h"

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <optional>

#include "db/connection.h"
#include "sql/query.h"
#include "write/cells.h"
#include "write/checks.h"
#include "write/table_ops.h"

namespace almanac::write {
namespace {

constexpr size_t kReturningLimit = 10;

std::atomic<int64_t> time_limit_ms{0};

using format::JsonValue;

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

Value ParamValue(const JsonValue& v) {
  Result<Value> cell = CellValue(v);
  return cell.ok() ? *cell : Value::Text(format::ToJsonText(v));
}

std::string JoinSorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& k : items) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace

Result<ExecuteWriteArgs> ParseExecuteWrite(const JsonValue& data, std::string database) {
  if (!data.is_object()) return InvalidArgument("JSON must be a dictionary");
  std::vector<std::string> invalid;
  for (const auto& [key, value] : data.as_object()) {
    if (key != "sql" && key != "params") invalid.push_back(key);
  }
  if (!invalid.empty()) return InvalidArgument("Invalid keys: " + JoinSorted(invalid));
  ExecuteWriteArgs args;
  args.database = std::move(database);
  const JsonValue* params = data.Find("params");
  if (params && params->Truthy()) {
    if (!params->is_object()) return InvalidArgument("params must be a dictionary");
    for (const auto& [key, value] : params->as_object()) {
      args.params.emplace_back(key, ParamValue(value));
    }
  }
  const JsonValue* sql = data.Find("sql");
  if (sql && sql->is_string()) args.sql = sql->as_string();
  ALM_RETURN_IF_ERROR(ValidateExecuteWrite(args));
  return args;
}

Status ValidateExecuteWrite(const ExecuteWriteArgs& args) {
  if (args.sql.empty()) return InvalidArgument("SQL is required");
  std::vector<std::string> names = sql::NamedParameters(args.sql);
  for (const std::string& name : names) {
    if (name.starts_with("_")) return InvalidArgument("Magic parameters are not allowed");
  }
  std::vector<std::string> unknown;
  for (const auto& [key, value] : args.params) {
    if (std::find(names.begin(), names.end(), key) == names.end()) unknown.push_back(key);
  }
  if (!unknown.empty()) return InvalidArgument("Unknown parameters: " + JoinSorted(unknown));
  return Status::Ok();
}

Status CheckExecuteWrite(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                         const std::string& database, const ExecuteWriteArgs& /*args*/) {
  return RequireDatabase(engine, actor, auth::Action::kExecuteWriteSql, database,
                         "Permission denied: need execute-write-sql");
}

Status CheckWriteOperations(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                            const std::string& database,
                            const std::vector<db::SqlOperation>& operations) {
  if (!std::any_of(operations.begin(), operations.end(), db::IsWriteOperation)) {
    return InvalidArgument("Use /-/query for read-only SQL; this endpoint only executes writes");
  }
  for (const db::SqlOperation& op : operations) {
    Decision d = DecisionFor(op);
    if (d.kind == DecisionKind::kIgnore) continue;
    if (d.kind != DecisionKind::kRequire) return PermissionDenied(d.message);
    if (op.database != database) {
      return PermissionDenied("Writable queries may not access attached databases");
    }
    for (const auto& [action, resource] : d.permissions) {
      if (!engine.Allowed(actor, action, resource)) {
        return PermissionDenied("Permission denied: need " + std::string(auth::Info(action).name) +
                                " on " + ResourceText(resource));
      }
    }
  }
  return Status::Ok();
}

std::vector<auth::Action> RequiredActions(const db::SqlOperation& op) {
  std::vector<auth::Action> actions;
  for (const auto& [action, resource] : DecisionFor(op).permissions) actions.push_back(action);
  return actions;
}

void SetExecuteWriteTimeLimit(std::chrono::milliseconds limit) {
  time_limit_ms.store(limit.count(), std::memory_order_relaxed);
}

Result<ExecuteWriteResult> RunExecuteWrite(db::WriteContext& ctx, const ExecuteWriteArgs& args,
                                           const auth::PermissionEngine& engine,
                                           const auth::MaybeActor& actor) {
  db::Connection& conn = ctx.conn();
  std::optional<db::DeadlineScope> limit;
  if (int64_t ms = time_limit_ms.load(std::memory_order_relaxed); ms > 0) {
    limit.emplace(conn, db::Clock::now() + std::chrono::milliseconds(ms));
  }
  Result<db::AnalyzedStatement> analyzed = db::AnalyzeStatement(conn, args.sql, args.database);
  if (!analyzed.ok())
    return InvalidArgument("Could not analyze query: " + analyzed.status().message());
  ExecuteWriteResult result;
  result.operations = analyzed->operations;
  ALM_RETURN_IF_ERROR(CheckWriteOperations(engine, actor, args.database, result.operations));
  db::Statement& stmt = analyzed->statement;
  for (int i = 1; i <= stmt.ParameterCount(); ++i) {
    std::string name = stmt.ParameterName(i);
    Value value = Value::Text("");
    for (const auto& [k, v] : args.params) {
      if (k == name) value = v;
    }
    ALM_RETURN_IF_ERROR(stmt.Bind(i, value));
  }
  int n = stmt.ColumnCount();
  result.returns_rows = n > 0;
  for (int i = 0; i < n; ++i) result.rows.columns.emplace_back(stmt.ColumnName(i));
  size_t count = 0;
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (count++ >= kReturningLimit) {
      result.truncated = true;
      continue;
    }
    for (int i = 0; i < n; ++i) result.rows.cells.push_back(stmt.Column(i));
  }
  result.rowcount = IsDml(args.sql) && !result.truncated ? conn.Changes() : -1;
  return result;
}

}  // namespace almanac::write
