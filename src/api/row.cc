#include "api/row.h"

#include "api/catalog.h"
#include "api/extras.h"
#include "api/labels.h"
#include "api/resolve.h"
#include "api/table.h"
#include "core/url.h"
#include "db/execute.h"
#include "links/link_index.h"
#include "links/link_reader.h"

namespace almanac::api {
namespace {

using format::JsonValue;

std::string ForeignKeyLink(const Instance& instance, const ResolvedTable& resolved,
                           const db::ForeignKey& fk, const std::string& value) {
  std::string key =
      fk.other_column.starts_with("_") ? fk.other_column + "__exact" : fk.other_column;
  return instance.urls().Table(resolved.db->name(), fk.other_table) + "?" + key + "=" + value;
}

// Tables whose rows point at this row through a foreign key, with how many do (Datasette's
// foreign_key_tables). Read from the links index's stored counters when the database has one
// (docs/links.md); else counted. Empty for compound keys, or when counting runs out of time.
// Only the tables the actor may view.
Result<std::vector<ForeignKeyTable>> ForeignKeyTables(const Instance& instance,
                                                      const Request& request,
                                                      const ResolvedTable& resolved,
                                                      const std::vector<std::string>& pk_values) {
  std::vector<ForeignKeyTable> out;
  const db::TableInfo& table = *resolved.table;
  const std::vector<db::ForeignKey> incoming =
      ViewableForeignKeys(instance, request, resolved.db->name(), table.incoming);
  if (pk_values.size() != 1 || incoming.empty()) return out;
  const links::LinkIndex* index =
      instance.link_indexes ? instance.link_indexes->Find(resolved.db->name()) : nullptr;
  if (index) {
    ALM_ASSIGN_OR_RETURN(std::vector<links::SourceCount> counts,
                         links::CountLinks(*index, *resolved.conn, table.name, pk_values[0]));
    for (const db::ForeignKey& fk : incoming) {
      int64_t n = 0;
      for (const links::SourceCount& count : counts) {
        if (count.table == fk.other_table && count.column == fk.other_column) n = count.count;
      }
      out.push_back({fk, n, ForeignKeyLink(instance, resolved, fk, pk_values[0])});
    }
    return out;
  }
  sql::QueryBuilder b;
  b.Add("select ");
  for (size_t i = 0; i < incoming.size(); ++i) {
    const db::ForeignKey& fk = incoming[i];
    if (i) b.Add(", ");
    b.Add("(select count(*) from ").Name(sql::Identifier::FromSchema(fk.other_table));
    b.Add(" where ").Name(sql::Identifier::FromSchema(fk.other_column)).Add(" = ");
    b.Bind(Value::Text(pk_values[0])).Add(")");
  }
  db::Limits limits;
  if (instance.settings.sql_time_limit_ms > 0) {
    limits.deadline =
        db::Clock::now() + std::chrono::milliseconds(instance.settings.sql_time_limit_ms);
  }
  Result<db::QueryResult> counts = db::Execute(*resolved.conn, b.query(), limits);
  if (!counts.ok()) {
    if (counts.status().code() == ErrorCode::kDeadlineExceeded) return out;
    return counts.status();
  }
  for (size_t i = 0; i < incoming.size(); ++i) {
    const db::ForeignKey& fk = incoming[i];
    const Value& n = counts->rows.empty() ? Value() : counts->rows.at(0, i);
    out.push_back({fk, n.type() == Value::Type::kInteger ? n.integer() : 0,
                   ForeignKeyLink(instance, resolved, fk, pk_values[0])});
  }
  return out;
}

// Datasette's text for the row's SELECT: select * (rowid, * for rowid tables) by "pk"=:pN.
JsonValue RowQueryJson(const db::TableInfo& table, const std::vector<std::string>& values) {
  std::vector<std::string> pks =
      table.uses_rowid() ? std::vector<std::string>{"rowid"} : table.primary_keys;
  std::string sql = std::string("select ") + (table.uses_rowid() ? "rowid, *" : "*") + " from " +
                    sql::EscapeIdentifier(table.name) + " where ";
  JsonValue params = JsonValue::MakeObject();
  for (size_t i = 0; i < pks.size(); ++i) {
    if (i) sql += " AND ";
    sql += "\"" + pks[i] + "\"=:p" + std::to_string(i);
    if (i < values.size()) params.Set("p" + std::to_string(i), JsonValue::String(values[i]));
  }
  JsonValue out = JsonValue::MakeObject();
  out.Set("sql", JsonValue::String(sql));
  out.Set("params", std::move(params));
  return out;
}

Status ResolveRowExtras(const Instance& instance, const Request& request,
                        const ResolvedTable& resolved, RowPage& page) {
  std::set<std::string> extras = RequestedExtras(request);
  ALM_RETURN_IF_ERROR(ValidateExtras(extras, ExtraScope::kRow));
  const db::TableInfo& table = *resolved.table;
  auto set = [&](const char* name, JsonValue value) {
    if (extras.count(name)) page.extra_json.emplace_back(name, std::move(value));
  };
  if (extras.count("columns")) {
    JsonValue::Array columns;
    for (const std::string& c : page.rows.columns) columns.push_back(JsonValue::String(c));
    set("columns", JsonValue::MakeArray(std::move(columns)));
  }
  if (extras.count("column_details")) set("column_details", ColumnDetailsJson(table));
  set("render_cell", EmptyRenderCells(page.rows.size()));
  if (extras.count("debug")) {
    JsonValue debug = JsonValue::MakeObject();
    debug.Set("url_vars", UrlVarsJson(request));
    debug.Set("resolved", RowQueryJson(table, page.primary_key_values));
    set("debug", std::move(debug));
  }
  if (extras.count("request")) set("request", RequestJson(request));
  if (extras.count("query")) set("query", RowQueryJson(table, page.primary_key_values));
  set("column_types", JsonValue::MakeObject());
  if (extras.count("metadata")) {
    set("metadata", TableMetadataJson(instance, page.database, page.table));
  }
  if (extras.count("extras")) set("extras", ExtrasListJson(request, ExtraScope::kRow, extras));
  set("database_color", JsonValue::String(DatabaseColor(page.database)));
  if (extras.count("private")) {
    set("private", JsonValue::Bool(IsPrivate(instance, request, auth::Action::kViewTable,
                                             auth::Resource::Table(page.database, page.table))));
  }
  if (extras.count("foreign_key_tables")) {
    ALM_ASSIGN_OR_RETURN(page.foreign_key_tables,
                         ForeignKeyTables(instance, request, resolved, page.primary_key_values));
  }
  page.extras.assign(extras.begin(), extras.end());
  return Status::Ok();
}

}  // namespace

Result<RowPage> BuildRowPage(const Instance& instance, const Request& request,
                             std::string_view database, std::string_view table_name,
                             std::string_view pks_path) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, database, table_name));
  const db::TableInfo& table = *resolved.table;
  ALM_RETURN_IF_ERROR(Require(instance, request, auth::Action::kViewTable,
                              auth::Resource::Table(std::string(database), table.name),
                              "You do not have permission to view this table"));
  if (table.is_view()) return NotFound("Row not found");

  std::vector<std::string> values;
  size_t start = 0;
  for (;;) {
    size_t comma = pks_path.find(',', start);
    values.push_back(TildeDecode(pks_path.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  bool use_rowid = table.uses_rowid();
  size_t expected = use_rowid ? 1 : table.primary_keys.size();
  if (values.size() != expected) {
    return InvalidArgument("URL row identifier does not match the primary key for this table");
  }

  sql::QueryBuilder b;
  b.Add("select ");
  if (use_rowid) b.Add("rowid, ");
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i) b.Add(", ");
    b.Add(sql::Identifier::FromSchema(table.columns[i].name));
  }
  b.Add(" from ").Add(sql::Identifier::FromSchema(table.name)).Add(" where ");
  if (use_rowid) {
    b.Add("rowid = ").Bind(Value::Text(values[0]));
  } else {
    for (size_t i = 0; i < table.primary_keys.size(); ++i) {
      if (i) b.Add(" and ");
      b.Add(sql::Identifier::FromSchema(table.primary_keys[i]))
          .Add(" = ")
          .Bind(Value::Text(values[i]));
    }
  }
  ALM_ASSIGN_OR_RETURN(db::QueryResult result,
                       db::Execute(*resolved.conn, b.query(), QueryLimits(instance, request)));
  if (result.rows.empty()) return NotFound("Row not found");

  RowPage page;
  page.database = std::string(database);
  page.table = table.name;
  page.rows = std::move(result.rows);
  page.rows.Truncate(1);
  if (use_rowid && !page.rows.columns.empty()) page.rows.columns[0] = "rowid";
  page.primary_keys = use_rowid ? std::vector<std::string>{"rowid"} : table.primary_keys;
  page.primary_key_values = std::move(values);
  page.query_ms = result.query_ms;
  page.cache_ttl = CacheTtl(instance, request);
  ALM_ASSIGN_OR_RETURN(page.output, ParseOutputOptions(request));
  ALM_RETURN_IF_ERROR(ResolveRowExtras(instance, request, resolved, page));
  return page;
}

Status LabelRowForeignKeys(const Instance& instance, const Request& request, RowPage& page) {
  ALM_ASSIGN_OR_RETURN(ResolvedTable resolved, ResolveTable(instance, page.database, page.table));
  const db::TableInfo& table = *resolved.table;
  size_t n = page.rows.columns.size();
  page.foreign_key_targets.assign(n, "");
  page.cell_labels.assign(n, std::nullopt);
  if (page.rows.empty()) return Status::Ok();
  for (size_t c = 0; c < n; ++c) {
    const std::string& column = page.rows.columns[c];
    const db::ForeignKey* fk = ForeignKeyFor(table, column);
    const Value& value = page.rows.at(0, c);
    if (!fk || value.is_null()) continue;
    ALM_ASSIGN_OR_RETURN(LabelMap labels,
                         ExpandForeignKeys(instance, request, resolved, table, column, {value}));
    auto found = labels.find(value);
    if (found == labels.end()) continue;  // the actor may not view the other table
    page.foreign_key_targets[c] = fk->other_table;
    page.cell_labels[c] = found->second;
  }
  return Status::Ok();
}

}  // namespace almanac::api
