#include "api/fk_labels.h"

#include <algorithm>

#include "api/resolve.h"

namespace almanac::api {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// sqlite-utils' column_affinity(type) is str: SQLite's TEXT affinity, plus untyped columns.
bool IsTextAffinity(std::string_view declared) {
  std::string type = Upper(declared);
  if (type.find_first_not_of(" \t") == std::string::npos) return true;
  if (type.find("INT") != std::string::npos) return false;
  return type.find("CHAR") != std::string::npos || type.find("CLOB") != std::string::npos ||
         type.find("TEXT") != std::string::npos;
}

// Names of the columns that have a unique single-column index (constraint indexes included).
Result<std::vector<std::string>> UniqueColumns(db::Connection& conn, const db::TableInfo& table) {
  std::vector<std::string> indexes;
  {
    sql::QueryBuilder b;
    b.Add("select name from pragma_index_list(").Bind(Value::Text(table.name));
    b.Add(") where \"unique\" = 1");
    ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(b.query()));
    for (;;) {
      ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      indexes.emplace_back(stmt.ColumnText(0));
    }
  }
  std::vector<std::string> columns;
  for (const std::string& index : indexes) {
    sql::QueryBuilder b;
    b.Add("select name from pragma_index_info(").Bind(Value::Text(index)).Add(")");
    ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(b.query()));
    std::vector<std::string> names;
    for (;;) {
      ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      names.emplace_back(stmt.ColumnText(0));
    }
    if (names.size() == 1) columns.push_back(std::move(names[0]));
  }
  return columns;
}

bool Contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

Result<std::optional<std::string>> LabelColumnFor(const Instance& instance, db::Connection& conn,
                                                  std::string_view database,
                                                  const db::TableInfo& table) {
  config::TableOptions options = instance.config.Table(database, table.name);
  if (options.label_column && !options.label_column->empty()) return options.label_column;
  ALM_ASSIGN_OR_RETURN(std::vector<std::string> unique, UniqueColumns(conn, table));
  std::vector<std::string> unique_text;
  for (const db::ColumnInfo& c : table.columns) {
    if (Contains(unique, c.name) && IsTextAffinity(c.type)) unique_text.push_back(c.name);
  }
  if (unique_text.size() == 1) return std::optional<std::string>(unique_text[0]);
  for (const db::ColumnInfo& c : table.columns) {
    std::string lower = Lower(c.name);
    if (lower == "name" || lower == "title") return std::optional<std::string>(c.name);
  }
  std::vector<std::string> names = table.ColumnNames();
  if (names.size() == 2 && (Contains(names, "id") || Contains(names, "pk")) &&
      !(Contains(names, "id") && Contains(names, "pk"))) {
    return std::optional<std::string>(names[0] == "id" || names[0] == "pk" ? names[1] : names[0]);
  }
  return std::optional<std::string>();
}

Result<std::vector<LabelExpansion>> PlanLabelExpansions(
    const Instance& instance, const Request& request, db::Connection& conn,
    const db::Schema& schema, std::string_view database, const db::TableInfo& table,
    const std::vector<std::string>& columns) {
  std::vector<std::string> wanted = request.Args("_label");
  bool all = false;
  if (wanted.empty()) {
    const std::string* labels = request.Arg("_labels");
    std::string value = labels ? Lower(*labels) : "";
    all = value == "on" || value == "true" || value == "1";
  }
  std::vector<LabelExpansion> out;
  if (!all && wanted.empty()) return out;
  for (const db::ForeignKey& fk : table.outgoing) {
    if (!all && !Contains(wanted, fk.column)) continue;
    auto position = std::find(columns.begin(), columns.end(), fk.column);
    if (position == columns.end()) continue;
    const db::TableInfo* other = schema.Find(fk.other_table);
    if (!other) continue;
    if (!instance.permissions.Allowed(request.actor, auth::Action::kViewTable,
                                      auth::Resource::Table(std::string(database), other->name))) {
      continue;
    }
    LabelExpansion e;
    e.column_index = static_cast<size_t>(position - columns.begin());
    e.column = fk.column;
    ALM_ASSIGN_OR_RETURN(std::optional<std::string> label,
                         LabelColumnFor(instance, conn, database, *other));
    const db::ColumnInfo* label_column = label ? other->FindColumn(*label) : nullptr;
    const db::ColumnInfo* other_column = other->FindColumn(fk.other_column);
    if (label_column && other_column) {
      sql::QueryBuilder b;
      b.Add("select ").Add(sql::Identifier::FromSchema(label_column->name)).Add(" from ");
      b.Add(sql::Identifier::FromSchema(other->name)).Add(" where ");
      b.Add(sql::Identifier::FromSchema(other_column->name)).Add(" = ").Bind(Value());
      b.Add(" limit 1");
      e.lookup = std::move(b).Build();
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const LabelExpansion& a, const LabelExpansion& b) {
    return a.column_index < b.column_index;
  });
  return out;
}

Result<std::optional<Value>> LookupLabel(db::Connection& conn, LabelExpansion& expansion,
                                         Value value) {
  if (!expansion.lookup) return std::optional<Value>(Value::Text(value.ToDisplayString()));
  expansion.lookup->params[0] = std::move(value);
  ALM_ASSIGN_OR_RETURN(db::Statement stmt, conn.Prepare(*expansion.lookup));
  ALM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Value>();
  return std::optional<Value>(stmt.Column(0));
}

}  // namespace almanac::api
