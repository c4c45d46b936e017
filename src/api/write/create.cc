// POST /<db>/-/create (Datasette's TableCreateView): a table from explicit columns, or from
// example rows (types inferred as sqlite-utils does), optionally inserting those rows.
#include <algorithm>
#include <memory>
#include <set>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/create_request.h"
#include "api/write/validate.h"
#include "api/write/write.h"

namespace almanac::api::write {
namespace {

using format::JsonValue;

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
                                                             const ColumnRequest& c) {
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
                                     const CreateState& s) {
  sql::TableDef def;
  def.name = s.table;
  def.primary_keys = s.pks;
  for (const ColumnRequest& c : s.columns) {
    sql::ColumnDef col{c.name, c.type, c.not_null, {}, {}};
    if (c.default_expr) {
      col.default_sql = *c.default_expr;
    } else if (c.default_value) {
      ALM_ASSIGN_OR_RETURN(col.default_sql, QuoteLiteral(conn, *c.default_value));
    }
    def.columns.push_back(std::move(col));
  }
  AddKeyColumns(def);
  for (const ColumnRequest& c : s.columns) {
    if (!c.fk_table) continue;
    ALM_ASSIGN_OR_RETURN(auto ref, ResolveReference(schema, def, c));
    for (sql::ColumnDef& col : def.columns) {
      if (col.name == c.name) col.references = ref;
    }
  }
  return def;
}

sql::TableDef DefFromRows(const CreateState& s) {
  TypeInference inference;
  for (const JsonValue* row : s.rows) {
    for (const auto& [key, cell] : row->as_object()) inference.Add(key, cell);
  }
  sql::TableDef def;
  def.name = s.table;
  def.primary_keys = s.pks;
  for (const auto& [name, type] : inference.Types()) {
    def.columns.push_back(sql::ColumnDef{name, type, false, {}, {}});
  }
  AddKeyColumns(def);
  return def;
}

Status InsertAll(db::Connection& conn, const std::string& table, const CreateState& s) {
  sql::OnConflict mode = s.ignore    ? sql::OnConflict::kIgnore
                         : s.replace ? sql::OnConflict::kReplace
                                     : sql::OnConflict::kAbort;
  sql::Identifier name = sql::Identifier::FromSchema(table);
  for (const JsonValue* row : s.rows) {
    std::vector<sql::Identifier> columns;
    std::vector<Value> values;
    for (const auto& [key, cell] : row->as_object()) {
      columns.push_back(sql::Identifier::FromSchema(key));
      ALM_ASSIGN_OR_RETURN(Value v, CellValue(cell));
      values.push_back(std::move(v));
    }
    ALM_ASSIGN_OR_RETURN(db::Statement stmt,
                         conn.Prepare(sql::InsertRow(name, columns, std::move(values), mode)));
    ALM_ASSIGN_OR_RETURN(bool unused, stmt.Step());
    (void)unused;
  }
  return Status::Ok();
}

Status RunCreate(db::WriteContext& ctx, CreateState& s) {
  db::Connection& conn = ctx.conn();
  ALM_ASSIGN_OR_RETURN(auto schema, ctx.CurrentSchema());
  const db::TableInfo* existing = schema->Find(s.table);
  if (s.rows.empty()) {
    ALM_ASSIGN_OR_RETURN(sql::TableDef def, DefFromColumns(conn, *schema, s));
    ALM_RETURN_IF_ERROR(conn.Exec(sql::CreateTableSql(def)));
  } else {
    if (!existing) {
      ALM_RETURN_IF_ERROR(conn.Exec(sql::CreateTableSql(DefFromRows(s))));
    } else if (s.alter) {
      ALM_RETURN_IF_ERROR(AddMissingColumns(conn, *existing, s.rows));
    }
    ALM_RETURN_IF_ERROR(InsertAll(conn, existing ? existing->name : s.table, s));
  }
  ALM_ASSIGN_OR_RETURN(s.schema, TableSchemaSql(conn, s.table));
  return Status::Ok();
}

}  // namespace

Result<Outcome> CreateTable(const Instance& instance, const Request& request,
                            const std::string& database) {
  ALM_ASSIGN_OR_RETURN(ResolvedDatabase resolved, ResolveDatabase(instance, database));
  ALM_RETURN_IF_ERROR(RequireDatabase(instance, request, auth::Action::kCreateTable, database,
                                      "Permission denied"));
  auto s = std::make_shared<CreateState>();
  ALM_ASSIGN_OR_RETURN(s->body, ParseBody(request));
  if (!s->body.is_object()) return InvalidArgument("JSON must be an object");
  std::vector<std::string> extra = ExtraKeys(
      s->body, {"table", "rows", "row", "columns", "pk", "pks", "ignore", "replace", "alter"});
  if (!extra.empty()) {
    std::sort(extra.begin(), extra.end());
    std::string keys;
    for (const std::string& k : extra) keys += (keys.empty() ? "" : ", ") + k;
    return InvalidArgument("Invalid keys: " + keys);
  }
  ALM_RETURN_IF_ERROR(ValidateCreateFields(*s));
  ALM_RETURN_IF_ERROR(ValidateCreateRequest(*s));
  if (s->replace) {
    ALM_RETURN_IF_ERROR(RequireDatabase(instance, request, auth::Action::kUpdateRow, database,
                                        "Permission denied: need update-row"));
  }
  const db::TableInfo* existing = resolved.schema->Find(s->table);
  if (!s->rows.empty()) {
    ALM_RETURN_IF_ERROR(RequireDatabase(instance, request, auth::Action::kInsertRow, database,
                                        "Permission denied: need insert-row"));
    for (const JsonValue* row : s->rows) {
      for (const auto& [key, cell] : row->as_object())
        ALM_RETURN_IF_ERROR(CellValue(cell).status());
    }
    if (!existing) {
      s->alter = true;
    } else if (s->alter_requested) {
      ALM_RETURN_IF_ERROR(RequireDatabase(instance, request, auth::Action::kAlterTable, database,
                                          "Permission denied: need alter-table"));
      s->alter = true;
    }
  }
  if (existing) {
    const std::vector<std::string>& actual = existing->primary_keys;
    bool bad = (actual.size() == 1 && s->pks.size() == 1 && s->pks[0] != actual[0]) ||
               (actual.size() > 1 && !s->pks.empty() &&
                std::set<std::string>(s->pks.begin(), s->pks.end()) !=
                    std::set<std::string>(actual.begin(), actual.end()));
    if (bad) return InvalidArgument("pk cannot be changed for existing table");
    s->pks = actual;
  }
  if (!resolved.db->is_mutable()) return PermissionDenied("Database is immutable");
  PendingWrite pending;
  pending.db = resolved.db;
  pending.work = [s](db::WriteContext& ctx) { return RunCreate(ctx, *s); };
  std::string table_url = TableUrl(request, database, s->table, false);
  std::string api_url = TableUrl(request, database, s->table, true);
  pending.respond = [s, database, table_url, api_url]() {
    Answer answer;
    answer.status = 201;
    format::JsonWriter w(answer.body.text);
    w.BeginObject();
    w.MemberBool("ok", true);
    w.Member("database", database);
    w.Member("table", s->table);
    w.Member("table_url", table_url);
    w.Member("table_api_url", api_url);
    w.Member("schema", s->schema);
    if (!s->rows.empty()) w.Member("row_count", static_cast<int64_t>(s->rows.size()));
    w.EndObject();
    return answer;
  };
  return Outcome::Later(std::move(pending));
}

}  // namespace almanac::api::write
