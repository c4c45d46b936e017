#include "db/sql_analysis.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include <sqlite3.h>

#include "core/text.h"
#include "db/authorizer.h"

namespace almanac::db {
namespace {

using Opt = std::optional<std::string>;

Opt OptOf(const char* s) { return s ? Opt(s) : std::nullopt; }

struct Recorded {
  SqlOperation op;
  Opt sqlite_schema;
};

struct Collector {
  std::string database_name;
  std::vector<Recorded> ops;

  Opt DatabaseFor(const Opt& schema) const {
    if (schema && *schema == "main") return database_name;
    return schema;
  }
  void Record(std::string operation, std::string target_type, Opt sqlite_schema, Opt table,
              Opt target, Opt source, bool map_database = true) {
    Recorded r;
    r.op.operation = std::move(operation);
    r.op.target_type = std::move(target_type);
    r.op.database = map_database ? DatabaseFor(sqlite_schema) : std::nullopt;
    r.op.table = std::move(table);
    r.op.target = std::move(target);
    r.op.source = std::move(source);
    r.sqlite_schema = std::move(sqlite_schema);
    for (const Recorded& seen : ops) {
      if (seen.op == r.op && seen.sqlite_schema == r.sqlite_schema) return;
    }
    ops.push_back(std::move(r));
  }
};

bool IsSchemaTable(std::string_view name) {
  return name == "sqlite_master" || name == "sqlite_schema" || name == "sqlite_temp_master" ||
         name == "sqlite_temp_schema";
}

std::pair<const char*, const char*> SchemaAction(int action) {
  switch (action) {
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TEMP_INDEX:
      return {"create", "index"};
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TEMP_TABLE:
      return {"create", "table"};
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_TEMP_TRIGGER:
      return {"create", "trigger"};
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_TEMP_VIEW:
      return {"create", "view"};
    case SQLITE_CREATE_VTABLE:
      return {"create", "virtual-table"};
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TEMP_INDEX:
      return {"drop", "index"};
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TEMP_TABLE:
      return {"drop", "table"};
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_TEMP_TRIGGER:
      return {"drop", "trigger"};
    case SQLITE_DROP_VIEW:
    case SQLITE_DROP_TEMP_VIEW:
      return {"drop", "view"};
    case SQLITE_DROP_VTABLE:
      return {"drop", "virtual-table"};
    default:
      return {nullptr, nullptr};
  }
}

int Callback(void* user, int action, const char* a1, const char* a2, const char* schema_name,
             const char* source_name) {
  auto& c = *static_cast<Collector*>(user);
  Opt schema = OptOf(schema_name);
  Opt source = OptOf(source_name);
  const char* table_op = action == SQLITE_READ     ? "read"
                         : action == SQLITE_INSERT ? "insert"
                         : action == SQLITE_UPDATE ? "update"
                         : action == SQLITE_DELETE ? "delete"
                                                   : nullptr;
  if (table_op && a1) {
    bool is_schema = IsSchemaTable(a1);
    c.Record(table_op, is_schema ? "schema" : "table", schema, is_schema ? std::nullopt : Opt(a1),
             Opt(a1), source);
    return SQLITE_OK;
  }
  auto [schema_op, schema_type] = SchemaAction(action);
  if (schema_op && a1) {
    std::string type(schema_type);
    Opt related = (type == "index" || type == "trigger") ? OptOf(a2) : Opt(a1);
    c.Record(schema_op, type, schema, related, Opt(a1), source);
    return SQLITE_OK;
  }
  switch (action) {
    case SQLITE_ALTER_TABLE:
      if (a2) c.Record("alter", "table", OptOf(a1), Opt(a2), Opt(a2), source);
      return SQLITE_OK;
    case SQLITE_TRANSACTION:
      if (a1) c.Record(AsciiLower(a1), "transaction", std::nullopt, std::nullopt, Opt(a1), source);
      return SQLITE_OK;
    case SQLITE_ATTACH:
      if (a1) c.Record("attach", "database", std::nullopt, std::nullopt, Opt(a1), source);
      return SQLITE_OK;
    case SQLITE_DETACH:
      if (a1) c.Record("detach", "database", std::nullopt, std::nullopt, Opt(a1), source);
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      if (a1) c.Record("pragma", "pragma", schema, std::nullopt, Opt(a1), source, false);
      return SQLITE_OK;
    case SQLITE_ANALYZE:
      c.Record("analyze", a1 ? "table" : "database", schema, OptOf(a1), OptOf(a1), source);
      return SQLITE_OK;
    case SQLITE_REINDEX:
      if (a1) c.Record("reindex", "index", schema, std::nullopt, Opt(a1), source);
      return SQLITE_OK;
    case SQLITE_SELECT:
      c.Record("select", "statement", schema, std::nullopt, std::nullopt, source, false);
      return SQLITE_OK;
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (a2) c.Record("function", "function", schema, std::nullopt, Opt(a2), source, false);
      return SQLITE_OK;
    case SQLITE_SAVEPOINT:
      if (a1) {
        std::string target = a2 ? std::string(a1) + " " + a2 : std::string(a1);
        c.Record("savepoint", "transaction", schema, std::nullopt, target, source, false);
      }
      return SQLITE_OK;
    default:
      c.Record("unknown", "unknown", schema, std::nullopt, "SQLITE_" + std::to_string(action),
               source);
      return SQLITE_OK;
  }
}

// pragma_table_list's type for a table: table, view, virtual or shadow ("" when unknown).
std::string TableKind(Connection& conn, const Opt& schema, const std::string& table) {
  Result<Statement> stmt =
      conn.Prepare({"select type from pragma_table_list where schema = ? and name = ?",
                    {Value::Text(schema.value_or("main")), Value::Text(table)}});
  if (!stmt.ok()) return {};
  Result<bool> row = stmt->Step();
  if (!row.ok() || !*row) return {};
  return std::string(stmt->ColumnText(0));
}

// SQLite reports a table of a join from which no column is read (joined with USING or NATURAL,
// or the FROM of an UPDATE ... FROM) as a read of column "" without a schema name. The schema
// is the one SQLite's name resolution picks for an unqualified name: temp, then main, then the
// attached databases; nullopt when no schema has that table.
Opt SchemaOfTable(Connection& conn, const std::string& table) {
  Result<Statement> stmt =
      conn.Prepare({"select schema from pragma_table_list where name = ? "
                    "order by schema = 'temp' desc, schema = 'main' desc limit 1",
                    {Value::Text(table)}});
  if (!stmt.ok()) return std::nullopt;
  Result<bool> row = stmt->Step();
  if (!row.ok() || !*row) return std::nullopt;
  return std::string(stmt->ColumnText(0));
}

void ResolveUnnamedSchemas(Connection& conn, Collector& collector) {
  std::vector<Recorded> resolved;
  for (Recorded& r : collector.ops) {
    if (r.op.operation == "read" && r.op.target_type == "table" && r.op.table && !r.sqlite_schema) {
      r.sqlite_schema = SchemaOfTable(conn, *r.op.table);
      r.op.database = collector.DatabaseFor(r.sqlite_schema);
    }
    bool seen = std::any_of(resolved.begin(), resolved.end(), [&](const Recorded& other) {
      return other.op == r.op && other.sqlite_schema == r.sqlite_schema;
    });
    if (!seen) resolved.push_back(std::move(r));
  }
  collector.ops = std::move(resolved);
}

// Whether SQL that reported no callbacks at all is a VACUUM (Datasette reads EXPLAIN's opcodes).
Result<bool> IsVacuum(Connection& conn, std::string_view sql) {
  std::string explain = "EXPLAIN " + std::string(sql);
  ALM_ASSIGN_OR_RETURN(Statement stmt, conn.PrepareUser(explain));
  for (;;) {
    ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return false;
    if (stmt.ColumnText(1) == "Vacuum") return true;
  }
}

constexpr std::array<std::string_view, 9> kInternalSchemaFunctions = {"length",
                                                                      "like",
                                                                      "printf",
                                                                      "sqlite_drop_column",
                                                                      "sqlite_rename_column",
                                                                      "sqlite_rename_quotefix",
                                                                      "sqlite_rename_table",
                                                                      "sqlite_rename_test",
                                                                      "substr"};

void MarkInternal(std::vector<Recorded>& ops) {
  auto is_table_access = [](const SqlOperation& op) {
    return op.target_type == "table" && (op.operation == "read" || op.operation == "insert" ||
                                         op.operation == "update" || op.operation == "delete");
  };
  bool has_schema_op = false;
  std::set<std::pair<Opt, Opt>> dropped;
  for (const Recorded& r : ops) {
    const SqlOperation& op = r.op;
    bool schema_target = op.target_type == "table" || op.target_type == "index" ||
                         op.target_type == "view" || op.target_type == "trigger" ||
                         op.target_type == "virtual-table";
    if (schema_target &&
        (op.operation == "create" || op.operation == "alter" || op.operation == "drop")) {
      has_schema_op = true;
    }
    if (op.operation == "drop" && (op.target_type == "table" || op.target_type == "view")) {
      dropped.emplace(op.database, op.table);
    }
  }
  auto drop_delete = [&](const SqlOperation& op) {
    return op.operation == "delete" && op.target_type == "table" &&
           dropped.count({op.database, op.table}) > 0;
  };
  bool user_table_access = std::any_of(ops.begin(), ops.end(), [&](const Recorded& r) {
    return is_table_access(r.op) && !drop_delete(r.op);
  });
  for (Recorded& r : ops) {
    SqlOperation& op = r.op;
    bool internal_function =
        op.operation == "function" && op.target &&
        std::find(kInternalSchemaFunctions.begin(), kInternalSchemaFunctions.end(), *op.target) !=
            kInternalSchemaFunctions.end();
    op.internal = (has_schema_op && op.target_type == "schema") ||
                  (has_schema_op && op.operation == "reindex") ||
                  (has_schema_op && !user_table_access && internal_function) || drop_delete(op);
  }
}

}  // namespace

bool IsWriteOperation(const SqlOperation& op) {
  return op.operation != "read" && op.operation != "select" && op.operation != "function";
}

Result<AnalyzedStatement> AnalyzeStatement(Connection& conn, std::string_view sql,
                                           std::string_view database_name) {
  Collector collector;
  collector.database_name = std::string(database_name);
  sqlite3_set_authorizer(conn.handle(), &Callback, &collector);
  // Compiled anew: a statement reused from the connection's cache would report nothing.
  Result<Statement> prepared = conn.PrepareUser(sql, /*compile_again=*/true);
  sqlite3_set_authorizer(conn.handle(), nullptr, nullptr);
  ForgetReadOnlyGate(conn.handle());  // replaced above: installed again when next needed
  if (!prepared.ok()) return prepared.status();
  AnalyzedStatement out{std::move(prepared).value(), {}};
  if (collector.ops.empty()) {
    ALM_ASSIGN_OR_RETURN(bool vacuum, IsVacuum(conn, sql));
    if (vacuum) {
      collector.Record("vacuum", "database", Opt("main"), std::nullopt, collector.database_name,
                       std::nullopt);
    } else {
      collector.Record("unknown", "statement", std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, false);
      collector.ops.back().op.database = collector.database_name;
    }
  }
  ResolveUnnamedSchemas(conn, collector);
  MarkInternal(collector.ops);
  for (Recorded& r : collector.ops) {
    SqlOperation& op = r.op;
    bool access =
        op.target_type == "table" && (op.operation == "read" || op.operation == "insert" ||
                                      op.operation == "update" || op.operation == "delete");
    if (access && op.table) op.table_kind = TableKind(conn, r.sqlite_schema, *op.table);
    out.operations.push_back(std::move(op));
  }
  return out;
}

}  // namespace almanac::db
