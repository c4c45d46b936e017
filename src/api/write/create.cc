// POST /<db>/-/create (Datasette's TableCreateView): a table from explicit columns, or from
// example rows (types inferred as sqlite-utils does), optionally inserting those rows.
#include <algorithm>
#include <memory>
#include <set>

#include "api/resolve.h"
#include "api/write/common.h"
#include "api/write/validate.h"
#include "api/write/write.h"

namespace almanac::api::write {
namespace {

using format::JsonValue;

struct ColumnRequest {
  std::string name;
  std::string type = "TEXT";
  bool not_null = false;
  std::optional<Value> default_value;
  std::optional<std::string> default_expr;  // SQL
  std::optional<std::string> fk_table;
  std::optional<std::string> fk_column;
};

struct CreateState {
  JsonValue body;
  std::string table;
  std::vector<ColumnRequest> columns;
  std::vector<const JsonValue*> rows;
  std::vector<std::string> pks;
  bool ignore = false;
  bool replace = false;
  bool alter_requested = false;
  bool alter = false;
  std::string schema;  // the CREATE statement afterwards
};

bool Truthy(const JsonValue* v) { return v && v->Truthy(); }

std::string Str(const JsonValue& v) {
  return v.is_string() ? v.as_string() : format::ToJsonText(v);
}

// One entry of "columns": field errors first (as pydantic reports them), then the model checks.
Status ValidateColumn(const JsonValue& column, size_t i, ColumnRequest& out) {
  std::string loc = "columns." + std::to_string(i);
  std::vector<std::string> errors;
  for (const std::string& key : ExtraKeys(column, {"name", "type", "fk_table", "fk_column",
                                                   "not_null", "default", "default_expr"})) {
    errors.push_back(loc + "." + key + ": Extra inputs are not permitted");
  }
  const JsonValue* expr = column.Find("default_expr");
  if (expr && !expr->is_null()) {
    if (!expr->is_string()) {
      errors.push_back(loc + ".default_expr: Input should be a valid string");
    } else if (!DefaultExprSql(expr->as_string())) {
      errors.push_back(loc + ".default_expr: " + DefaultExprError());
    }
  }
  if (const JsonValue* nn = column.Find("not_null")) {
    Result<bool> b = LaxBool(*nn, loc + ".not_null");
    if (!b.ok()) errors.push_back(b.status().message());
    if (b.ok()) out.not_null = *b;
  }
  for (const char* key : {"fk_table", "fk_column"}) {
    const JsonValue* v = column.Find(key);
    if (v && !v->is_null() && !v->is_string()) {
      errors.push_back(loc + "." + key + ": Input should be a valid string");
    }
  }
  if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, std::move(errors));
  const JsonValue* def = column.Find("default");
  if (def && expr) {
    return InvalidArgument(loc + ": Value error, default and default_expr cannot both be provided");
  }
  if (expr && expr->is_null()) {
    return InvalidArgument(loc + ": Value error, default_expr cannot be null");
  }
  const JsonValue* name = column.Find("name");
  if (!name || !name->is_string() || name->as_string().empty()) {
    return InvalidArgument("Column name is required");
  }
  out.name = name->as_string();
  const JsonValue* type = column.Find("type");
  if (type && type->Truthy()) {
    std::optional<std::string> sql_type =
        type->is_string() ? SqlTypeFor(type->as_string()) : std::nullopt;
    if (!sql_type) return InvalidArgument("Unsupported column type: " + Str(*type));
    out.type = *sql_type;
  }
  const JsonValue* fk_table = column.Find("fk_table");
  const JsonValue* fk_column = column.Find("fk_column");
  if (Truthy(fk_column) && !Truthy(fk_table)) {
    return InvalidArgument(loc + ": fk_column requires fk_table");
  }
  if (Truthy(fk_table)) out.fk_table = fk_table->as_string();
  if (Truthy(fk_column)) out.fk_column = fk_column->as_string();
  if (def && !def->is_null()) {
    if (def->is_array() || def->is_object()) {
      return InvalidArgument(loc + ".default: Input should be a string, number or boolean");
    }
    ALM_ASSIGN_OR_RETURN(out.default_value, CellValue(*def));
  }
  if (expr) out.default_expr = DefaultExprSql(expr->as_string());
  return Status::Ok();
}

// Field-level checks: "columns" and the three booleans.
Status ValidateFields(CreateState& s) {
  const JsonValue& data = s.body;
  std::vector<std::string> errors;
  const JsonValue* columns = data.Find("columns");
  if (columns && !columns->is_null()) {
    if (!columns->is_array()) return InvalidArgument("columns must be a list");
    for (const JsonValue& c : columns->as_array()) {
      if (!c.is_object()) return InvalidArgument("columns must be a list of objects");
    }
    for (size_t i = 0; i < columns->as_array().size(); ++i) {
      ColumnRequest column;
      Status st = ValidateColumn(columns->as_array()[i], i, column);
      if (!st.ok()) {
        errors.insert(errors.end(), st.messages().begin(), st.messages().end());
      } else {
        s.columns.push_back(std::move(column));
      }
    }
  }
  for (const char* key : {"ignore", "replace", "alter"}) {
    const JsonValue* v = data.Find(key);
    if (!v || v->is_null()) continue;
    Result<bool> b = LaxBool(*v, key);
    if (!b.ok()) {
      errors.push_back(b.status().message());
      continue;
    }
    bool& target = std::string_view(key) == "ignore"    ? s.ignore
                   : std::string_view(key) == "replace" ? s.replace
                                                        : s.alter_requested;
    target = *b;
  }
  if (!errors.empty()) return Status(ErrorCode::kInvalidArgument, std::move(errors));
  return Status::Ok();
}

// The request-level checks of Datasette's CreateTableRequest, in its order.
Status ValidateRequest(CreateState& s) {
  const JsonValue& data = s.body;
  const JsonValue* table = data.Find("table");
  const JsonValue* rows = data.Find("rows");
  const JsonValue* row = data.Find("row");
  const JsonValue* pk = data.Find("pk");
  const JsonValue* pks = data.Find("pks");
  if (!Truthy(table)) return InvalidArgument("Table is required");
  if (!table->is_string() || !ValidTableName(table->as_string())) {
    return InvalidArgument("Invalid table name");
  }
  s.table = table->as_string();
  bool has_columns = !s.columns.empty();
  if (!has_columns && !Truthy(rows) && !Truthy(row)) {
    return InvalidArgument("columns, rows or row is required");
  }
  if (Truthy(rows) && Truthy(row)) return InvalidArgument("Cannot specify both rows and row");
  if (has_columns && (Truthy(rows) || Truthy(row))) {
    return InvalidArgument("Cannot specify columns with rows or row");
  }
  std::vector<std::string> seen;
  std::vector<std::string> duplicates;
  for (const ColumnRequest& c : s.columns) {
    bool dup = std::find(seen.begin(), seen.end(), c.name) != seen.end();
    if (dup && std::find(duplicates.begin(), duplicates.end(), c.name) == duplicates.end()) {
      duplicates.push_back(c.name);
    }
    seen.push_back(c.name);
  }
  if (!duplicates.empty()) {
    std::string names;
    for (const std::string& d : duplicates) names += (names.empty() ? "" : ", ") + d;
    return InvalidArgument("Duplicate column name: " + names);
  }
  if (rows && !rows->is_null()) {
    if (!rows->is_array()) return InvalidArgument("rows must be a list");
    for (const JsonValue& r : rows->as_array()) {
      if (!r.is_object()) return InvalidArgument("rows must be a list of objects");
    }
  }
  if (pk && !pk->is_null() && !pk->is_string()) return InvalidArgument("pk must be a string");
  if (Truthy(pk) && Truthy(pks)) return InvalidArgument("Cannot specify both pk and pks");
  if (pks && !pks->is_null()) {
    if (!pks->is_array()) return InvalidArgument("pks must be a list");
    for (const JsonValue& p : pks->as_array()) {
      if (!p.is_string()) return InvalidArgument("pks must be a list of strings");
    }
  }
  if (s.ignore && s.replace) return InvalidArgument("ignore and replace are mutually exclusive");
  if (data.Find("ignore") || data.Find("replace")) {
    if (!Truthy(row) && !Truthy(rows)) {
      return InvalidArgument("ignore and replace require row or rows");
    }
    if (!Truthy(pk) && !Truthy(pks)) return InvalidArgument("ignore and replace require pk or pks");
  }
  if (Truthy(row)) {
    if (!row->is_object()) return InvalidArgument("row must be an object");
    s.rows.push_back(row);
  } else if (Truthy(rows)) {
    for (const JsonValue& r : rows->as_array()) s.rows.push_back(&r);
  }
  if (Truthy(pk)) {
    s.pks.push_back(pk->as_string());
  } else if (Truthy(pks)) {
    for (const JsonValue& p : pks->as_array()) s.pks.push_back(p.as_string());
  }
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
  ALM_RETURN_IF_ERROR(ValidateFields(*s));
  ALM_RETURN_IF_ERROR(ValidateRequest(*s));
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
