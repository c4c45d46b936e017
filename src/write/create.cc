#include "write/create.h"

#include <algorithm>
#include <set>
#include <utility>

#include "write/checks.h"
#include "write/create_request.h"
#include "write/table_ops.h"
#include "write/validate.h"

namespace almanac::write {
namespace {

using format::JsonValue;

// An existing table keeps its key; rows for a new table define its columns.
Status Resolve(CreateArgs& args, const db::Schema& schema) {
  const db::TableInfo* existing = schema.Find(args.table);
  if (!existing) {
    if (!args.rows.empty()) args.alter = true;
    return Status::Ok();
  }
  const std::vector<std::string>& actual = existing->primary_keys;
  const std::vector<std::string>& pks = args.pks;
  bool bad = (actual.size() == 1 && pks.size() == 1 && pks[0] != actual[0]) ||
             (actual.size() > 1 && !pks.empty() &&
              std::set<std::string>(pks.begin(), pks.end()) !=
                  std::set<std::string>(actual.begin(), actual.end()));
  if (bad) return InvalidArgument("pk cannot be changed for existing table");
  args.pks = actual;
  return Status::Ok();
}

// Missing primary-key columns go first, as INTEGER (sqlite-utils).
void AddKeyColumns(sql::TableDef& def) {
  std::vector<sql::ColumnDef> missing;
  for (const std::string& pk : def.primary_keys) {
    bool present = std::any_of(def.columns.begin(), def.columns.end(),
                               [&](const sql::ColumnDef& c) { return c.name == pk; });
    if (!present) missing.push_back(sql::ColumnDef{pk, "INTEGER", false, {}, {}});
  }
  def.columns.insert(def.columns.begin(), missing.begin(), missing.end());
}

Result<std::pair<std::string, std::string>> ResolveReference(const db::Schema& schema,
                                                             const sql::TableDef& def,
                                                             const ColumnSpec& c) {
  const std::string& other = *c.fk_table;
  if (c.fk_column) {
    bool self =
        other == def.name && std::any_of(def.columns.begin(), def.columns.end(),
                                         [&](const auto& d) { return d.name == *c.fk_column; });
    const db::TableInfo* target = schema.Find(other);
    if (!self && *c.fk_column != "rowid" && (!target || !target->FindColumn(*c.fk_column))) {
      return InvalidArgument("No such column: " + other + "." + *c.fk_column);
    }
    return std::make_pair(other, *c.fk_column);
  }
  if (other == def.name && def.primary_keys.size() == 1) {
    return std::make_pair(other, def.primary_keys[0]);
  }
  const db::TableInfo* target = schema.Find(other);
  if (!target || target->is_view() || target->primary_keys.size() != 1) {
    return InvalidArgument("Could not detect single primary key for table '" + other + "'");
  }
  return std::make_pair(other, target->primary_keys[0]);
}

Result<sql::TableDef> DefFromColumns(db::Connection& conn, const db::Schema& schema,
                                     const CreateArgs& args) {
  sql::TableDef def;
  def.name = args.table;
  def.primary_keys = args.pks;
  for (const ColumnSpec& c : args.columns) {
    sql::ColumnDef col{c.name, c.type, c.not_null, {}, {}};
    if (c.default_expr) {
      col.default_sql = *c.default_expr;
    } else if (c.default_value) {
      ALM_ASSIGN_OR_RETURN(col.default_sql, QuoteLiteral(conn, *c.default_value));
    }
    def.columns.push_back(std::move(col));
  }
  AddKeyColumns(def);
  for (const ColumnSpec& c : args.columns) {
    if (!c.fk_table) continue;
    ALM_ASSIGN_OR_RETURN(auto ref, ResolveReference(schema, def, c));
    for (sql::ColumnDef& col : def.columns) {
      if (col.name == c.name) col.references = ref;
    }
  }
  return def;
}

sql::TableDef DefFromRows(const CreateArgs& args) {
  TypeInference inference;
  for (const Row& row : args.rows) inference.Add(row);
  sql::TableDef def;
  def.name = args.table;
  def.primary_keys = args.pks;
  for (const auto& [name, type] : inference.Types()) {
    def.columns.push_back(sql::ColumnDef{name, type, false, {}, {}});
  }
  AddKeyColumns(def);
  return def;
}

Status InsertAll(db::Connection& conn, const std::string& table, const CreateArgs& args) {
  sql::Identifier name = sql::Identifier::FromSchema(table);
  for (const Row& row : args.rows) {
    std::vector<sql::Identifier> columns;
    for (const std::string& column : row.columns) {
      columns.push_back(sql::Identifier::FromSchema(column));
    }
    ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                         conn.Prepare(sql::InsertRow(name, columns, row.values, args.on_conflict)));
    ALM_ASSIGN_OR_RETURN(bool unused, stmt.Step());
    (void)unused;
  }
  return Status::Ok();
}

}  // namespace

