#include "api/labels.h"

#include <algorithm>

#include "core/text.h"
#include "db/execute.h"

namespace almanac::api {
namespace {

// sqlite-utils' column_affinity(type) is str: declared types with CHAR, CLOB or TEXT, or none.
bool IsTextAffinity(std::string_view declared) {
  std::string t = AsciiLower(declared);
  t.erase(0, t.find_first_not_of(" \t\r\n"));
  if (t.find_last_not_of(" \t\r\n") != std::string::npos) {
    t.erase(t.find_last_not_of(" \t\r\n") + 1);
  } else {
    t.clear();
  }
  if (t.empty()) return true;
  if (t.find("int") != std::string::npos) return false;
  return t.find("char") != std::string::npos || t.find("clob") != std::string::npos ||
         t.find("text") != std::string::npos;
}

// Columns that have a unique index of their own (including primary-key and UNIQUE autoindexes).
Result<std::vector<std::string>> UniqueColumns(db::Connection& conn, const std::string& table) {
  ALM_ASSIGN_OR_RETURN(
      db::QueryResult indexes,
      db::Execute(conn, {"select name, \"unique\" from pragma_index_list(?)", {Value::Text(table)}},
                  {}));
  std::vector<std::string> out;
  for (size_t r = 0; r < indexes.rows.size(); ++r) {
    const Value& unique = indexes.rows.at(r, 1);
    if (unique.type() != Value::Type::kInteger || unique.integer() == 0) continue;
    ALM_ASSIGN_OR_RETURN(db::QueryResult columns,
                         db::Execute(conn,
                                     {"select name from pragma_index_info(?)",
                                      {Value::Text(indexes.rows.at(r, 0).ToDisplayString())}},
                                     {}));
    if (columns.rows.size() == 1 && columns.rows.at(0, 0).type() == Value::Type::kText) {
      out.push_back(columns.rows.at(0, 0).text());
    }
  }
  return out;
}

}  // namespace

Result<std::optional<std::string>> LabelColumnForTable(const Instance& instance,
                                                       const ResolvedDatabase& resolved,
                                                       const db::TableInfo& table) {
  config::TableOptions options = instance.config.Table(resolved.db->name(), table.name);
  if (options.label_column && !options.label_column->empty()) return options.label_column;

  ALM_ASSIGN_OR_RETURN(std::vector<std::string> unique, UniqueColumns(*resolved.conn, table.name));
  std::vector<std::string> unique_text;
  for (const db::ColumnInfo& c : table.columns) {
    if (IsTextAffinity(c.type) && std::find(unique.begin(), unique.end(), c.name) != unique.end()) {
      unique_text.push_back(c.name);
    }
  }
  if (unique_text.size() == 1) return std::optional<std::string>(unique_text[0]);

  for (const db::ColumnInfo& c : table.columns) {
    std::string lower = AsciiLower(c.name);
    if (lower == "name" || lower == "title") return std::optional<std::string>(c.name);
  }
  if (table.columns.size() == 2) {
    const std::string& a = table.columns[0].name;
    const std::string& b = table.columns[1].name;
    bool has_id = a == "id" || a == "pk" || b == "id" || b == "pk";
    bool both_ids = (a == "id" && b == "pk") || (a == "pk" && b == "id");
    if (has_id && !both_ids) {
      return std::optional<std::string>((a == "id" || a == "pk") ? b : a);
    }
  }
  return std::optional<std::string>();
}

const db::ForeignKey* ForeignKeyFor(const db::TableInfo& table, std::string_view column) {
  for (const db::ForeignKey& fk : table.outgoing) {
    if (fk.column == column) return &fk;
  }
  return nullptr;
}

std::vector<std::string> ColumnsToExpand(const Request& request, const db::TableInfo& table,
                                         bool html) {
  if (request.HasArg("_label")) return request.Args("_label");
  bool all = html;
  if (const std::string* labels = request.Arg("_labels")) {
    std::string v = AsciiLower(*labels);
    if (v == "on" || v == "true" || v == "1") all = true;
    if (v == "off" || v == "false" || v == "0") all = false;
  }
  std::vector<std::string> out;
  if (all) {
    for (const db::ForeignKey& fk : table.outgoing) out.push_back(fk.column);
  }
  return out;
}

Result<std::optional<LabelPlan>> PlanLabels(const Instance& instance, const Request& request,
                                            const ResolvedDatabase& resolved,
                                            const db::TableInfo& table, std::string_view column) {
  const db::ForeignKey* fk = ForeignKeyFor(table, column);
  if (!fk) return std::optional<LabelPlan>();
  const db::TableInfo* other = resolved.schema->Find(fk->other_table);
  if (!other) return std::optional<LabelPlan>();
  LabelPlan plan;
  plan.column = std::string(column);
  plan.other_table = other->name;
  plan.other_column = fk->other_column;
  if (plan.other_column.empty()) {
    if (other->primary_keys.size() != 1) return std::optional<LabelPlan>();
    plan.other_column = other->primary_keys[0];
  }
  if (!other->FindColumn(plan.other_column) && plan.other_column != "rowid") {
    return std::optional<LabelPlan>();
  }
  if (!instance.permissions.Allowed(request.actor, auth::Action::kViewTable,
                                    auth::Resource::Table(resolved.db->name(), other->name))) {
    return std::optional<LabelPlan>();
  }
  ALM_ASSIGN_OR_RETURN(std::optional<std::string> label_column,
                       LabelColumnForTable(instance, resolved, *other));
  if (label_column && other->FindColumn(*label_column)) plan.label_column = label_column;
  return std::optional<LabelPlan>(std::move(plan));
}

Result<LabelMap> LookupLabels(db::Connection& conn, const LabelPlan& plan,
                              const std::vector<Value>& values, db::Clock::time_point deadline) {
  LabelMap labels;
  if (!plan.label_column) {
    for (const Value& v : values) labels.emplace(v, Value::Text(v.ToDisplayString()));
    return labels;
  }
  std::vector<Value> distinct;
  for (const Value& v : values) {
    bool seen = std::any_of(distinct.begin(), distinct.end(), [&](const Value& d) {
      return !ValueLess()(d, v) && !ValueLess()(v, d);
    });
    if (!seen) distinct.push_back(v);
  }
  if (distinct.empty()) return labels;
  sql::Identifier id_column = sql::Identifier::FromSchema(plan.other_column);
  sql::QueryBuilder b;
  b.Add("select ").Name(id_column).Add(", ").Name(sql::Identifier::FromSchema(*plan.label_column));
  b.Add(" from ").Name(sql::Identifier::FromSchema(plan.other_table)).Add(" where ");
  b.Name(id_column).Add(" in (");
  for (size_t i = 0; i < distinct.size(); ++i) {
    if (i) b.Add(", ");
    b.Bind(distinct[i]);
  }
  b.Add(")");
  db::Limits limits;
  limits.deadline = deadline;
  Result<db::QueryResult> result = db::Execute(conn, b.query(), limits);
  if (!result.ok()) {
    if (result.status().code() == ErrorCode::kDeadlineExceeded) return labels;
    return result.status();
  }
  for (size_t r = 0; r < result->rows.size(); ++r) {
    labels[result->rows.at(r, 0)] = result->rows.at(r, 1);
  }
  return labels;
}

Result<LabelMap> ExpandForeignKeys(const Instance& instance, const Request& request,
                                   const ResolvedDatabase& resolved, const db::TableInfo& table,
                                   std::string_view column, const std::vector<Value>& values) {
  ALM_ASSIGN_OR_RETURN(std::optional<LabelPlan> plan,
                       PlanLabels(instance, request, resolved, table, column));
  if (!plan) return LabelMap();
  return LookupLabels(
      *resolved.conn, *plan, values,
      db::Clock::now() + std::chrono::milliseconds(instance.settings.sql_time_limit_ms));
}

}  // namespace almanac::api