Result<CreateArgs> ParseCreate(const JsonValue& body, const db::Schema& schema) {
  if (!body.is_object()) return InvalidArgument("JSON must be an object");
  std::vector<std::string> extra = ExtraKeys(
      body, {"table", "rows", "row", "columns", "pk", "pks", "ignore", "replace", "alter"});
  if (!extra.empty()) {
    std::sort(extra.begin(), extra.end());
    std::string keys;
    for (const std::string& k : extra) keys += (keys.empty() ? "" : ", ") + k;
    return InvalidArgument("Invalid keys: " + keys);
  }
  CreateRequest request;
  ALM_RETURN_IF_ERROR(ValidateCreateFields(body, request));
  ALM_RETURN_IF_ERROR(ValidateCreateRequest(body, request));
  CreateArgs& args = request.args;
  for (const JsonValue* row : request.rows) {
    ALM_ASSIGN_OR_RETURN(Row typed, RowFromJson(*row));
    args.rows.push_back(std::move(typed));
  }
  args.on_conflict = request.ignore    ? sql::OnConflict::kIgnore
                     : request.replace ? sql::OnConflict::kReplace
                                       : sql::OnConflict::kAbort;
  args.alter = request.alter_requested;
  ALM_RETURN_IF_ERROR(Resolve(args, schema));
  return std::move(args);
}

Status ValidateCreate(CreateArgs& args, const db::Schema& schema) {
  if (args.table.empty()) return InvalidArgument("Table is required");
  if (!ValidTableName(args.table)) return InvalidArgument("Invalid table name");
  if (args.columns.empty() && args.rows.empty()) {
    return InvalidArgument("columns, rows or row is required");
  }
  if (!args.columns.empty() && !args.rows.empty()) {
    return InvalidArgument("Cannot specify columns with rows or row");
  }
  ALM_RETURN_IF_ERROR(CheckDuplicateColumns(args.columns));
  if (args.on_conflict != sql::OnConflict::kAbort) {
    if (args.rows.empty()) return InvalidArgument("ignore and replace require row or rows");
    if (args.pks.empty()) return InvalidArgument("ignore and replace require pk or pks");
  }
  return Resolve(args, schema);
}

Status CheckCreate(const auth::PermissionEngine& engine, const auth::MaybeActor& actor,
                   const std::string& database, const CreateArgs& args, const db::Schema& schema) {
  ALM_RETURN_IF_ERROR(
      RequireDatabase(engine, actor, auth::Action::kCreateTable, database, "Permission denied"));
  if (args.on_conflict == sql::OnConflict::kReplace) {
    ALM_RETURN_IF_ERROR(RequireDatabase(engine, actor, auth::Action::kUpdateRow, database,
                                        "Permission denied: need update-row"));
  }
  if (args.rows.empty()) return Status::Ok();
  ALM_RETURN_IF_ERROR(RequireDatabase(engine, actor, auth::Action::kInsertRow, database,
                                      "Permission denied: need insert-row"));
  if (args.alter && schema.Find(args.table)) {
    ALM_RETURN_IF_ERROR(RequireDatabase(engine, actor, auth::Action::kAlterTable, database,
                                        "Permission denied: need alter-table"));
  }
  return Status::Ok();
}

Result<CreateResult> RunCreate(db::WriteContext& ctx, const CreateArgs& args) {
  db::Connection& conn = ctx.conn();
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* existing = schema->Find(args.table);
  if (args.rows.empty()) {
    ALM_ASSIGN_OR_RETURN(sql::TableDef def, DefFromColumns(conn, *schema, args));
    ALM_RETURN_IF_ERROR(conn.Exec(sql::CreateTableSql(def)));
  } else {
    if (!existing) {
      ALM_RETURN_IF_ERROR(conn.Exec(sql::CreateTableSql(DefFromRows(args))));
    } else if (args.alter) {
      ALM_RETURN_IF_ERROR(AddMissingColumns(conn, *existing, args.rows));
    }
    ALM_RETURN_IF_ERROR(InsertAll(conn, existing ? existing->name : args.table, args));
  }
  CreateResult result;
  ALM_ASSIGN_OR_RETURN(result.schema, TableSchemaSql(conn, args.table));
  return result;
}

}  // namespace almanac::write
